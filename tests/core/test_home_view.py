import pytest

from iom.core.models import Role
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "destination"),
    [
        (Role.POLICE_OFFENDER_MANAGER, "/people/"),
        (Role.MANAGER, "/people/"),
        (Role.REGIONAL_LEAD, "/reports/"),
        (Role.NATIONAL, "/reports/"),
    ],
)
def test_each_role_starts_where_its_work_is(client, role, destination):
    world = build_world()
    client.force_login(member_of_world(role, world))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, destination)


def test_a_partner_starts_at_referrals_to_us(client):
    client.force_login(member(Role.PARTNER))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/referrals-to-us/")


def test_an_administrator_is_pointed_to_administration_and_told_it_gives_no_case_access(client):
    client.force_login(member(Role.ADMINISTRATOR))
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html
    assert "does not give access to the records" in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PROBATION_PRACTITIONER, ["Caseload", "Diary", "Referrals", "Partner directory"]),
        (
            Role.MANAGER,
            [
                "Caseload",
                "Diary",
                "Referrals",
                "Dashboard",
                "Panel",
                "Governance reports",
                "Partner directory",
                "Retention",
                "Audit",
            ],
        ),
        (Role.REGIONAL_LEAD, ["Governance reports"]),
        (Role.NATIONAL, ["Governance reports"]),
        (Role.ADMINISTRATOR, ["Partner directory", "Audit", "Administration"]),
        (Role.PARTNER, ["Referrals to us"]),
    ],
)
def test_primary_navigation_follows_the_role(client, role, expected):
    world = build_world()
    client.force_login(member_of_world(role, world))
    response = client.get("/", follow=True)
    assert [item["text"] for item in response.context["primary_navigation"]] == expected
