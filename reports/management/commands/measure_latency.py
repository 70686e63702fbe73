"""Measure page latency over real HTTP: `python manage.py measure_latency` (run by `make bench`).

Starts gunicorn with one worker on this process's settings (or measures --url), signs in by
posting the sign-in form as a real browser would, then requests each page sequentially: warm-up
requests first, then --requests timed ones, each on a new connection (gunicorn's sync worker
closes it after every response). Prints p50 and p95 per page against DESIGN §6's targets, with
/healthz as the floor: the cost of the stack itself, so a page's ratio to it is the page's own work.

Logging a contact is measured as a worker does it: the form (GET), then posting it with what the
form already holds plus the three choices of the common case (type, outcome, purpose), each post
with a new submission_id, so every one records a contact: --warmup + --requests contacts, dated
today, for the busiest person of the smallest team, logged by one of its police offender managers,
so that no page measured in the biggest team reads them.

Needs the data `seed_scale` builds: it signs in as a police offender manager and the manager of
the biggest team, and opens the person in that team with the most contacts. The referral pages:
the team's referral list and the referrals dashboard of that team; the Referrals tab of its person
with the most referrals and its referral with the longest history; and, signed in as the bench
partner (an organisation with about a hundred open referrals), its inbox and a referral it works on;
and the partner directory. Standard library only for the measuring: http.client, html.parser, time
and statistics.
"""

import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cohorts.models import Nominal, TimelineEvent
from iom.core import second_factor
from iom.core.models import Membership, Role, Team, User
from iom.core.services import IssuedToken, create_api_token, revoke_api_token
from partners.models import OPEN_STATUSES, WORKING_STATUSES, Referral
from reports.management.commands.seed_scale import BENCH_PARTNER, BENCH_PASSWORD, DOMAIN, REGION
from supervision.models import Contact

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# The common case of logging a contact: the three choices the worker makes (docs/benchmarks.md).
CONTACT_CHOICES = {"kind": "office", "outcome": "attended_complied", "purpose": "monitoring"}


@dataclass
class Page:
    label: str
    path: str
    cookie: str
    target_ms: float | None  # None: the floor
    # For a form post: a new body for each request, and the status that means it was accepted.
    body: Callable[[], str] | None = None
    expected_status: int = 200
    # For the API: a bearer token instead of the session cookie.
    token: str = ""

    @property
    def method(self) -> str:
        return "GET" if self.body is None else "POST"


@dataclass
class Result:
    page: Page
    status: str  # "measured" or why not
    timings: list[float]

    def percentile(self, point: int) -> float:
        return statistics.quantiles(self.timings, n=100, method="inclusive")[point - 1]


