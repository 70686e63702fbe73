"""/api/v1/me/: who the caller is, so an integration can check its token."""

import pytest
from rest_framework.test import APIClient

from iom.core.models import Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, session_client, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"


def test_a_token_holder_sees_who_they_are_and_which_token_they_used():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Priya Shah")

    response = token_client(officer).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == officer.pk
    assert body["email"] == officer.email
    assert body["full_name"] == "Priya Shah"
    assert body["organisation_id"] == officer.organisation_id
    assert body["memberships"] == [
        {"role": "police_offender_manager", "team_id": world.own_team.pk, "region_id": None}
    ]
    assert body["token_name"] == "Tests"
    assert body["token_expires_at"]


def test_the_browser_session_has_no_token():
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)

    body = session_client(lead).get(URL).json()

    assert body["memberships"] == [{"role": "regional_lead", "team_id": None, "region_id": world.region.pk}]
    assert body["token_name"] is None
    assert body["token_expires_at"] is None


def test_answers_are_not_kept_by_any_cache():
    world = build_world()
    response = token_client(member(Role.MANAGER, team=world.own_team)).get(URL)

    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"no-store", "private"}


def test_anonymous_callers_are_asked_to_authenticate():
    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert problem_of(response)["detail"] == "Authentication credentials were not provided."


def test_it_is_read_only():
    world = build_world()
    response = token_client(member(Role.MANAGER, team=world.own_team)).post(URL, {})

    assert response.status_code == 405
    assert problem_of(response)["title"] == "Method Not Allowed"


def test_it_costs_the_same_few_queries_for_any_user(django_assert_num_queries):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    client.get(URL)  # the token's first use records last_used_at

    # The token with its holder; the holder's memberships.
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200
