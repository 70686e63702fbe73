"""Insecure direct object references: an id in a URL reaches only what the asker may see.

Every URL pattern with an object id, pages and API, is found from the resolver. Each id names an
object of the other team (another organisation's referral, another user's token, another region's
report run), and the own team's users, the recipient partner and the region's lead ask for it with
every method the page takes: 404 each time, as if it did not exist, and the object is unchanged. A
URL with both a person and one of their things is tried with the own person and the other's thing
too. A new id kwarg fails `test_every_id_kwarg_has_a_builder` until it has a builder below.
"""

import datetime
import itertools
from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts import importer
from cohorts.models import CohortMembership, Goal
from iom.core import services as core_services
from iom.core.models import CaseAccessGrant, Role
from partners import services as partner_services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory, ReferralFactory
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from supervision.factories import ContactFactory
from tests.actors import World, build_world, member
from tests.api.clients import problem_of, token_client
from tests.api.test_api_permission_matrix import OWNER
from tests.permission_rows.common import TEAM_OWN
from tests.security.common import ACTORS, MATRIX, built_subject_access_export, patterns_by_name, row_counts

pytestmark = pytest.mark.django_db

# Who asks: the own team, in every role; the partner the world's referral went to; and, for report
# runs (the only records a regional lead opens), the own region's lead.
ASKERS = (*TEAM_OWN, "partner_referred")
REPORT_ASKERS = (*ASKERS, "regional_own")


def _contact(world: World, nominal) -> models.Model:
    # Planned and due yesterday, so every appointment URL would act on it.
    return ContactFactory.create(
        nominal=nominal, outcome="", date=timezone.localdate() - datetime.timedelta(days=1)
    )


def _referral(world: World, nominal) -> models.Model:
    """Sent to and accepted by an organisation of its own: neither the world's recipient nor the team."""
    organisation = PartnerOrganisationFactory.create(name=f"Elsewhere {nominal.pk}")
    service = PartnerServiceFactory.create(organisation=organisation, name="Hostel")
    referrer = member(Role.MANAGER, team=nominal.team)
    referral = ReferralFactory.create(nominal=nominal, service=service, referred_by=referrer)
    partner_services.send_referral(actor=referrer, referral=referral)
    partner_services.accept_referral(actor=member(Role.PARTNER, organisation=organisation), referral=referral)
    return referral


def _membership(world: World, nominal) -> models.Model:
    return CohortMembership.objects.create(
        nominal=nominal,
        cohort="fixed",
        proposed_by=member(Role.PROBATION_PRACTITIONER, team=nominal.team),
        proposed_on=timezone.localdate(),
        proposal_reason="Persistent burglary",
    )


def _goal(world: World, nominal) -> models.Model:
    return Goal.objects.create(
        nominal=nominal,
        in_their_words="Get my own flat",
        set_on=timezone.localdate(),
        recorded_by=member(Role.MANAGER, team=nominal.team),
    )


def _report_run(world: World, nominal) -> models.Model:
    """Another region's pack, built: no one in the own region or team reads it."""
    run = ReportRunFactory.create(kind="regional_pack", region=world.other_region, team=None)
    run.status = ReportRun.Status.SUCCEEDED
    run.file.save(f"other-{run.pk}.pdf", ContentFile(b"%PDF-1.7"), save=False)
    run.csv_file.save(f"other-{run.pk}.zip", ContentFile(b"PK\x03\x04"), save=False)
    run.save()
    return run


def _api_token(world: World, nominal) -> models.Model:
    holder = member(Role.POLICE_OFFENDER_MANAGER, team=nominal.team)
    return core_services.create_api_token(actor=holder, name="Someone else's", lifetime_days=30).token


def _tracker_token(world: World, nominal) -> str:
    stored, _ = importer.receive_tracker(
        actor=member(Role.MANAGER, team=nominal.team),
        team=nominal.team,
        upload=SimpleUploadedFile("tracker.csv", b"Given name,Family name\r\nAmy,Bell\r\n"),
    )
    return stored.token


def _nominal(world: World, nominal) -> models.Model:
    return nominal


def _allow_listed_user(world: World, nominal) -> models.Model:
    """A member of the person's team named on their allow-list."""
    user = member(Role.POLICE_OFFENDER_MANAGER, team=nominal.team)
    CaseAccessGrant.objects.create(nominal_id=nominal.pk, user=user, kind="allow_list", granted_by=user)
    return user


def _subject_access_export(world: World, nominal) -> models.Model:
    return built_subject_access_export(nominal)


