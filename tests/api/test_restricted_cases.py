"""Restricted cases through the API (DESIGN §3, docs/decisions/0013-restricted-cases.md): every
endpoint about one person (their record, memberships, facts, contacts and referrals, the partner's
view of a referral) answers 404 to anyone not on the person's allow-list, as the pages do, and as
usual to those on it; the lists leave the person out.

The calls are the API permission matrix's own (tests/api/matrix_<app>.py), so a new endpoint about a
person is checked here as soon as it has its row.
"""

import pytest
from rest_framework.test import APIClient

from iom.core.models import CaseAccessGrant
from tests.actors import build_world
from tests.api.clients import token_client
from tests.api.test_api_permission_matrix import CASES, OWNER
from tests.test_permission_matrix import ACTORS, PARTNERS, TEAM_OWN

pytestmark = pytest.mark.django_db

# Endpoints that are not about one person: lists (checked below), the caller, the directory, reports.
NOT_ABOUT_ONE_PERSON = {
    "api:me",
    "api:nominal-list",
    "api:diary-list",
    "api:referral-list",
    "api:partner-referral-list",
    "api:partner-service-list",
    "api:partner-service-detail",
    "api:report-run-list",
    "api:report-run-detail",
    "api:report-run-pdf",
    "api:report-run-csv",
    "api:report-run-retry",
}
# Who reaches a person's endpoints in the ordinary world: the own team, and partners for referrals.
ASKERS = (*TEAM_OWN, *PARTNERS)


def _cases():
    for case in CASES:
        name, method, actor, status = case.values
        if name in NOT_ABOUT_ONE_PERSON or actor not in ASKERS or status in (404, 405):
            continue
        yield pytest.param(name, method, actor, status, id=case.id)


RESTRICTABLE = list(_cases())


def _restrict(world, *, allow=()) -> None:
    world.nominal.access_restricted = True
    world.nominal.save(update_fields=["access_restricted"])
    for user in allow:
        CaseAccessGrant.objects.create(
            nominal_id=world.nominal.pk, user=user, kind="allow_list", granted_by=user
        )


def _send(user, call, method):
    client = token_client(user) if user is not None else APIClient()
    send = getattr(client, method.lower())
    if method in ("GET", "HEAD", "DELETE"):
        return send(call.url, **call.headers)
    return send(call.url, call.data if call.data is not None else {}, format="json", **call.headers)


def test_the_restricted_endpoints_are_found_from_the_matrix():
    names = {param.values[0] for param in RESTRICTABLE}
    assert {
        "api:nominal-detail",
        "api:contact-detail",
        "api:referral-detail",
        "api:partner-referral-detail",
    } <= names


@pytest.mark.parametrize(("name", "method", "actor", "status"), RESTRICTABLE)
def test_an_endpoint_about_a_restricted_person_is_not_found_by_anyone_off_the_allow_list(
    name, method, actor, status
):
    world = build_world()
    user = ACTORS[actor](world)
    call = OWNER[name].prepare(name, method, world, user)
    _restrict(world)
    response = _send(user, call, method)
    assert response.status_code == 404, f"{method} {call.url} as {actor}: {response.content[:300]!r}"


@pytest.mark.parametrize(
    ("name", "method", "actor", "status"), [param for param in RESTRICTABLE if param.values[2] in TEAM_OWN]
)
def test_an_endpoint_about_a_restricted_person_answers_as_usual_to_the_allow_list(
    name, method, actor, status
):
    world = build_world()
    user = ACTORS[actor](world)
    call = OWNER[name].prepare(name, method, world, user)
    _restrict(world, allow=[user])
    response = _send(user, call, method)
    assert response.status_code == status, f"{method} {call.url} as {actor}: {response.content[:300]!r}"


@pytest.mark.parametrize(
    ("name", "actor"), [("api:nominal-list", "police_own"), ("api:diary-list", "police_own")]
)
def test_the_lists_leave_out_a_restricted_person_for_anyone_off_the_allow_list(name, actor):
    world = build_world()
    user = ACTORS[actor](world)
    call = OWNER[name].prepare(name, "GET", world, user)
    _restrict(world)
    response = _send(user, call, "GET")
    assert response.status_code == 200
    assert "Robson" not in response.content.decode()


def test_the_nominal_list_shows_a_restricted_person_to_the_allow_list():
    world = build_world()
    user = ACTORS["police_own"](world)
    call = OWNER["api:nominal-list"].prepare("api:nominal-list", "GET", world, user)
    _restrict(world, allow=[user])
    assert "Robson" in _send(user, call, "GET").content.decode()
