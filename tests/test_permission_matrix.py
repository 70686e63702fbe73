"""Every URL, for every role, in its own team and another, as DESIGN §3 says.

A new URL without a row here fails `test_every_url_has_a_row`. Rows give the status for a
GET (and for a POST, where the URL takes one). 404 means "as if it did not exist": out of
scope never answers 403. 302 is a redirect, to sign in or onward.
"""

import datetime
import importlib
import pkgutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cohorts import importer
from cohorts.models import CohortMembership, Goal
from iom.core import access
from iom.core import services as core_services
from iom.core.factories import UserFactory
from iom.core.models import AuditEvent, CaseAccessGrant, Role
from partners import services as partner_services
from partners.factories import PartnerServiceFactory, ReferralFactory
from partners.models import Referral
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from supervision.factories import ContactFactory
from tests import permission_rows
from tests.actors import build_world, member
from tests.permission_rows.common import (
    ACTORS,
    PARTNERS,
    REPORTS_PAGES,
    SIGN_IN_FIRST,
    TEAM_ALL,
    TEAM_OWN,
    TEAM_PACK_READERS,
    _referrer,
    each,
    recipient,
    row,
)

pytestmark = pytest.mark.django_db

# The state each referral URL needs its referral in, so an empty POST reaches the rule it tests.
REFERRAL_STATE = {
    "partners:referral-edit": Referral.Status.DRAFT,
    "partners:referral-send": Referral.Status.DRAFT,
    "partners:referral-withdraw": Referral.Status.SENT,
    "partners:accept": Referral.Status.SENT,
    "partners:decline": Referral.Status.SENT,
}


def referral_for(name: str, world):
    """The world's person referred to the recipient, moved on through the services to the state the
    URL needs (accepted unless REFERRAL_STATE says otherwise), and completed if the asker's referral
    has closed."""
    organisation = recipient(world)
    service = PartnerServiceFactory.create(organisation=organisation, name="Housing advice")
    referrer = _referrer(world)
    referral = ReferralFactory.create(nominal=world.nominal, service=service, referred_by=referrer)
    state = REFERRAL_STATE.get(name, Referral.Status.ACCEPTED)
    if world.referral_closed:
        state = Referral.Status.COMPLETED
    if state == Referral.Status.DRAFT:
        return referral
    partner_services.send_referral(actor=referrer, referral=referral)
    if state == Referral.Status.SENT:
        return referral
    partner = member(Role.PARTNER, organisation=organisation)
    partner_services.accept_referral(actor=partner, referral=referral)
    if state == Referral.Status.COMPLETED:
        partner_services.complete_referral(
            actor=partner, referral=referral, outcome="achieved", summary="Housed in a council flat"
        )
    return referral


