"""Stored cross-site scripting: what people type is shown as text everywhere, never run.

Every free-text field in the database (names, aliases, areas, notes, goals, feedback, referral
reasons and updates, services' and organisations' names, users' names) holds HOSTILE; then every
page in the permission matrix is opened by those it answers (the own team's manager and police
officer, the recipient partner, the region's lead, an administrator). A page added later is
checked as soon as it has its row. The API, CSV files, the diary file and the PDFs each have
their own escaping, checked below.
"""

import csv
import datetime
import io
import json as jsonlib
import shutil
import subprocess
import zipfile

import pytest
import weasyprint
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cohorts.models import Nominal
from iom.core.models import Role, User
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.pack import PackScope, Section, Table
from reports.pack.render import PackContent, PackPart, render_csv_zip, render_pdf
from supervision.factories import ContactFactory
from supervision.models import ContactAttendee
from tests.actors import build_world, member
from tests.api.clients import token_client
from tests.api.test_api_permission_matrix import OWNER
from tests.security.common import (
    ACTORS,
    ESCAPED,
    HOSTILE,
    MATRIX,
    assert_no_raw_markup,
    built_subject_access_export,
    fill_the_record,
    make_everything_hostile,
    patterns_by_name,
    url_for,
)

pytestmark = pytest.mark.django_db

# Who opens each page: those of these the page's row lets in.
READERS = ("manager_own", "police_own", "partner_referred", "regional_own", "administrator")
# A page about one person's record shows their name.
RECORD_KWARGS = {"nominal_id", "contact_id", "referral_id", "membership_id", "goal_id"}
# Pages not about one record that show hostile text: a name, a service, an organisation.
SHOWS_TEXT = {
    "cohorts:caseload",
    "partners:directory",
    "partners:service-detail",
    "partners:team-referrals",
    "partners:inbox",
    "supervision:my-diary",
    "supervision:team-diary",
}
PATTERNS = patterns_by_name()
# The API's schema is a fixed document with no one's data, and slow to build.
NO_ONES_DATA = {"api-schema"}
PAGES = sorted(
    name
    for name, methods in MATRIX.items()
    if "GET" in methods
    and name not in NO_ONES_DATA
    and any(methods["GET"].get(actor) == 200 for actor in READERS)
)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_every_page_is_checked():
    assert {"cohorts:nominal-detail", "partners:inbox-detail", "reports:list"} <= set(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_hostile_text_is_escaped_on_every_page(name):
    world = build_world()
    fill_the_record(world)
    readers = [actor for actor in READERS if MATRIX[name]["GET"].get(actor) == 200]
    # Each reader's URL first: building one goes through services, which want ordinary text.
    visits: list[tuple[str, User, str]] = []
    for actor in readers:
        user = ACTORS[actor](world)
        try:
            with transaction.atomic():
                url = url_for(name, world, user)
        except IntegrityError:
            # Some URLs build their object once per world (the referral's service): the same page.
            url = visits[0][2]
        visits.append((actor, user, url))
    make_everything_hostile()

    for actor, user, url in visits:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, f"GET {url} as {actor}"
        content_type = response.get("Content-Type", "")
        body = _body(response)
        if content_type.startswith("text/html"):
            assert_no_raw_markup(body, f"GET {url} as {actor}")
            shows = name in SHOWS_TEXT or bool(PATTERNS[name].kwargs & RECORD_KWARGS)
            if actor.startswith("partner"):  # partners see only their own referrals' pages
                shows = name.startswith("partners:inbox")
            if shows:
                assert ESCAPED in body, f"GET {url} as {actor} shows none of the hostile text, escaped"
        else:
            # A file (CSV, calendar, PDF) or JSON: never something a browser would run as a page.
            assert "html" not in content_type, f"GET {url} as {actor}: {content_type}"


# The API: JSON needs no HTML escaping, but it is never served as a page.
API_READS = sorted(
    (name, actor)
    for name, module in OWNER.items()
    for method, statuses in module.ENDPOINTS[name].items()
    if method == "GET"
    for actor in [next((a for a in READERS if statuses.get(a) == 200), None)]
    if actor is not None
)


@pytest.mark.parametrize(("name", "actor"), API_READS)
def test_the_api_serves_hostile_text_as_json_only(name, actor):
    world = build_world()
    fill_the_record(world)
    user = ACTORS[actor](world)
    call = OWNER[name].prepare(name, "GET", world, user)
    client = token_client(user)
    make_everything_hostile()

    response = client.get(call.url, **call.headers)

    assert response.status_code == 200
    content_type = response["Content-Type"]
    assert "html" not in content_type
    assert content_type.startswith(("application/json", "application/pdf", "application/zip")), content_type


def test_the_api_returns_a_hostile_name_as_it_was_typed():
    world = build_world()
    user = ACTORS["manager_own"](world)
    Nominal.objects.filter(pk=world.nominal.pk).update(given_name=HOSTILE)
    response = token_client(user).get(reverse("api:nominal-detail", args=[world.nominal.pk]))
    assert response["Content-Type"] == "application/json"
    assert HOSTILE in response.json().values()


# CSV: a cell a spreadsheet would run as a formula is opened with an apostrophe.
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1+1"]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def test_the_caseload_export_neutralises_formulas():
    world = build_world()
    for index, formula in enumerate(FORMULAS):
        Nominal.objects.create(
            team=world.own_team,
            given_name=formula,
            family_name=formula,
            address_area=formula,
            date_of_birth=datetime.date(1990, 1, 1),
            crn=f"Z{index:06d}",
        )
    client = Client()
    client.force_login(member(Role.MANAGER, team=world.own_team))

    response = client.get(reverse("cohorts:caseload-export"))

    cells = _cells(_body(response))
    for formula in FORMULAS:
        assert f"'{formula}" in cells, f"{formula!r} is not neutralised"
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t")]


def test_the_report_tables_neutralise_formulas_in_text_but_not_numbers():
    scope = PackScope(
        "A team",
        "team-1",
        (1,),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 31),
        today=datetime.date(2026, 11, 2),
        region_id=1,
    )
    table = Table(
        key="partners",
        title="Referrals by organisation",
        columns=["Organisation", "Change"],
        rows=[[formula, -3] for formula in FORMULAS],
        total=["=TOTAL()", -15],
    )
    content = PackContent(
        kind="Team pack",
        scope_name="A team",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        built_on=datetime.date(2026, 11, 2),
        requested_by="=cmd|' /C calc'!A0",
        parts=[PackPart(scope=scope, sections=[Section(key="partners", title="Partners", blocks=[table])])],
    )
    bundle = zipfile.ZipFile(io.BytesIO(render_csv_zip(content)))
    [name] = [name for name in bundle.namelist() if name.endswith(".csv")]
    cells = _cells(bundle.read(name).decode("utf-8"))
    for formula in [*FORMULAS, "=TOTAL()"]:
        assert f"'{formula}" in cells
    # Numbers stay numbers.
    assert "-3" in cells
    assert "-15" in cells


