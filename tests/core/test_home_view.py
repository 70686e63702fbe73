import pytest

from iom.core.models import Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "scope", "destination"),
    [
        (Role.POLICE_OFFENDER_MANAGER, "team", "/people/"),
        (Role.MANAGER, "team", "/people/"),
        (Role.REGIONAL_LEAD, "region", "/reports/"),
        (Role.NATIONAL, None, "/reports/"),
    ],
)
def test_each_role_starts_where_its_work_is(client, role, scope, destination):
    world = build_world()
    client.force_login(
        member(
            role,
            team=world.own_team if scope == "team" else None,
            region=world.region if scope == "region" else None,
        )
    )
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, destination)


def test_a_partner_sees_an_empty_referrals_page(client):
    client.force_login(member(Role.PARTNER))
    response = client.get("/")
    assert response.status_code == 200
    assert b"No people have been referred to" in response.content


def test_an_administrator_is_pointed_to_administration_and_told_it_gives_no_case_access(client):
    client.force_login(member(Role.ADMINISTRATOR))
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html
    assert "does not give access to the records" in html


@pytest.mark.parametrize(
    ("role", "scope", "expected"),
    [
        (Role.PROBATION_PRACTITIONER, "team", ["Caseload"]),
        (Role.REGIONAL_LEAD, "region", ["Governance reports"]),
        (Role.NATIONAL, None, ["Governance reports"]),
        (Role.ADMINISTRATOR, None, ["Administration"]),
        (Role.PARTNER, None, []),
    ],
)
def test_primary_navigation_follows_the_role(client, role, scope, expected):
    world = build_world()
    client.force_login(
        member(
            role,
            team=world.own_team if scope == "team" else None,
            region=world.region if scope == "region" else None,
        )
    )
    response = client.get("/", follow=True)
    assert [item["text"] for item in response.context["primary_navigation"]] == expected