# url name -> (method -> {actor: status})
MATRIX: dict[str, dict[str, dict[str, int]]] = {
    # Partners have no caseload: home sends them to their referrals inbox.
    "home": {"GET": row(302, anonymous=SIGN_IN_FIRST, administrator=200)},
    "login": {"GET": row(302, anonymous=200)},
    "logout": {"POST": row(302)},
    "healthz": {"GET": row(200)},
    # The API's schema and its not-found answer are for API clients: 401 rather than the sign-in page.
    "api-schema": {"GET": row(200, anonymous=401)},
    "api-not-found": {"GET": row(404)},
    "api-docs": {"GET": row(200, anonymous=SIGN_IN_FIRST)},
    "readyz": {"GET": row(200)},
    # Everyone who uses the service may hold API tokens, partners included (a token can do no more
    # than its holder). The token in a revoke URL is the asker's own; another's answers 404 (its tests).
    "account:api-tokens": {"GET": row(200, anonymous=SIGN_IN_FIRST)},
    "account:api-token-create": {  # an empty POST re-shows the form with its errors
        "GET": row(200, anonymous=SIGN_IN_FIRST),
        "POST": row(200, anonymous=SIGN_IN_FIRST),
    },
    "account:api-token-revoke": {"GET": row(200, anonymous=SIGN_IN_FIRST), "POST": row(302)},
    "cohorts:caseload": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200))},
    "cohorts:caseload-export": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200))},
    "cohorts:nominal-create": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200)),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200)),
    },
    # Each manager sees the dashboard of their own team.
    "reports:team-dashboard": {"GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200)},
    "cohorts:panel": {"GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200)},
    # A proposal in the own team: only that team's manager decides it.
    "cohorts:panel-decision": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200),
        "POST": row(404, anonymous=SIGN_IN_FIRST, manager_own=200),
    },
    **{
        name: {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200))}
        for name in (
            "cohorts:nominal-detail",
            "cohorts:nominal-timeline",
            "cohorts:nominal-history",
            "cohorts:nominal-cohort",
            "cohorts:nominal-team",
            "cohorts:nominal-risk",
            "cohorts:nominal-custody",
            "cohorts:nominal-needs",
            "cohorts:nominal-offences",
        )
    },
    # The world's person has no case team yet, so of the team only its manager may edit; the
    # rest of the team can see the record and are refused (403).
    **{
        name: {
            "GET": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
            "POST": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
        }
        for name in (
            "cohorts:details-edit",
            "cohorts:alias-create",
            "cohorts:cohort-review",
            "cohorts:allocate",
            "cohorts:assessment-create",
            "cohorts:custody-edit",
            "cohorts:need-update",
            "cohorts:offence-create",
            "cohorts:goal-create",
            "cohorts:goal-update",
            "cohorts:feedback-create",
        )
    },
    # Managers import into their own team; the results and confirmation belong to the uploader alone.
    "cohorts:tracker-import": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200),
        "POST": row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200),
    },
    "cohorts:tracker-import-confirm": {  # an empty POST on a clean file imports it, then redirects
        "GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200),
        "POST": row(404, anonymous=SIGN_IN_FIRST, manager_own=302),
    },
    "cohorts:cohort-propose": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
    },
    "supervision:log-contact": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
        # An empty POST from the team re-shows the form with errors (200) and saves nothing.
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
    },
    # The person's supervision: the team sees and plans; standards and enforcement belong to the
    # case team and managers (the world's person has no case team, so only the manager).
    "supervision:nominal-supervision": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200))},
    **{
        name: {
            "GET": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
            "POST": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
        }
        for name in ("supervision:set-standard", "supervision:record-enforcement")
    },
    # Planning and changing appointments is frontline work for the whole team. An empty POST
    # re-shows the form with its errors and changes nothing.
    **{
        name: {
            "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
            "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200)),
        }
        for name in (
            "supervision:plan-appointment",
            "supervision:plan-series",
            "supervision:record-outcome",
            "supervision:move-appointment",
            "supervision:cancel-appointment",
        )
    },
    "supervision:contact-detail": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200))},
    # Diaries are for everyone with a caseload; each reads only their own teams.
    **{
        name: {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200))}
        for name in ("supervision:my-diary", "supervision:team-diary", "supervision:my-diary-ics")
    },
    # Everyone who uses governance reports has the list and the form; each holds only the runs in
    # their scope. An empty POST re-shows the form with its errors.
    "reports:list": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(REPORTS_PAGES, 200))},
    "reports:request": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(REPORTS_PAGES, 200)),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(REPORTS_PAGES, 200)),
    },
    "reports:detail": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_PACK_READERS, 200))},
    "reports:download": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_PACK_READERS, 200))},
    "reports:download-csv": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_PACK_READERS, 200))},
    # Trying a failed run again is a POST alone; it queues the run and goes back to its page.
    "reports:retry": {
        "GET": row(405, anonymous=SIGN_IN_FIRST),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_PACK_READERS, 302)),
    },
    "reports:referrals-dashboard": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, manager_own=200, manager_other=200)
    },
    # A person's referrals: the team reads them; referring belongs to the case team and managers
    # (the world's person has no case team, so only the manager). Empty POSTs re-show the form.
    "partners:nominal-referrals": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200))},
    **{
        name: {
            "GET": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
            "POST": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
        }
        for name in ("partners:referral-create", "partners:record-no-service")
    },
    "partners:team-referrals": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200))},
    "partners:referral-detail": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_OWN, 200))},
    "partners:referral-edit": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
    },
    # Sending the (complete) draft is one click after the confirmation page: the POST sends and redirects.
    "partners:referral-send": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 302}),
    },
    "partners:referral-withdraw": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
        "POST": row(404, anonymous=SIGN_IN_FIRST, **{**each(TEAM_OWN, 403), "manager_own": 200}),
    },
    # Referrals to us: every partner has an inbox, holding only referrals to their organisation. A
    # referral's pages answer its recipient alone, and only until it closes.
    "partners:inbox": {"GET": row(404, anonymous=SIGN_IN_FIRST, **each(PARTNERS, 200))},
    "partners:inbox-detail": {"GET": row(404, anonymous=SIGN_IN_FIRST, partner_referred=200)},
    # Accepting needs no input: the POST accepts and redirects.
    "partners:accept": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, partner_referred=200),
        "POST": row(404, anonymous=SIGN_IN_FIRST, partner_referred=302),
    },
    **{
        name: {
            "GET": row(404, anonymous=SIGN_IN_FIRST, partner_referred=200),
            "POST": row(404, anonymous=SIGN_IN_FIRST, partner_referred=200),
        }
        for name in (
            "partners:decline",
            "partners:add-update",
            "partners:record-session",
            "partners:complete",
        )
    },
    # The directory holds no case records: everyone with a caseload reads it; managers and
    # administrators keep it.
    "partners:directory": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200), administrator=200)
    },
    "partners:service-detail": {
        "GET": row(404, anonymous=SIGN_IN_FIRST, **each(TEAM_ALL, 200), administrator=200)
    },
    **{
        name: {
            method: row(
                404,
                anonymous=SIGN_IN_FIRST,
                **{**each(TEAM_ALL, 403), "manager_own": 200, "manager_other": 200, "administrator": 200},
            )
            for method in ("GET", "POST")
        }
        for name in ("partners:service-create", "partners:service-edit", "partners:organisation-create")
    },
}
# Each area's own rows (tests/permission_rows/<area>.py): ROWS and a url_for for its names.
AREAS = [
    importlib.import_module(f"tests.permission_rows.{module.name}")
    for module in pkgutil.iter_modules(permission_rows.__path__)
    if module.name != "common"
]
for _area in AREAS:
    assert not set(_area.ROWS) & set(MATRIX), f"{_area.__name__} repeats rows of the matrix"
    MATRIX.update(_area.ROWS)

