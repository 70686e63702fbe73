"""Adding a partner organisation to the directory, before its first service."""

import pytest

from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, Organisation, Role
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db

URL = "/directory/organisations/new/"


def test_the_form_offers_only_the_kinds_a_partner_can_be(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))

    response = client.get(URL)

    assert response.status_code == 200
    kinds = [value for value, _ in response.context["form"].fields["kind"].choices]
    assert kinds == ["local_authority", "health", "voluntary_community"]
    html = response.content.decode()
    assert 'value="police_force"' not in html
    assert "Not in one region" in html


def test_a_manager_adds_an_organisation_and_goes_on_to_its_first_service(client):
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)
    client.force_login(user)

    response = client.post(
        URL, {"name": "  Northshire   Housing Trust ", "kind": "local_authority", "region": world.region.pk}
    )

    organisation = Organisation.objects.get(name="Northshire Housing Trust")
    assert response.status_code == 302
    assert response["Location"] == f"/directory/services/new/?organisation={organisation.pk}"
    assert (organisation.kind, organisation.region) == (Organisation.Kind.LOCAL_AUTHORITY, world.region)
    event = AuditEvent.objects.get(action="partner_organisation.created")
    assert (event.actor, event.target_id) == (user, str(organisation.pk))

    page = client.get(response["Location"])
    assert "Northshire Housing Trust added. Now add the first service it offers" in page.content.decode()
    assert page.context["form"].initial["organisation"] == organisation.pk


def test_the_region_is_optional(client):
    client.force_login(member(Role.ADMINISTRATOR))
    response = client.post(URL, {"name": "Shelter Cymru", "kind": "voluntary_community", "region": ""})
    assert response.status_code == 302
    assert Organisation.objects.get(name="Shelter Cymru").region is None


def test_a_duplicate_name_is_refused_with_a_clear_message(client):
    world = build_world()
    OrganisationFactory.create(name="Keyring", kind=Organisation.Kind.VOLUNTARY_COMMUNITY)
    client.force_login(member(Role.MANAGER, team=world.own_team))

    response = client.post(URL, {"name": "keyring", "kind": "voluntary_community"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_name">There is already an organisation called keyring</a>' in html
    assert Organisation.objects.filter(name__iexact="keyring").count() == 1
    assert not AuditEvent.objects.filter(action="partner_organisation.created").exists()


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": " ", "kind": "health"}, "name", "Enter the organisation&#x27;s name"),
        ({"name": "Mind", "kind": ""}, "kind_0", "Select the kind of partner organisation"),
        ({"name": "Mind", "kind": "police_force"}, "kind_0", "Select the kind of partner organisation"),
        (
            {"name": "x" * 201, "kind": "health"},
            "name",
            "Name of the organisation must be 200 characters or fewer",
        ),
        ({"name": "Mind", "kind": "health", "region": "999999"}, "region", "Select a region from the list"),
    ],
)
def test_bad_input_is_explained(client, payload, field, message):
    client.force_login(member(Role.ADMINISTRATOR))
    response = client.post(URL, payload)
    assert response.status_code == 200
    assert f'<a href="#id_{field}">{message}</a>' in response.content.decode()
    assert not Organisation.objects.filter(name="Mind").exists()


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER, Role.YOUNG_ADULT_SUPPORT_WORKER]
)
def test_frontline_workers_get_403(client, role):
    world = build_world()
    client.force_login(member(role, team=world.own_team))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "Mind", "kind": "health"}).status_code == 403
    assert not Organisation.objects.filter(name="Mind").exists()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL])
def test_people_who_do_not_use_the_directory_get_404(client, role):
    world = build_world()
    client.force_login(member_of_world(role, world))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"name": "Mind", "kind": "health"}).status_code == 404
    assert not Organisation.objects.filter(name="Mind").exists()