class Command(BaseCommand):
    help = (
        "Measure p50/p95 latency over HTTP against gunicorn: the caseload, person page and its tabs,"
        " logging a contact, the diaries, the manager dashboard, and the referral pages of both sides."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--requests", type=int, default=200, help="Timed requests per page (default 200)."
        )
        parser.add_argument("--warmup", type=int, default=20, help="Untimed requests first (default 20).")
        parser.add_argument("--port", type=int, default=8765, help="Port for gunicorn (default 8765).")
        parser.add_argument(
            "--url", default="", help="Measure a server already running here instead of starting gunicorn."
        )

    def handle(self, *args: Any, requests: int, warmup: int, port: int, url: str, **options: Any) -> None:
        if requests < 20:
            raise CommandError("--requests must be at least 20 for a meaningful p95")
        team, member, manager, nominal, logger, logged_for = _targets()
        referrals = _referral_targets(team)
        contacts = Contact.objects.filter(nominal=nominal).count()
        events = TimelineEvent.objects.filter(nominal=nominal).count()
        team_size = Nominal.objects.filter(team=team).count()
        self.stdout.write(
            f"Team {team.name}: {team_size:,} nominals. Signed in as {member.email} (member)"
            f" and {manager.email} (manager).\nPerson page: nominal {nominal.pk}, {contacts:,} contacts,"
            f" {events:,} timeline events.\nLogging contacts as {logger.email} for nominal {logged_for.pk}"
            f" ({logged_for.team})."
        )
        if referrals is None:
            self.stdout.write(
                self.style.WARNING("No referrals in this database: the referral pages are not measured.")
            )
        else:
            self.stdout.write(
                f"Referrals tab: nominal {referrals.nominal.pk} ({referrals.nominal_referrals} referrals);"
                f" referral {referrals.referral.reference} ({referrals.referral_events} events); partner"
                f" {referrals.partner.email} ({referrals.partner_open} open referrals), referral"
                f" {referrals.partner_referral.reference}."
            )
        server = None
        member_token: IssuedToken | None = None
        if not url:
            url = f"http://127.0.0.1:{port}"
            server = _start_gunicorn(port)
        try:
            member_token = create_api_token(actor=member, name="make bench", lifetime_days=30)
            _wait_until_up(url, server)
            member_cookie = _sign_in(url, member)
            manager_cookie = _sign_in(url, manager)
            logger_cookie = _sign_in(url, logger)
            partner_cookie = _sign_in(url, referrals.partner) if referrals else ""
            log_contact = f"/people/{logged_for.pk}/contacts/new/"
            pages = [
                Page("/healthz (floor)", "/healthz", "", None),
                Page("/people/ (caseload)", "/people/", member_cookie, 150),
                Page(f"/people/{nominal.pk}/ (person)", f"/people/{nominal.pk}/", member_cookie, 150),
                Page(
                    f"/people/{nominal.pk}/timeline/",
                    f"/people/{nominal.pk}/timeline/",
                    member_cookie,
                    150,
                ),
                Page(
                    f"/people/{nominal.pk}/supervision/",
                    f"/people/{nominal.pk}/supervision/",
                    member_cookie,
                    150,
                ),
                Page("log a contact: the form", log_contact, logger_cookie, 150),
                Page(
                    "log a contact: post it",
                    log_contact,
                    logger_cookie,
                    150,
                    body=_contact_form_body(url, log_contact, logger_cookie),
                    expected_status=302,
                ),
                Page("/diary/ (my diary, today)", "/diary/", member_cookie, 150),
                Page("/diary/?view=week (this week)", "/diary/?view=week", member_cookie, 150),
                Page("/diary/team/ (team, this week)", "/diary/team/", member_cookie, 150),
                Page("/reports/dashboard/ (manager)", "/reports/dashboard/", manager_cookie, 300),
            ]
            if referrals is not None:
                nominal_referrals = f"/people/{referrals.nominal.pk}/referrals/"
                referral = f"/referrals/{referrals.referral.pk}/"
                partner_referral = f"/referrals-to-us/{referrals.partner_referral.pk}/"
                pages += [
                    Page("/referrals/ (team's referrals)", "/referrals/", member_cookie, 150),
                    Page(f"{nominal_referrals} (tab)", nominal_referrals, member_cookie, 150),
                    Page(f"{referral} (referral)", referral, member_cookie, 150),
                    Page("/referrals-to-us/ (partner inbox)", "/referrals-to-us/", partner_cookie, 150),
                    Page(f"{partner_referral} (partner)", partner_referral, partner_cookie, 150),
                    Page("/directory/ (partner directory)", "/directory/", member_cookie, 150),
                    Page(
                        "/reports/dashboard/referrals/ (manager)",
                        "/reports/dashboard/referrals/",
                        manager_cookie,
                        300,
                    ),
                ]
            pages += _api_pages(member_token.raw, referrals is not None)
            load_before = os.getloadavg()
            results = []
            for page in pages:
                results.append(_measure(url, page, warmup, requests))
                self.stdout.write(f"  measured {page.label}: {results[-1].status}")
            load_after = os.getloadavg()
        finally:
            if member_token is not None:
                # A token per run would pile up to the holder's limit.
                revoke_api_token(actor=member, token=member_token.token)
            if server is not None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
        self.stdout.write(
            f"\n{requests} sequential requests per page after {warmup} warm-up; one gunicorn worker;"
            f" load average {load_before[0]:.2f} before, {load_after[0]:.2f} after ({os.cpu_count()} CPUs).\n"
        )
        failed = self.print_table(results)
        if failed:
            raise CommandError(f"{failed} page(s) missed their p95 target")

    def print_table(self, results: list[Result]) -> int:
        floor = results[0].percentile(95) if results[0].timings else None
        header = f"{'URL':<40} {'p50 ms':>8} {'p95 ms':>8} {'p95/floor':>10} {'target':>8}  result"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        failed = 0
        for result in results:
            page = result.page
            target = f"{page.target_ms:.0f}" if page.target_ms is not None else "-"
            if not result.timings:
                self.stdout.write(f"{page.label:<40} {'':>8} {'':>8} {'':>10} {target:>8}  {result.status}")
                continue
            p50, p95 = result.percentile(50), result.percentile(95)
            ratio = f"{p95 / floor:.1f}x" if floor else "-"
            if page.target_ms is None:
                verdict = "floor"
            elif p95 <= page.target_ms:
                verdict = "PASS"
            else:
                verdict, failed = "FAIL", failed + 1
            self.stdout.write(f"{page.label:<40} {p50:>8.1f} {p95:>8.1f} {ratio:>10} {target:>8}  {verdict}")
        return failed