# An id kwarg -> how to build its object for a person (the other team's, for the attack).
BUILDERS: dict[str, Callable[[World, models.Model], object]] = {
    "nominal_id": _nominal,
    "contact_id": _contact,
    "referral_id": _referral,
    "membership_id": _membership,
    "goal_id": _goal,
    "report_run_id": _report_run,
    "token_id": _api_token,
    "user_id": _allow_listed_user,
    "export_id": _subject_access_export,
}
# Per URL, where a kwarg's name alone does not say what it holds.
URL_BUILDERS: dict[str, dict[str, Callable[[World, models.Model], object]]] = {
    "cohorts:tracker-import-confirm": {"token": _tracker_token},
}
# Kwargs that name no object in the database. A token does, so each URL with one needs a builder.
NOT_IDS = {"pathway", "export_format"}
# The directory is open to everyone who uses it: a service's id reaches no person's record.
OPEN_TO_ALL = {"service_id"}
# Fixed values for the kwargs that are not ids.
FIXED = {"pathway": "accommodation", "export_format": "pdf"}
# A password-reset link's uid and token prove who it is for; they are tested with the reset pages.
NOT_OBJECT_URLS = {"password-reset-confirm"}

PATTERNS = patterns_by_name()


def _ids(name: str) -> set[str]:
    pattern = PATTERNS[name]
    special = set(URL_BUILDERS.get(name, {}))
    return {kwarg for kwarg in pattern.kwargs if kwarg not in NOT_IDS or kwarg in special} - OPEN_TO_ALL


def _builder(name: str, kwarg: str):
    return URL_BUILDERS.get(name, {}).get(kwarg) or BUILDERS[kwarg]


PAGE_URLS = sorted(
    name
    for name, pattern in PATTERNS.items()
    if not name.startswith("api:") and name not in NOT_OBJECT_URLS and _ids(name)
)


def test_every_id_kwarg_has_a_builder():
    unknown = {
        (name, kwarg)
        for name, pattern in PATTERNS.items()
        if not name.startswith("api:") and name not in NOT_OBJECT_URLS
        for kwarg in pattern.kwargs
        if kwarg not in BUILDERS
        and kwarg not in NOT_IDS | OPEN_TO_ALL
        and kwarg not in URL_BUILDERS.get(name, {})
    }
    assert not unknown, "add a builder for these kwargs (or say why they are no object's id)"
    assert {"cohorts:nominal-detail", "supervision:contact-detail", "reports:download"} <= set(PAGE_URLS)


def _methods(name: str) -> list[str]:
    """The methods the page answers (405 for the rest, before any lookup)."""
    rows = MATRIX.get(name, {"GET": {}})
    return [
        method
        for method, statuses in rows.items()
        if any(status != 405 for actor, status in statuses.items() if actor != "anonymous")
    ]


def _snapshot(values: dict[str, object]) -> dict[str, object]:
    return {
        kwarg: type(value)._default_manager.filter(pk=value.pk).values().first()
        for kwarg, value in values.items()
        if isinstance(value, models.Model)
    }


def _pk(value: object) -> object:
    return value.pk if isinstance(value, models.Model) else value


def _combinations(name: str, world: World) -> list[dict[str, object]]:
    """Every way to name the other team's objects: all of them, and (for a URL with a person and a
    thing of theirs) the own person with the other's thing and the other person with the own thing."""
    ids = sorted(_ids(name))
    fixed = {kwarg: FIXED[kwarg] for kwarg in PATTERNS[name].kwargs if kwarg in FIXED}
    combos = []
    for sides in itertools.product(("own", "other"), repeat=len(ids)):
        if "other" not in sides:
            continue
        values: dict[str, object] = dict(fixed)
        for kwarg, side in zip(ids, sides, strict=True):
            nominal = world.nominal if side == "own" else world.other_nominal
            values[kwarg] = _builder(name, kwarg)(world, nominal)
        combos.append(values)
        if len(ids) == 1:
            break
    return combos


def _expected(name: str, method: str, actor: str, values: dict[str, object], world: World) -> set[int]:
    """404; or, when the URL names the asker's own person, the refusal the matrix gives them for
    that person (403: they may see the person but not do this), which comes before any lookup of
    the other's thing and so says nothing about it."""
    if values.get("nominal_id") == world.nominal and MATRIX[name][method][actor] == 403:
        return {403, 404}
    return {404}


