"""A service's page in the partner directory."""

import pytest

from cohorts.models import Pathway
from iom.core.models import Role
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, PartnerService
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db


def url(service: PartnerService) -> str:
    return f"/directory/services/{service.pk}/"


def test_it_shows_everything_about_the_service(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team, full_name="Mo Manager")
    service = PartnerServiceFactory.create(
        organisation=PartnerOrganisationFactory.create(name="Northshire Housing Trust"),
        name="Tenancy support",
        description="Finds and keeps tenancies.",
        pathways=[Pathway.ACCOMMODATION, Pathway.FINANCE],
        region=world.region,
        area_covered="City centre",
        eligibility="Adults leaving custody",
        how_to_refer="Call first if the person is in custody",
        typical_wait_days=1,
        capacity=Capacity.LIMITED,
        response_working_days=4,
        referral_email="referrals@housing.example.org",
        updated_by=manager,
    )
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.get(url(service))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Northshire Housing Trust",
        '<h1 class="govuk-heading-l">Tenancy support</h1>',
        "Finds and keeps tenancies.",
        "<li>Accommodation</li>",
        "<li>Finance, benefit and debt</li>",
        "Adults leaving custody",
        "Call first if the person is in custody",
        "City centre",
        "Northshire",
        "1 day",
        '<strong class="govuk-tag govuk-tag--yellow">Limited capacity</strong>',
        "Accepts or declines within 4 working days",
        "mailto:referrals@housing.example.org",
        "by Mo Manager",
    ):
        assert text in html
    assert "/edit/" not in html


def test_a_service_for_every_region_says_so(client):
    world = build_world()
    service = PartnerServiceFactory.create(region=None, referral_email="", typical_wait_days=None)
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    html = client.get(url(service)).content.decode()
    assert "Every region" in html
    assert "Sent to the organisation's staff" in html
    assert "Not known" in html


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMINISTRATOR])
def test_directory_managers_see_the_edit_button(client, role):
    world = build_world()
    service = PartnerServiceFactory.create()
    client.force_login(member_of_world(role, world))
    assert f'href="/directory/services/{service.pk}/edit/"' in client.get(url(service)).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.POLICE_OFFENDER_MANAGER, 200),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, 200),
        (Role.MANAGER, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.PARTNER, 404),
        (Role.REGIONAL_LEAD, 404),
        (Role.NATIONAL, 404),
    ],
)
def test_who_may_read_a_service(client, role, status):
    world = build_world()
    service = PartnerServiceFactory.create()
    client.force_login(member_of_world(role, world))
    assert client.get(url(service)).status_code == status


def test_a_missing_service_is_not_found(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert client.get("/directory/services/999999/").status_code == 404


def test_a_service_no_longer_listed_is_not_found_by_frontline_workers(client):
    world = build_world()
    service = PartnerServiceFactory.create(is_active=False)
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert client.get(url(service)).status_code == 404


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMINISTRATOR])
def test_directory_managers_still_see_a_service_no_longer_listed(client, role):
    world = build_world()
    service = PartnerServiceFactory.create(is_active=False)
    client.force_login(member_of_world(role, world))
    response = client.get(url(service))
    assert response.status_code == 200
    assert "This service is no longer listed in the directory" in response.content.decode()


def test_the_query_count(client, django_assert_num_queries):
    world = build_world()
    service = PartnerServiceFactory.create(
        pathways=[Pathway.ACCOMMODATION, Pathway.HEALTH], updated_by=member(Role.MANAGER, team=world.own_team)
    )
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    # session, user, memberships, the service (organisation, region, updated by), its pathways
    with django_assert_num_queries(5):
        assert client.get(url(service)).status_code == 200
