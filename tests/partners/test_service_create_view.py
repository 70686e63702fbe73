"""Adding a service to the partner directory."""

import pytest

from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, Organisation, Role
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, PartnerService
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db

URL = "/directory/services/new/"


def valid(runner: Organisation, **changes) -> dict:
    payload = {
        "organisation": str(runner.pk),
        "name": "Tenancy support",
        "description": "Finds and keeps tenancies.",
        "pathways": ["accommodation", "finance"],
        "region": "",
        "area_covered": "Northshire",
        "eligibility": "Adults on an IOM cohort",
        "how_to_refer": "",
        "typical_wait_days": "14",
        "capacity": "open",
        "response_working_days": "5",
        "referral_email": "referrals@housing.example.org",
    }
    payload.update(changes)
    return payload


def manager(world=None):
    world = world or build_world()
    return member(Role.MANAGER, team=world.own_team)


def test_the_form_offers_partner_organisations_pathways_regions_and_capacity(client):
    world = build_world()
    PartnerOrganisationFactory.create(name="Keyring")
    OrganisationFactory.create(name="Northshire Police", kind=Organisation.Kind.POLICE_FORCE)
    client.force_login(manager(world))

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Add a service" in html
    form = response.context["form"]
    assert [label for _, label in form.fields["organisation"].choices] == [
        "Select the organisation",
        "Keyring",
    ]
    assert 'type="checkbox" value="accommodation"' in html
    assert '<option value="" selected>Every region</option>' in html
    assert 'type="radio" value="waiting_list"' in html
    assert "is_active" not in form.fields  # a new service is listed from the start


def test_a_manager_adds_a_service(client):
    world = build_world()
    user = manager(world)
    housing = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
    client.force_login(user)

    response = client.post(URL, valid(housing, region=str(world.region.pk)), follow=True)

    service = PartnerService.objects.get()
    assert response.redirect_chain == [(f"/directory/services/{service.pk}/", 302)]
    assert "Tenancy support added to the directory" in response.content.decode()
    assert (service.organisation, service.region, service.capacity, service.typical_wait_days) == (
        housing,
        world.region,
        Capacity.OPEN,
        14,
    )
    assert sorted(service.pathways.values_list("pathway", flat=True)) == ["accommodation", "finance"]
    assert (service.updated_by, service.is_active) == (user, True)
    event = AuditEvent.objects.get(action="partner_service.created")
    assert (event.actor, event.target_id, event.detail) == (
        user,
        str(service.pk),
        {"pathways": ["accommodation", "finance"]},
    )


def test_an_administrator_may_add_a_service(client):
    housing = PartnerOrganisationFactory.create()
    client.force_login(member(Role.ADMINISTRATOR))
    assert client.post(URL, valid(housing)).status_code == 302
    assert PartnerService.objects.count() == 1


def test_the_organisation_just_added_is_chosen_already(client):
    housing = PartnerOrganisationFactory.create()
    client.force_login(manager())
    form = client.get(URL, {"organisation": housing.pk}).context["form"]
    assert form.initial["organisation"] == housing.pk


def test_an_organisation_that_is_no_partner_is_not_chosen_from_the_address(client):
    police = OrganisationFactory.create(kind=Organisation.Kind.POLICE_FORCE)
    client.force_login(manager())
    form = client.get(URL, {"organisation": police.pk}).context["form"]
    assert "organisation" not in form.initial


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"organisation": ""}, "organisation", "Select the partner organisation that runs the service"),
        ({"name": "  "}, "name", "Enter the name of the service"),
        ({"pathways": []}, "pathways_0", "Select at least one pathway the service works on"),
        ({"pathways": ["astrology"]}, "pathways_0", "Select pathways from the list"),
        ({"area_covered": ""}, "area_covered", "Enter the area the service covers"),
        ({"eligibility": ""}, "eligibility", "Enter who the service is for"),
        (
            {"typical_wait_days": "two weeks"},
            "typical_wait_days",
            "The typical waiting time must be a whole number of days, like 10",
        ),
        (
            {"typical_wait_days": "731"},
            "typical_wait_days",
            "The typical waiting time must be between 0 and 730 days",
        ),
        (
            {"typical_wait_days": "-1"},
            "typical_wait_days",
            "The typical waiting time must be between 0 and 730 days",
        ),
        ({"capacity": ""}, "capacity_0", "Select whether the service is taking referrals"),
        ({"capacity": "full"}, "capacity_0", "Select whether the service is taking referrals"),
        (
            {"response_working_days": ""},
            "response_working_days",
            "Enter the time to accept or decline, like 5",
        ),
        (
            {"response_working_days": "0"},
            "response_working_days",
            "The time to accept or decline must be between 1 and 30 days",
        ),
        (
            {"response_working_days": "31"},
            "response_working_days",
            "The time to accept or decline must be between 1 and 30 days",
        ),
        (
            {"referral_email": "housing at example"},
            "referral_email",
            "Enter an email address in the correct format, like housing@example.org",
        ),
        ({"region": "999999"}, "region", "Select a region from the list, or every region"),
    ],
)
def test_bad_input_is_explained_against_its_field_and_nothing_is_saved(client, changes, field, message):
    housing = PartnerOrganisationFactory.create()
    client.force_login(manager())

    response = client.post(URL, valid(housing, **changes))

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'<a href="#id_{field}">{message}</a>' in html
    assert not PartnerService.objects.exists()
    assert not AuditEvent.objects.filter(action="partner_service.created").exists()


def test_a_police_force_cannot_be_chosen(client):
    police = OrganisationFactory.create(kind=Organisation.Kind.POLICE_FORCE)
    client.force_login(manager())
    html = client.post(URL, valid(police)).content.decode()
    assert '<a href="#id_organisation">Select a partner organisation from the list</a>' in html
    assert not PartnerService.objects.exists()


def test_a_second_service_with_the_same_name_is_refused_with_a_clear_message(client):
    housing = PartnerOrganisationFactory.create(name="Keyring")
    PartnerServiceFactory.create(organisation=housing, name="Tenancy support")
    client.force_login(manager())

    html = client.post(URL, valid(housing)).content.decode()

    assert '<a href="#id_name">Keyring already lists a service called Tenancy support</a>' in html
    assert PartnerService.objects.count() == 1


def test_another_organisation_may_use_the_same_service_name(client):
    PartnerServiceFactory.create(name="Tenancy support")
    client.force_login(manager())
    assert client.post(URL, valid(PartnerOrganisationFactory.create())).status_code == 302
    assert PartnerService.objects.filter(name="Tenancy support").count() == 2


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER, Role.SUPPORT_WORKER]
)
def test_frontline_workers_may_read_the_directory_but_not_add_to_it(client, role):
    world = build_world()
    housing = PartnerOrganisationFactory.create()
    client.force_login(member(role, team=world.own_team))
    assert client.get(URL).status_code == 403
    assert client.post(URL, valid(housing)).status_code == 403
    assert not PartnerService.objects.exists()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL])
def test_people_who_do_not_use_the_directory_find_nothing(client, role):
    world = build_world()
    housing = PartnerOrganisationFactory.create()
    client.force_login(member_of_world(role, world))
    assert client.get(URL).status_code == 404
    assert client.post(URL, valid(housing)).status_code == 404
    assert not PartnerService.objects.exists()
