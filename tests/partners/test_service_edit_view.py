"""Changing a service in the partner directory."""

import pytest

from cohorts.models import Pathway
from iom.core.models import AuditEvent, Role
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, PartnerService
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db


def url(service: PartnerService) -> str:
    return f"/directory/services/{service.pk}/edit/"


def as_posted(service: PartnerService, **changes) -> dict:
    """The form as it comes back unchanged, with some answers changed."""
    payload = {
        "organisation": str(service.organisation_id),
        "name": service.name,
        "description": service.description,
        "pathways": [row.pathway for row in service.pathways.all()],
        "region": "" if service.region_id is None else str(service.region_id),
        "area_covered": service.area_covered,
        "eligibility": service.eligibility,
        "how_to_refer": service.how_to_refer,
        "typical_wait_days": "" if service.typical_wait_days is None else str(service.typical_wait_days),
        "capacity": service.capacity,
        "response_working_days": str(service.response_working_days),
        "referral_email": service.referral_email,
        "is_active": "yes" if service.is_active else "no",
    }
    payload.update(changes)
    return payload


def housing_service(**fields) -> PartnerService:
    fields.setdefault("organisation", PartnerOrganisationFactory.create(name="Keyring"))
    return PartnerServiceFactory.create(name="Tenancy support", pathways=[Pathway.ACCOMMODATION], **fields)


def test_the_form_starts_from_the_service_as_it_is(client):
    world = build_world()
    service = housing_service(region=world.region, capacity=Capacity.LIMITED, typical_wait_days=12)
    client.force_login(member(Role.MANAGER, team=world.own_team))

    response = client.get(url(service))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Edit Tenancy support" in html
    assert "Your changes are recorded in the audit trail" in html
    assert 'value="accommodation" checked' in html
    assert f'<option value="{world.region.pk}" selected>Northshire</option>' in html
    assert 'value="limited" checked' in html
    assert 'value="12"' in html
    assert 'value="yes" checked' in html


def test_a_manager_changes_capacity_and_pathways_and_it_is_audited(client):
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)
    service = housing_service()
    client.force_login(user)

    response = client.post(
        url(service),
        as_posted(service, capacity="waiting_list", typical_wait_days="30", pathways=["finance", "families"]),
        follow=True,
    )

    assert response.redirect_chain == [(f"/directory/services/{service.pk}/", 302)]
    html = response.content.decode()
    assert "Changes saved: pathways served, typical waiting time in days, capacity" in html
    service.refresh_from_db()
    assert (service.capacity, service.typical_wait_days, service.updated_by) == (
        Capacity.WAITING_LIST,
        30,
        user,
    )
    assert sorted(service.pathways.values_list("pathway", flat=True)) == ["families", "finance"]
    event = AuditEvent.objects.get(action="partner_service.updated")
    assert (event.actor, event.target_id, event.detail) == (
        user,
        str(service.pk),
        {"changed": ["capacity", "typical_wait_days"], "pathways": ["families", "finance"]},
    )


def test_saving_without_changes_says_so_and_is_still_recorded(client):
    world = build_world()
    service = housing_service()
    client.force_login(member(Role.ADMINISTRATOR))
    response = client.post(url(service), as_posted(service), follow=True)
    assert "No changes to save" in response.content.decode()
    assert AuditEvent.objects.get(action="partner_service.updated").detail["changed"] == []
    assert world  # the administrator needs no team


def test_a_service_can_be_taken_out_of_the_directory_and_back(client):
    world = build_world()
    service = housing_service()
    client.force_login(member(Role.MANAGER, team=world.own_team))

    client.post(url(service), as_posted(service, is_active="no"))
    service.refresh_from_db()
    assert not service.is_active
    assert "Listed in the directory" in client.get(url(service)).content.decode()

    client.post(url(service), as_posted(service, is_active="yes"))
    service.refresh_from_db()
    assert service.is_active


def test_the_service_can_move_to_every_region(client):
    world = build_world()
    service = housing_service(region=world.region)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    client.post(url(service), as_posted(service, region=""))
    service.refresh_from_db()
    assert service.region is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the name of the service"),
        ({"pathways": []}, "pathways_0", "Select at least one pathway the service works on"),
        (
            {"response_working_days": "3.5"},
            "response_working_days",
            "The time to accept or decline must be a whole number of days, like 5",
        ),
        ({"is_active": ""}, "is_active_0", "Select whether the service is listed in the directory"),
    ],
)
def test_bad_input_is_explained_and_nothing_changes(client, changes, field, message):
    world = build_world()
    service = housing_service()
    client.force_login(member(Role.MANAGER, team=world.own_team))

    response = client.post(url(service), as_posted(service, capacity="closed", **changes))

    assert response.status_code == 200
    assert f'<a href="#id_{field}">{message}</a>' in response.content.decode()
    service.refresh_from_db()
    assert service.capacity == Capacity.OPEN
    assert not AuditEvent.objects.filter(action="partner_service.updated").exists()


def test_renaming_to_another_service_of_the_organisation_is_refused_clearly(client):
    world = build_world()
    service = housing_service()
    PartnerServiceFactory.create(organisation=service.organisation, name="Floating support")
    client.force_login(member(Role.MANAGER, team=world.own_team))

    response = client.post(url(service), as_posted(service, name="Floating support"))

    html = response.content.decode()
    assert '<a href="#id_name">Keyring already lists a service called Floating support</a>' in html
    service.refresh_from_db()
    assert service.name == "Tenancy support"


@pytest.mark.parametrize("role", [Role.POLICE_OFFENDER_MANAGER, Role.SUPPORT_WORKER])
def test_frontline_workers_get_403(client, role):
    world = build_world()
    service = housing_service()
    client.force_login(member(role, team=world.own_team))
    assert client.get(url(service)).status_code == 403
    assert client.post(url(service), as_posted(service, capacity="closed")).status_code == 403
    service.refresh_from_db()
    assert service.capacity == Capacity.OPEN


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL])
def test_people_who_do_not_use_the_directory_get_404(client, role):
    world = build_world()
    service = housing_service()
    client.force_login(member_of_world(role, world))
    assert client.get(url(service)).status_code == 404
    assert client.post(url(service), as_posted(service, capacity="closed")).status_code == 404
    service.refresh_from_db()
    assert service.capacity == Capacity.OPEN


def test_a_partners_own_staff_cannot_edit_their_service_here(client):
    service = housing_service()
    partner = member(Role.PARTNER, organisation=service.organisation)
    client.force_login(partner)
    assert client.get(url(service)).status_code == 404


def test_a_missing_service_is_not_found(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert client.get("/directory/services/999999/edit/").status_code == 404