# The diary file: text escaped as RFC 5545 says, so it cannot add a line of its own.
def test_the_diary_file_escapes_hostile_text():
    world = build_world()
    me = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    injected = f'{HOSTILE}, Room 1; "A"\r\nATTENDEE:mailto:evil@example.com\nEND:VEVENT'
    contact = ContactFactory.create(
        nominal=world.nominal,
        date=timezone.localdate() + datetime.timedelta(days=1),
        outcome="",
        location=injected[:200],
    )
    ContactAttendee.objects.create(contact=contact, user=me, organisation=me.organisation)
    Nominal.objects.filter(pk=world.nominal.pk).update(given_name=HOSTILE, family_name=HOSTILE)
    client = Client()
    client.force_login(me)

    response = client.get(reverse("supervision:my-diary-ics"))

    text = response.content.decode()
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert not [line for line in lines if line.startswith("ATTENDEE")], "a line was injected"
    assert lines.count("END:VEVENT") == 1
    assert "\\, Room 1\\; " in unfolded
    [event] = Calendar.from_ical(response.content).events
    assert str(event["LOCATION"]) == injected[:200].replace("\r\n", "\n")


# PDFs: the text is printed as text, and nothing in it is fetched.
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")


def _pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


@needs_pdftotext
def test_the_governance_pack_prints_hostile_text_literally_and_fetches_nothing(monkeypatch):
    fetched: list[str] = []
    real_fetch = weasyprint.URLFetcher.fetch

    def fetch(self, url, *args, **kwargs):
        fetched.append(url)
        return real_fetch(self, url, *args, **kwargs)

    monkeypatch.setattr(weasyprint.URLFetcher, "fetch", fetch)
    short = "<img src=x onerror=alert(2)><script>alert(1)</script>"
    scope = PackScope(
        short,
        "team-1",
        (1,),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 31),
        today=datetime.date(2026, 11, 2),
        region_id=1,
    )
    table = Table(key="partners", title=short, columns=["Organisation", "Referrals"], rows=[[short, 12]])
    content = PackContent(
        kind="Team pack",
        scope_name=short,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        built_on=datetime.date(2026, 11, 2),
        requested_by=short,
        parts=[PackPart(scope=scope, sections=[Section(key="partners", title="Partners", blocks=[table])])],
    )

    pdf, _ = render_pdf(content)

    text = _pdf_text(pdf)
    assert "<img src=x onerror=alert(2)>" in text
    assert "<script>alert(1)</script>" in text
    assert not [url for url in fetched if url.rstrip("/").endswith("/x") or url == "x"], fetched


@needs_pdftotext
def test_a_built_pack_downloaded_prints_hostile_names_as_text():
    world = build_world()
    world.own_team.name = HOSTILE
    world.own_team.save(update_fields=["name"])
    manager = member(Role.MANAGER, team=world.own_team, full_name=HOSTILE)
    run = ReportRunFactory.create(
        kind="team_pack",
        region=world.region,
        team=world.own_team,
        requested_by=manager,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )
    from reports.services import build_report

    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED, run.failure_reason
    client = Client()
    client.force_login(manager)

    response = client.get(reverse("reports:download", args=[run.pk]))

    text = _pdf_text(_body_bytes(response))
    assert "<script>alert(1)</script>" in text


# Subject access (dataprotection), once it exists: the PDF prints the person's hostile text as text.
SUBJECT_ACCESS_DOWNLOAD = "dataprotection:subject-access-download" in PATTERNS


@needs_pdftotext
@pytest.mark.skipif(not SUBJECT_ACCESS_DOWNLOAD, reason="no subject access download yet")
def test_the_subject_access_pdf_prints_hostile_text_literally():
    world = build_world()
    fill_the_record(world)
    make_everything_hostile()
    manager = ACTORS["manager_own"](world)
    export = built_subject_access_export(world.nominal, by=manager)
    client = Client()
    client.force_login(manager)

    response = client.get(reverse("dataprotection:subject-access-download", args=[export.pk, "pdf"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(_body_bytes(response))
    assert "<script>alert(1)</script>" in text
    json = client.get(reverse("dataprotection:subject-access-download", args=[export.pk, "json"]))
    assert json["Content-Type"].startswith("application/json")
    assert HOSTILE in _strings(jsonlib.loads(_body_bytes(json)))


def _strings(value: object) -> list[str]:
    """Every string in a decoded JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _body_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