def _targets() -> tuple[Team, Any, Any, Nominal, Any, Nominal]:
    """The biggest team in the bench region, a frontline member, its manager and its busiest person;
    and a police offender manager of the smallest team with that team's busiest person, who logs
    the contacts, so the posts change none of the pages measured in the biggest team."""
    teams = list(
        Team.objects.filter(region__name=REGION).annotate(size=Count("nominals")).order_by("-size", "name")
    )
    if not teams or not teams[0].size:
        raise CommandError(f"No {REGION} data in this database: run `manage.py seed_scale` first")
    team, member, manager, nominal = _team_targets(teams[0])
    _, logger, _, logged_for = _team_targets(teams[-1])
    return team, member, manager, nominal, logger, logged_for


def _team_targets(team: Team) -> tuple[Team, Any, Any, Nominal]:
    memberships = Membership.objects.filter(team=team).select_related("user").order_by("user__email")
    member = memberships.filter(role=Role.POLICE_OFFENDER_MANAGER).first()
    manager = memberships.filter(role=Role.MANAGER).first()
    busiest = (
        Contact.objects.filter(nominal__team=team)
        .values("nominal")
        .annotate(contacts=Count("id"))
        .order_by("-contacts")
        .first()
    )
    if member is None or manager is None or busiest is None:
        raise CommandError(f"{team.name} has no police offender manager, manager or contacts: reseed it")
    return team, member.user, manager.user, Nominal.objects.get(pk=busiest["nominal"])


@dataclass
class ReferralTargets:
    """What the referral pages are measured on, all in the biggest team or sent to the bench partner."""

    nominal: Nominal  # the team's person with the most referrals: the longest Referrals tab
    nominal_referrals: int
    referral: Referral  # the team's referral with the longest history
    referral_events: int
    partner: User  # staff of the organisation seed_scale gives about a hundred open referrals
    partner_open: int
    partner_referral: Referral  # one it works on now, with the longest history


def _referral_targets(team: Team) -> ReferralTargets | None:
    referrals = Referral.objects.filter(nominal__team=team)
    most = referrals.values("nominal").annotate(count=Count("id")).order_by("-count", "nominal").first()
    partner = User.objects.filter(email=f"partner.{BENCH_PARTNER}@{DOMAIN}").first()
    if most is None or partner is None or partner.organisation_id is None:
        return None
    longest = referrals.annotate(count=Count("events")).order_by("-count", "id").first()
    received = Referral.objects.filter(organisation_id=partner.organisation_id)
    working = (
        received.filter(status__in=sorted(WORKING_STATUSES))
        .annotate(count=Count("events"))
        .order_by("-count", "id")
        .first()
    )
    if longest is None or working is None:
        return None
    return ReferralTargets(
        nominal=Nominal.objects.get(pk=most["nominal"]),
        nominal_referrals=most["count"],
        referral=longest,
        referral_events=longest.count,
        partner=partner,
        partner_open=received.filter(status__in=sorted(OPEN_STATUSES)).count(),
        partner_referral=working,
    )


def _api_pages(token: str, with_referrals: bool) -> list[Page]:
    """The API's largest lists, as an integration reads them (a page of 50)."""
    pages = [Page("/api/v1/nominals/ (API caseload)", "/api/v1/nominals/", "", 150, token=token)]
    if with_referrals:
        pages.append(Page("/api/v1/referrals/ (API referrals)", "/api/v1/referrals/", "", 150, token=token))
    return pages


def _start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "iom.wsgi:application", "--workers", "1"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    return subprocess.Popen(command, env=os.environ.copy())  # noqa: S603 - our own fixed command


