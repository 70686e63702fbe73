"""The services that keep the partner directory: organisations and their services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cohorts.models import Pathway
from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, Organisation, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, PartnerService
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "Tenancy support",
    "area_covered": "Northshire",
    "eligibility": "Adults on an IOM cohort",
}


def manager() -> User:
    return member(Role.MANAGER, team=build_world().own_team)


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# Organisations ----------------------------------------------------------------------------------


def test_a_manager_adds_a_partner_organisation_and_it_is_audited():
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)

    organisation = services.create_partner_organisation(
        actor=user, name="  Keyring ", kind=Organisation.Kind.VOLUNTARY_COMMUNITY, region=world.region
    )

    assert (organisation.name, organisation.kind, organisation.region) == (
        "Keyring",
        Organisation.Kind.VOLUNTARY_COMMUNITY,
        world.region,
    )
    event = AuditEvent.objects.get(action="partner_organisation.created")
    assert (event.actor, event.target_type, event.target_id) == (
        user,
        "core.organisation",
        str(organisation.pk),
    )


def test_an_organisation_needs_a_name():
    with pytest.raises(ValidationError) as error:
        services.create_partner_organisation(actor=manager(), name="  ", kind="health", region=None)
    assert messages_of(error) == {"name": ["Enter the organisation's name"]}


@pytest.mark.parametrize("kind", [Organisation.Kind.POLICE_FORCE, Organisation.Kind.PRISON, "spaceport"])
def test_only_partner_kinds_may_be_added(kind):
    with pytest.raises(ValidationError) as error:
        services.create_partner_organisation(actor=manager(), name="Somewhere", kind=kind, region=None)
    assert messages_of(error) == {"kind": ["Select the kind of partner organisation"]}
    assert not Organisation.objects.filter(name="Somewhere").exists()


def test_a_duplicate_organisation_name_is_refused_whatever_its_case():
    OrganisationFactory.create(name="Northshire Police")
    with pytest.raises(ValidationError) as error:
        services.create_partner_organisation(
            actor=manager(), name="NORTHSHIRE POLICE", kind="health", region=None
        )
    assert messages_of(error) == {"name": ["There is already an organisation called NORTHSHIRE POLICE"]}


@pytest.mark.parametrize(
    "role", [Role.PROBATION_PRACTITIONER, Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL]
)
def test_only_managers_and_administrators_add_organisations(role):
    user = member_of_world(role, build_world())
    with pytest.raises(PermissionDenied):
        services.create_partner_organisation(actor=user, name="Mind", kind="health", region=None)
    assert not Organisation.objects.filter(name="Mind").exists()
    assert not AuditEvent.objects.filter(action="partner_organisation.created").exists()


def test_an_administrator_adds_organisations():
    organisation = services.create_partner_organisation(
        actor=member(Role.ADMINISTRATOR), name="Mind", kind="health", region=None
    )
    assert organisation.pk is not None


# Services ---------------------------------------------------------------------------------------


def test_a_manager_adds_a_service_with_its_pathways_and_it_is_audited():
    user = manager()
    organisation = PartnerOrganisationFactory.create()

    service = services.create_partner_service(
        actor=user,
        organisation=organisation,
        pathways=["finance", "accommodation", "finance"],
        capacity=Capacity.LIMITED,
        **FIELDS,
    )

    service.refresh_from_db()
    assert (service.organisation, service.capacity, service.updated_by, service.is_active) == (
        organisation,
        Capacity.LIMITED,
        user,
        True,
    )
    assert list(service.pathways.values_list("pathway", flat=True)) == ["accommodation", "finance"]
    event = AuditEvent.objects.get(action="partner_service.created")
    assert (event.actor, event.target_type, event.target_id, event.detail) == (
        user,
        "partners.partnerservice",
        str(service.pk),
        {"pathways": ["accommodation", "finance"]},
    )


def test_a_service_needs_a_pathway():
    with pytest.raises(ValidationError) as error:
        services.create_partner_service(
            actor=manager(), organisation=PartnerOrganisationFactory.create(), pathways=[], **FIELDS
        )
    assert messages_of(error) == {"pathways": ["Select at least one pathway the service works on"]}
    assert not PartnerService.objects.exists()


def test_pathways_come_from_the_list():
    with pytest.raises(ValidationError) as error:
        services.create_partner_service(
            actor=manager(),
            organisation=PartnerOrganisationFactory.create(),
            pathways=["astrology"],
            **FIELDS,
        )
    assert messages_of(error) == {"pathways": ["Select pathways from the list"]}


def test_a_police_force_cannot_offer_a_partner_service():
    police = OrganisationFactory.create(kind=Organisation.Kind.POLICE_FORCE)
    with pytest.raises(ValidationError) as error:
        services.create_partner_service(actor=manager(), organisation=police, pathways=["health"], **FIELDS)
    assert "organisation" in messages_of(error)
    assert not PartnerService.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("response_working_days", 0),
        ("response_working_days", 31),
        ("typical_wait_days", 731),
        ("eligibility", ""),
        ("area_covered", ""),
        ("referral_email", "not an email"),
        ("capacity", "full"),
    ],
)
def test_the_models_rules_are_checked_before_saving(field, value):
    with pytest.raises(ValidationError) as error:
        services.create_partner_service(
            actor=manager(),
            organisation=PartnerOrganisationFactory.create(),
            pathways=["health"],
            **{**FIELDS, field: value},
        )
    assert field in messages_of(error)
    assert not PartnerService.objects.exists()
    assert not AuditEvent.objects.filter(action="partner_service.created").exists()


def test_two_services_of_one_organisation_cannot_share_a_name():
    organisation = PartnerOrganisationFactory.create()
    PartnerServiceFactory.create(organisation=organisation, name="Tenancy support")
    with pytest.raises(ValidationError) as error:
        services.create_partner_service(
            actor=manager(), organisation=organisation, pathways=["accommodation"], **FIELDS
        )
    assert error.value.error_dict["__all__"][0].code == "unique_together"
    assert PartnerService.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SUPPORT_WORKER, Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL])
def test_only_managers_and_administrators_add_services(role):
    user = member_of_world(role, build_world())
    with pytest.raises(PermissionDenied):
        services.create_partner_service(
            actor=user, organisation=PartnerOrganisationFactory.create(), pathways=["health"], **FIELDS
        )
    assert not PartnerService.objects.exists()


def test_updating_a_service_replaces_its_pathways_and_audits_what_changed():
    service = PartnerServiceFactory.create(
        pathways=[Pathway.ACCOMMODATION, Pathway.FINANCE], capacity=Capacity.OPEN, typical_wait_days=10
    )
    user = member(Role.ADMINISTRATOR)

    services.update_partner_service(
        actor=user,
        service=service,
        pathways=["finance", "health"],
        capacity=Capacity.CLOSED,
        typical_wait_days=10,
        name=service.name,
    )

    service.refresh_from_db()
    assert (service.capacity, service.updated_by) == (Capacity.CLOSED, user)
    assert list(service.pathways.values_list("pathway", flat=True)) == ["finance", "health"]
    event = AuditEvent.objects.get(action="partner_service.updated")
    assert (event.actor, event.target_id, event.detail) == (
        user,
        str(service.pk),
        {"changed": ["capacity"], "pathways": ["finance", "health"]},
    )


def test_updating_keeps_the_pathway_rows_that_stay():
    service = PartnerServiceFactory.create(pathways=[Pathway.ACCOMMODATION, Pathway.FINANCE])
    kept = service.pathways.get(pathway="accommodation").pk
    services.update_partner_service(actor=manager(), service=service, pathways=["accommodation"])
    assert list(service.pathways.values_list("pk", flat=True)) == [kept]


def test_an_update_that_breaks_a_rule_changes_nothing():
    service = PartnerServiceFactory.create(pathways=[Pathway.HEALTH], capacity=Capacity.OPEN)
    with pytest.raises(ValidationError) as error:
        services.update_partner_service(
            actor=manager(),
            service=service,
            pathways=["health"],
            capacity=Capacity.CLOSED,
            response_working_days=45,
        )
    assert "response_working_days" in messages_of(error)
    service.refresh_from_db()
    assert (service.capacity, service.response_working_days) == (Capacity.OPEN, 5)
    assert not AuditEvent.objects.filter(action="partner_service.updated").exists()


def test_an_update_without_pathways_is_refused_and_keeps_the_old_ones():
    service = PartnerServiceFactory.create(pathways=[Pathway.HEALTH])
    with pytest.raises(ValidationError):
        services.update_partner_service(actor=manager(), service=service, pathways=[])
    assert list(service.pathways.values_list("pathway", flat=True)) == ["health"]


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL]
)
def test_only_managers_and_administrators_update_services(role):
    service = PartnerServiceFactory.create(capacity=Capacity.OPEN)
    user = member_of_world(role, build_world())
    with pytest.raises(PermissionDenied):
        services.update_partner_service(actor=user, service=service, pathways=["health"], capacity="closed")
    service.refresh_from_db()
    assert service.capacity == Capacity.OPEN
    assert not AuditEvent.objects.filter(action="partner_service.updated").exists()


def test_a_partners_own_staff_may_not_update_their_service():
    service = PartnerServiceFactory.create()
    partner = member(Role.PARTNER, organisation=service.organisation)
    with pytest.raises(PermissionDenied):
        services.update_partner_service(actor=partner, service=service, pathways=["health"])
