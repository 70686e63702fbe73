"""Administration of the partner directory: services only, never referrals (they are case records)."""

import pytest
from django.contrib import admin

from cohorts.models import Pathway
from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, Organisation, Role
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, PartnerService, Referral, ReferralEvent, ServicePathway
from tests.actors import member

pytestmark = pytest.mark.django_db

LIST = "/admin/partners/partnerservice/"


def form_data(service: PartnerService | None, organisation: Organisation, **changes) -> dict:
    rows = list(service.pathways.all()) if service is not None else []
    data = {
        "organisation": str(organisation.pk),
        "name": service.name if service else "Tenancy support",
        "description": "",
        "region": "",
        "area_covered": "Northshire",
        "eligibility": "Adults on an IOM cohort",
        "how_to_refer": "",
        "typical_wait_days": "10",
        "capacity": "open",
        "response_working_days": "5",
        "referral_email": "",
        "is_active": "on",
        "pathways-TOTAL_FORMS": str(len(rows)),
        "pathways-INITIAL_FORMS": str(len(rows)),
        "pathways-MIN_NUM_FORMS": "1",
        "pathways-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data[f"pathways-{index}-id"] = str(row.pk)
        data[f"pathways-{index}-service"] = str(service.pk) if service else ""
        data[f"pathways-{index}-pathway"] = row.pathway
    data.update(changes)
    return data


def test_no_referral_or_referral_event_is_registered():
    assert admin.site.is_registered(PartnerService)
    assert not admin.site.is_registered(Referral)
    assert not admin.site.is_registered(ReferralEvent)


def test_administration_lists_services_and_no_referrals(client):
    PartnerServiceFactory.create(
        name="Tenancy support", organisation=PartnerOrganisationFactory.create(name="Keyring")
    )
    client.force_login(member(Role.ADMINISTRATOR))

    index = client.get("/admin/").content.decode()
    assert LIST in index
    assert "/admin/partners/referral" not in index
    assert client.get("/admin/partners/referral/").status_code == 404
    assert client.get("/admin/partners/referralevent/").status_code == 404

    listing = client.get(LIST)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Tenancy support" in html
    assert "Keyring" in html


def test_the_list_filters_and_searches(client):
    PartnerServiceFactory.create(name="Beds", capacity=Capacity.CLOSED)
    PartnerServiceFactory.create(name="Jobs", is_active=False, area_covered="Eastbridge")
    client.force_login(member(Role.ADMINISTRATOR))

    def listed(query: dict) -> list[str]:
        return [service.name for service in client.get(LIST, query).context["cl"].result_list]

    assert listed({"capacity__exact": "closed"}) == ["Beds"]
    assert listed({"is_active__exact": "0"}) == ["Jobs"]
    assert listed({"q": "eastbridge"}) == ["Jobs"]


def test_an_administrator_edits_a_service_and_its_pathways_and_it_is_audited(client):
    admin_user = member(Role.ADMINISTRATOR)
    service = PartnerServiceFactory.create(pathways=[Pathway.ACCOMMODATION])
    client.force_login(admin_user)
    assert client.get(f"{LIST}{service.pk}/change/").status_code == 200

    data = form_data(service, service.organisation, capacity="waiting_list")
    data.update(
        {
            "pathways-TOTAL_FORMS": "2",
            "pathways-1-id": "",
            "pathways-1-service": str(service.pk),
            "pathways-1-pathway": "health",
        }
    )
    response = client.post(f"{LIST}{service.pk}/change/", data)

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.capacity, service.updated_by) == (Capacity.WAITING_LIST, admin_user)
    assert sorted(service.pathways.values_list("pathway", flat=True)) == ["accommodation", "health"]
    changed = AuditEvent.objects.get(action="partnerservice.changed")
    assert (changed.actor, changed.target_id) == (admin_user, str(service.pk))
    assert "capacity" in changed.detail["fields"]
    assert AuditEvent.objects.filter(action="servicepathway.saved", actor=admin_user).count() == 1


def test_an_administrator_adds_a_service_with_a_pathway(client):
    admin_user = member(Role.ADMINISTRATOR)
    organisation = PartnerOrganisationFactory.create()
    client.force_login(admin_user)
    data = form_data(None, organisation)
    data.update({"pathways-TOTAL_FORMS": "1", "pathways-INITIAL_FORMS": "0", "pathways-0-pathway": "finance"})

    response = client.post(f"{LIST}add/", data)

    assert response.status_code == 302
    service = PartnerService.objects.get()
    assert list(service.pathways.values_list("pathway", flat=True)) == ["finance"]
    assert service.updated_by == admin_user
    assert AuditEvent.objects.filter(action="partnerservice.created", target_id=str(service.pk)).exists()


def test_a_service_needs_a_pathway_in_administration_too(client):
    client.force_login(member(Role.ADMINISTRATOR))
    data = form_data(None, PartnerOrganisationFactory.create())
    data.update({"pathways-TOTAL_FORMS": "0", "pathways-INITIAL_FORMS": "0"})
    response = client.post(f"{LIST}add/", data)
    assert response.status_code == 200
    assert not PartnerService.objects.exists()
    assert not ServicePathway.objects.exists()


def test_only_partner_organisations_are_offered(client):
    police = OrganisationFactory.create(name="Northshire Police", kind=Organisation.Kind.POLICE_FORCE)
    PartnerOrganisationFactory.create(name="Keyring")
    client.force_login(member(Role.ADMINISTRATOR))
    offered = client.get(f"{LIST}add/").context["adminform"].form.fields["organisation"].queryset
    assert [organisation.name for organisation in offered] == ["Keyring"]
    assert police not in offered


def test_services_are_not_deleted_from_administration(client):
    service = PartnerServiceFactory.create()
    client.force_login(member(Role.ADMINISTRATOR))
    assert client.post(f"{LIST}{service.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PartnerService.objects.filter(pk=service.pk).exists()


def test_people_without_the_administrator_role_cannot_use_it(client):
    client.force_login(member(Role.PARTNER))
    assert client.get(LIST).status_code == 302
