"""Partner staff find only "Referrals to us"; IOM teams find their referrals and the directory."""

import pytest

from iom.core.models import Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def navigation(response) -> list[str]:
    return [item["text"] for item in response.context["primary_navigation"]]


def test_a_partner_starts_at_their_referrals_and_sees_nothing_else_in_the_navigation(client):
    client.force_login(member(Role.PARTNER))

    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/referrals-to-us/", 302)]
    assert navigation(response) == ["Referrals to us"]
    current = [item["text"] for item in response.context["primary_navigation"] if item["current"]]
    assert current == ["Referrals to us"]


def test_a_team_member_sees_referrals_and_the_partner_directory_but_not_referrals_to_us(client):
    world = build_world()
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))

    items = navigation(client.get("/", follow=True))

    assert "Referrals" in items
    assert "Partner directory" in items
    assert "Referrals to us" not in items


def test_a_partner_cannot_reach_the_caseload(client):
    client.force_login(member(Role.PARTNER))
    assert client.get("/people/").status_code == 404