# The admin site has its own matrix of permissions (staff only), checked at its front door.
ADMIN_INDEX = row(302, administrator=200)


def _url_kwargs(name: str) -> set[str]:
    namespace, _, short = name.partition(":")
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == namespace:
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern) and inner.name == short:
                    return set(inner.pattern.regex.groupindex)
    return set()


def all_url_names(patterns=None, namespace="") -> set[str]:
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            # The admin site is checked at its door (ADMIN_INDEX); the API has its own matrix
            # (tests/api/test_api_permission_matrix.py), with a row per endpoint.
            if pattern.namespace in ("admin", "api"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= all_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_has_a_row():
    assert all_url_names() == set(MATRIX)


def url_for(name: str, world, user=None) -> str:
    for area in AREAS:
        if name in area.ROWS:
            url = area.url_for(name, world, user)
            assert url is not None, f"{area.__name__} has a row for {name} but no URL"
            return url
    if name == "account:api-token-revoke":
        holder = user if user is not None else member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
        issued = core_services.create_api_token(actor=holder, name="Force data feed", lifetime_days=30)
        return reverse(name, args=[issued.token.pk])
    if name == "cohorts:tracker-import-confirm":
        # The upload belongs to the own team's manager: the actor when that is who asks.
        uploader = (
            user
            if user is not None and access.can_manage_team(user, world.own_team.pk)
            else member(Role.MANAGER, team=world.own_team)
        )
        stored, _ = importer.receive_tracker(
            actor=uploader,
            team=world.own_team,
            upload=SimpleUploadedFile("tracker.csv", b"Given name,Family name\r\nAmy,Bell\r\n"),
        )
        return reverse(name, args=[stored.token])
    if name == "cohorts:panel-decision":
        proposal = CohortMembership.objects.create(
            nominal=world.nominal,
            cohort="fixed",
            proposed_by=UserFactory.create(),
            proposed_on=datetime.date(2026, 11, 2),
            proposal_reason="Persistent burglary",
        )
        return reverse(name, args=[proposal.pk])
    if name == "cohorts:need-update":
        return reverse(name, args=[world.nominal.pk, "accommodation"])
    if name == "cohorts:goal-update":
        goal = Goal.objects.create(
            nominal=world.nominal,
            in_their_words="Get my own flat",
            set_on=datetime.date(2026, 11, 2),
            recorded_by=UserFactory.create(),
        )
        return reverse(name, args=[world.nominal.pk, goal.pk])
    if name == "cohorts:cohort-review":
        CohortMembership.objects.create(
            nominal=world.nominal,
            cohort="fixed",
            status="active",
            proposed_by=UserFactory.create(),
            proposed_on=datetime.date(2026, 1, 5),
            proposal_reason="Persistent burglary",
            entry_date=datetime.date(2026, 1, 5),
            review_due=datetime.date(2026, 4, 5),
        )
    if "contact_id" in _url_kwargs(name):
        # A planned appointment of the world's person, due yesterday, so its outcome is needed.
        appointment = ContactFactory.create(
            nominal=world.nominal, outcome="", date=timezone.localdate() - datetime.timedelta(days=1)
        )
        return reverse(name, args=[appointment.pk])
    if "referral_id" in _url_kwargs(name):
        return reverse(name, args=[referral_for(name, world).pk])
    if "service_id" in _url_kwargs(name):
        return reverse(name, args=[PartnerServiceFactory.create(name="Housing advice").pk])
    if name.startswith(("cohorts:", "supervision:", "partners:")) and "nominal_id" in _url_kwargs(name):
        return reverse(name, args=[world.nominal.pk])
    if name.startswith("reports:") and "report_run_id" in _url_kwargs(name):
        return reverse(name, args=[team_pack_for(name, world).pk])
    return reverse(name)


def team_pack_for(name: str, world) -> ReportRun:
    """The own team's October pack: failed for the retry URL, built (with both files) for the others."""
    run = ReportRunFactory.create(kind="team_pack", region=world.region, team=world.own_team)
    if name == "reports:retry":
        run.status, run.failure_reason = ReportRun.Status.FAILED, "The report could not be built."
    else:
        run.status = ReportRun.Status.SUCCEEDED
        run.file.save(f"matrix-run-{run.pk}.pdf", ContentFile(b"%PDF-1.7"), save=False)
        run.csv_file.save(f"matrix-run-{run.pk}-tables.zip", ContentFile(b"PK\x03\x04"), save=False)
    run.save()
    return run


CASES = [
    (name, method, actor, status)
    for name, methods in MATRIX.items()
    for method, statuses in methods.items()
    for actor, status in statuses.items()
]


@pytest.mark.parametrize(("name", "method", "actor", "status"), CASES)
def test_permission_matrix(client, name, method, actor, status):
    world = build_world()
    user = ACTORS[actor](world)
    if user is not None:
        client.force_login(user)
    url = url_for(name, world, user)
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == status, f"{method} {url} as {actor}"


# Restricted cases (DESIGN §3): when the world's person is a restricted case with nobody on its
# allow-list, every URL of their record (a URL naming them, their contact, referral or proposal)
# answers 404 to everyone signed in; the rest of the service is unchanged. Area modules may say
# otherwise for a URL in RESTRICTED_ROWS (the break-glass page is for exactly this case).
RECORD_KWARGS = frozenset({"nominal_id", "contact_id", "referral_id", "membership_id"})
RESTRICTED_ROWS: dict[str, dict[str, dict[str, int]]] = {}
for _area in AREAS:
    RESTRICTED_ROWS.update(getattr(_area, "RESTRICTED_ROWS", {}))


def restricted_status(name: str, method: str, actor: str, status: int) -> int:
    if name in RESTRICTED_ROWS:
        return RESTRICTED_ROWS[name][method][actor]
    if actor == "anonymous" or not (_url_kwargs(name) & RECORD_KWARGS):
        return status
    return 404


RESTRICTED_CASES = [
    (name, method, actor, restricted_status(name, method, actor, status))
    for name, method, actor, status in CASES
]
# Named users on the allow-list open the record as they would any other.
ALLOW_LISTED = ("police_own", "manager_own")
ALLOW_LISTED_CASES = [
    (name, method, actor, status)
    for name, method, actor, status in CASES
    if actor in ALLOW_LISTED and _url_kwargs(name) & RECORD_KWARGS and name not in RESTRICTED_ROWS
]


def _restrict(world, *, allow=()) -> None:
    world.nominal.access_restricted = True
    world.nominal.save(update_fields=["access_restricted"])
    for user in allow:
        CaseAccessGrant.objects.create(
            nominal_id=world.nominal.pk, user=user, kind="allow_list", granted_by=user
        )


@pytest.mark.parametrize(("name", "method", "actor", "status"), RESTRICTED_CASES)
def test_permission_matrix_on_a_restricted_case(client, name, method, actor, status):
    world = build_world()
    user = ACTORS[actor](world)
    if user is not None:
        client.force_login(user)
    url = url_for(name, world, user)  # built first: the services that build it would refuse afterwards
    _restrict(world)
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == status, f"{method} {url} as {actor} on a restricted case"


@pytest.mark.parametrize(("name", "method", "actor", "status"), ALLOW_LISTED_CASES)
def test_permission_matrix_for_the_allow_list(client, name, method, actor, status):
    world = build_world()
    user = ACTORS[actor](world)
    client.force_login(user)
    url = url_for(name, world, user)
    _restrict(world, allow=[user])
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == status, f"{method} {url} as {actor} on the allow-list"


def test_denied_attempts_on_a_restricted_case_are_logged(client):
    world = build_world()
    user = ACTORS["police_own"](world)
    client.force_login(user)
    _restrict(world)
    assert client.get(reverse("cohorts:nominal-detail", args=[world.nominal.pk])).status_code == 404
    denied = AuditEvent.objects.get(action="nominal.access_denied", actor=user)
    assert denied.nominal_id == world.nominal.pk


@pytest.mark.parametrize(("actor", "status"), ADMIN_INDEX.items())
def test_administration_is_for_administrators(client, actor, status):
    world = build_world()
    user = ACTORS[actor](world)
    if user is not None:
        client.force_login(user)
    assert client.get("/admin/").status_code == status


# Police intelligence notes: who may read one, on the contact and on the timeline (DESIGN §3).
NOTE_READERS = {
    **row(404, anonymous=SIGN_IN_FIRST),
    **each(TEAM_OWN, 200),
}
POLICE_NOTE = "Seen with two known burglars outside the pawn shop"


@pytest.mark.parametrize(("actor", "status"), NOTE_READERS.items())
def test_police_intelligence_notes_are_for_police_in_the_team(client, actor, status):
    world = build_world()
    user = ACTORS[actor](world)
    if user is not None:
        client.force_login(user)
    contact = ContactFactory.create(nominal=world.nominal, sensitivity="police", notes=POLICE_NOTE)
    detail = client.get(reverse("supervision:contact-detail", args=[contact.pk]))
    assert detail.status_code == status
    readable = user is not None and access.sees_police_intelligence(user, world.nominal)
    assert (POLICE_NOTE in detail.content.decode()) is (status == 200 and readable)
    # Only the team's police officer reads it; probation, support workers and managers from
    # other agencies see that a note exists, and partners see nothing at all.
    assert readable is (actor == "police_own")