@pytest.mark.parametrize("name", PAGE_URLS)
def test_another_teams_object_answers_404_to_every_method(name):
    world = build_world()
    clients = {}
    for actor in REPORT_ASKERS if "report_run_id" in PATTERNS[name].kwargs else ASKERS:
        clients[actor] = Client()
        clients[actor].force_login(ACTORS[actor](world))
    for values in _combinations(name, world):
        url = reverse(name, kwargs={kwarg: _pk(value) for kwarg, value in values.items()})
        before, rows = _snapshot(values), row_counts()
        for actor, client in clients.items():
            for method in _methods(name):
                response = client.get(url) if method == "GET" else client.post(url, {})
                expected = _expected(name, method, actor, values, world)
                assert response.status_code in expected, f"{method} {url} as {actor}"
        assert _snapshot(values) == before, f"{url} changed another team's object"
        assert row_counts() == rows


@pytest.mark.parametrize("name", PAGE_URLS)
def test_an_id_that_does_not_exist_answers_404(name):
    world = build_world()
    client = Client()
    client.force_login(ACTORS["manager_own"](world))
    pattern = PATTERNS[name]
    placeholder = 987654321
    fixed = {kwarg: FIXED[kwarg] for kwarg in pattern.kwargs if kwarg in FIXED}
    ints = pattern.int_kwargs & _ids(name)
    strings = (_ids(name) - ints) | {
        kwarg for kwarg in pattern.kwargs if kwarg not in ints and kwarg not in fixed
    }
    kwargs = {**fixed, **dict.fromkeys(ints, placeholder), **dict.fromkeys(strings, "nothing-here")}
    url = reverse(name, kwargs=kwargs)
    for missing in (str(placeholder), "0", "-1", "00", "1e3", "%20"):
        asked = url.replace(str(placeholder), missing) if ints else url
        for method in _methods(name):
            response = client.get(asked) if method == "GET" else client.post(asked, {})
            assert response.status_code == 404, f"{method} {asked}"


# The API ------------------------------------------------------------------------------------------

# An API URL name's prefix -> what its `pk` names.
API_PK = {
    "api:report-run-": "report_run_id",
    "api:contact-": "contact_id",
    "api:nominal-detail": "nominal_id",
    "api:cohort-membership-": "membership_id",
    "api:referral-": "referral_id",
    "api:partner-referral-": "referral_id",
}
API_OPEN_TO_ALL = ("api:partner-service-",)
API_URLS = sorted(
    name
    for name, pattern in PATTERNS.items()
    if name.startswith("api:") and pattern.kwargs - {"pathway"} and not name.startswith(API_OPEN_TO_ALL)
)


def _api_kwarg(name: str, kwarg: str) -> str:
    if kwarg != "pk":
        return kwarg
    return next(held for prefix, held in API_PK.items() if name.startswith(prefix))


def test_every_api_id_has_a_builder():
    for name in API_URLS:
        for kwarg in PATTERNS[name].kwargs - {"pathway"}:
            if kwarg == "pk":
                assert any(name.startswith(prefix) for prefix in API_PK), f"what does {name}'s pk name?"
            else:
                assert kwarg in BUILDERS, f"{name}: add a builder for {kwarg}"
    assert "api:nominal-detail" in API_URLS


@pytest.mark.parametrize("name", API_URLS)
def test_another_teams_object_answers_404_through_the_api(name):
    world = build_world()
    kwargs: dict[str, object] = {}
    objects: dict[str, object] = {}
    for kwarg in PATTERNS[name].kwargs:
        if kwarg == "pathway":
            kwargs[kwarg] = "accommodation"
            continue
        built = BUILDERS[_api_kwarg(name, kwarg)](world, world.other_nominal)
        objects[kwarg], kwargs[kwarg] = built, _pk(built)
    url = reverse(name, kwargs=kwargs)
    methods = list(OWNER[name].ENDPOINTS[name]) if name in OWNER else ["GET"]
    askers = REPORT_ASKERS if name.startswith("api:report-run") else ASKERS
    clients = {actor: token_client(ACTORS[actor](world)) for actor in askers}
    before, rows = _snapshot(objects), row_counts()
    for actor, client in clients.items():
        for method in methods:
            send = getattr(client, method.lower())
            response = send(url) if method in ("GET", "DELETE") else send(url, {}, format="json")
            if response.status_code == 405:
                continue  # the endpoint does not take this method (its matrix row says so too)
            assert response.status_code == 404, f"{method} {url} as {actor}: {response.content[:200]!r}"
            problem_of(response)
    assert _snapshot(objects) == before
    assert row_counts() == rows