def _request(
    url: str, method: str, path: str, *, cookie: str = "", body: str = "", token: str = ""
) -> tuple[int, dict[str, str], list[str], bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    headers = {"Host": parts.netloc}
    if cookie:
        headers["Cookie"] = cookie
    if token:
        headers["Authorization"] = f"Bearer {token}"
        headers["Accept"] = "application/json"
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        content = response.read()
        return (
            response.status,
            dict(response.getheaders()),
            response.headers.get_all("Set-Cookie") or [],
            content,
        )
    finally:
        connection.close()


def _wait_until_up(url: str, server: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise CommandError(f"gunicorn exited with status {server.returncode}: see the messages above")
        try:
            if _request(url, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise CommandError(f"{url}/healthz did not answer within 60 s")


def _sign_in(url: str, user: Any) -> str:
    """Post the sign-in form with its CSRF token, as a browser does, then the second factor's code
    (the bench user is given an authenticator app, and the code computed as the app would); return
    the Cookie header."""
    csrf_name, session_name = settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME
    status, _, set_cookies, content = _request(url, "GET", "/sign-in/")
    cookies = SimpleCookie()
    for header in set_cookies:
        cookies.load(header)
    token = _CSRF_INPUT.search(content.decode())
    if status != 200 or token is None or csrf_name not in cookies:
        raise CommandError(f"GET /sign-in/ answered {status} without a CSRF token")
    form = {"username": user.email, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token[1], "next": ""}
    status, headers, set_cookies, _ = _request(
        url, "POST", "/sign-in/", cookie=f"{csrf_name}={cookies[csrf_name].value}", body=urlencode(form)
    )
    for header in set_cookies:
        cookies.load(header)
    if status != 302 or session_name not in cookies:
        raise CommandError(f"Signing in as {user.email} failed: {status} {headers.get('Location', '')}")

    device = second_factor.authenticator_for(user) or TOTPDevice.objects.create(
        user=user, name=second_factor.AUTHENTICATOR_NAME, confirmed=True
    )
    verify = reverse(second_factor.VERIFY)
    cookie = "; ".join(f"{name}={cookies[name].value}" for name in (csrf_name, session_name))
    status, _, _, content = _request(url, "GET", verify, cookie=cookie)
    token = _CSRF_INPUT.search(content.decode())
    if status != 200 or token is None:
        raise CommandError(f"GET {verify} answered {status} without its form")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    form = {"code": f"{totp.token():0{device.digits}d}", "csrfmiddlewaretoken": token[1]}
    status, headers, set_cookies, _ = _request(url, "POST", verify, cookie=cookie, body=urlencode(form))
    for header in set_cookies:
        cookies.load(header)
    if status != 302:
        raise CommandError(f"The second factor for {user.email} was refused: {status}")
    return "; ".join(f"{name}={cookies[name].value}" for name in (csrf_name, session_name))


def _measure(url: str, page: Page, warmup: int, requests: int) -> Result:
    def send() -> tuple[int, bytes]:
        body = page.body() if page.body is not None else ""
        status, _, _, content = _request(
            url, page.method, page.path, cookie=page.cookie, body=body, token=page.token
        )
        return status, content

    status, content = send()
    if status == 404:
        return Result(page, "not available (404)", [])
    if status != page.expected_status:
        return Result(page, f"not available ({status}{_form_errors(content)})", [])
    for _ in range(warmup):
        send()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        status, content = send()
        timings.append((time.perf_counter() - started) * 1000)
        if status != page.expected_status:
            return Result(page, f"answered {status} mid-run{_form_errors(content)}", [])
    return Result(page, "measured", timings)


class _FormReader(HTMLParser):
    """What a browser would submit from a page's forms, with each radio group's options.

    Only what the log-contact form uses: inputs (text-like, hidden, checked boxes and radios),
    textareas and selects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[list[tuple[str, str]], dict[str, list[str]]]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(([], {}))
            return
        if not self.forms or "disabled" in found:
            return
        fields, options = self.forms[-1]
        name = found.get("name", "")
        if tag == "input" and name:
            kind = found.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                options.setdefault(name, []).append(found.get("value", "on"))
                if "checked" in found:
                    fields.append((name, found.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                fields.append((name, found.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = name
            fields.append((name, ""))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif (
            tag == "option"
            and self._select is not None
            and (self._select_value is None or "selected" in found)
        ):
            self._select_value = found.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.forms:
            fields = self.forms[-1][0]
            fields[-1] = (fields[-1][0], fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self.forms:
            self.forms[-1][0].append((self._select, self._select_value or ""))
            self._select = None


def _contact_form_body(url: str, path: str, cookie: str) -> Callable[[], str] | None:
    """The log-contact form as the page gives it, with the three common choices made; each call
    gives a new submission_id, so each post is a new contact. None when the page is not there yet
    (_measure then reports it as not available)."""
    status, _, _, content = _request(url, "GET", path, cookie=cookie)
    if status != 200:
        return None
    reader = _FormReader()
    reader.feed(content.decode())
    form = next((form for form in reader.forms if any(name == "submission_id" for name, _ in form[0])), None)
    if form is None:
        raise CommandError(f"{path} has no form with a submission_id")
    fields, options = form
    chosen = [(name, value) for name, value in fields if name not in CONTACT_CHOICES]
    for name, preferred in CONTACT_CHOICES.items():
        available = options.get(name, [])
        if preferred not in available:
            raise CommandError(f"{path}: no {name} choice {preferred!r} among {available}")
        chosen.append((name, preferred))

    def body() -> str:
        fresh = [(name, str(uuid.uuid4()) if name == "submission_id" else value) for name, value in chosen]
        return urlencode(fresh)

    return body


_ERROR_ITEM = re.compile(r'<a href="#[^"]*">([^<]+)</a>')


def _form_errors(content: bytes) -> str:
    """The error summary's messages, when a form came back with errors."""
    text = content.decode(errors="replace")
    if "govuk-error-summary" not in text:
        return ""
    summary = text[text.index("govuk-error-summary") :]
    return ": " + "; ".join(_ERROR_ITEM.findall(summary)[:5])
