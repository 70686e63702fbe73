"""The service logs every kind of processing the Data Protection Act 2018 s.62 names, each proved through a
real page or API request: consultation, collection, alteration, disclosure (with its recipient),
combination and erasure."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dataprotection.factories import left_iom
from dataprotection.services.retention import erase_personal_data
from iom.core import audit
from iom.core.models import AuditEvent, Role
from partners import services as partner_services
from reports.factories import ReportRunFactory
from reports.pack.build import BuiltPack
from reports.services import build_report
from supervision.factories import ContactFactory
from supervision.models import ContactAttendee
from tests.actors import member
from tests.api.clients import token_client
from tests.cohorts.test_nominal_create_view import form as new_person_form
from tests.cohorts.test_record_views import details
from tests.partners.referrals_to_us import Scene
from tests.supervision.test_log_contact_view import three_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world):
    return member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)


def newest(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no {action} event"
    return event


def kind(event: AuditEvent) -> str:
    return audit.kind_of(event.action)


# Consultation --------------------------------------------------------------------------------------


def test_opening_a_persons_record_is_a_consultation_naming_the_person_and_the_page(client, world, officer):
    client.force_login(officer)
    assert client.get(reverse("cohorts:nominal-risk", args=[world.nominal.pk])).status_code == 200
    event = newest("nominal.viewed")
    assert kind(event) == audit.CONSULTATION
    assert (event.actor, event.nominal_id, event.detail["page"]) == (officer, world.nominal.pk, "risk")


def test_opening_a_contacts_page_is_a_consultation_of_the_person(client, world, officer):
    contact = ContactFactory.create(nominal=world.nominal)
    client.force_login(officer)
    assert client.get(reverse("supervision:contact-detail", args=[contact.pk])).status_code == 200
    event = newest("nominal.viewed")
    assert kind(event) == audit.CONSULTATION
    assert event.nominal_id == world.nominal.pk
    assert event.detail["page"]


def test_reading_a_record_through_the_api_is_a_consultation(world, officer):
    response = token_client(officer).get(reverse("api:nominal-detail", args=[world.nominal.pk]))
    assert response.status_code == 200
    event = newest("nominal.viewed")
    assert kind(event) == audit.CONSULTATION
    assert (event.actor, event.nominal_id, event.detail["page"]) == (
        officer,
        world.nominal.pk,
        "api:nominal-detail",
    )


# Collection ----------------------------------------------------------------------------------------


def test_adding_a_person_is_a_collection(client, world, officer):
    client.force_login(officer)
    assert client.post(reverse("cohorts:nominal-create"), new_person_form()).status_code == 302
    event = newest("nominal.created")
    assert kind(event) == audit.COLLECTION
    assert event.actor == officer
    assert event.nominal_id is not None


def test_logging_a_contact_is_a_collection(client, world, officer):
    client.force_login(officer)
    response = client.post(reverse("supervision:log-contact", args=[world.nominal.pk]), three_fields(officer))
    assert response.status_code == 302
    event = newest("contact.logged")
    assert kind(event) == audit.COLLECTION
    assert (event.actor, event.nominal_id, event.target_type) == (
        officer,
        world.nominal.pk,
        "supervision.contact",
    )


# Alteration ----------------------------------------------------------------------------------------


def test_editing_a_persons_details_is_an_alteration_naming_the_fields(client, world, manager):
    client.force_login(manager)
    response = client.post(
        reverse("cohorts:details-edit", args=[world.nominal.pk]),
        details(world.nominal, family_name="Robertson", address_area="LS6"),
    )
    assert response.status_code == 302
    event = newest("nominal.changed")
    assert kind(event) == audit.ALTERATION
    assert event.nominal_id == world.nominal.pk
    assert event.detail["fields"] == ["address_area", "family_name"]


def test_recording_a_contacts_outcome_is_an_alteration(client, world, officer):
    appointment = ContactFactory.create(
        nominal=world.nominal, outcome="", notes="", date=timezone.localdate() - dt.timedelta(days=1)
    )
    ContactAttendee.objects.create(contact=appointment, user=officer, organisation=officer.organisation)
    client.force_login(officer)
    response = client.post(
        reverse("supervision:record-outcome", args=[appointment.pk]),
        {
            "outcome": "attended_complied",
            "notes": "Went well",
            "sensitivity": "team",
            "attendees": [officer.pk],
        },
    )
    assert response.status_code == 302
    event = newest("contact.outcome_recorded")
    assert kind(event) == audit.ALTERATION
    assert (event.nominal_id, event.detail["outcome"]) == (world.nominal.pk, "attended_complied")


# Disclosure ----------------------------------------------------------------------------------------


def test_sending_a_referral_is_a_disclosure_to_the_partner_organisation(client):
    scene = Scene()
    draft = scene.refer()  # sent already by the services; send another through the page
    second = partner_services.create_referral(
        actor=scene.worker,
        nominal=scene.world.nominal,
        service=scene.service,
        pathway="accommodation",
        reason="A second tenancy need",
        lawful_basis=draft.lawful_basis,
        consent_given_on=draft.consent_given_on,
        shared_fields=["name"],
    )
    client.force_login(scene.worker)
    assert client.post(reverse("partners:referral-send", args=[second.pk])).status_code == 302
    event = newest("referral.sent")
    assert kind(event) == audit.DISCLOSURE
    assert (event.target_id, event.nominal_id, event.recipient) == (
        str(second.pk),
        scene.world.nominal.pk,
        scene.organisation,
    )
    assert event.detail["shared_fields"] == ["name"]


def test_a_partner_reading_a_referral_is_logged_with_their_organisation_as_recipient(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(scene.partner)
    assert client.get(reverse("partners:inbox-detail", args=[referral.pk])).status_code == 200
    event = newest("nominal.viewed")
    assert (event.actor, event.nominal_id, event.detail["referral"]) == (
        scene.partner,
        scene.world.nominal.pk,
        referral.pk,
    )
    assert event.recipient == scene.organisation


# Combination ---------------------------------------------------------------------------------------


def test_downloading_the_caseload_is_a_combination(client, world, officer):
    client.force_login(officer)
    response = client.get(reverse("cohorts:caseload-export"))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = newest("caseload.exported")
    assert kind(event) == audit.COMBINATION
    assert event.detail["rows"] == 1


def test_downloading_a_governance_report_is_a_combination(client, world, mocker, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    mocker.patch(
        "reports.pack.build.build_pack",
        side_effect=lambda run, *, progress: BuiltPack(pdf=b"%PDF-1.7 pack", csv_zip=b"PK zip", page_count=1),
    )
    run = ReportRunFactory.create(region=world.region)
    build_report(report_run_id=run.pk)
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    client.force_login(lead)
    response = client.get(reverse("reports:download", args=[run.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = newest("report.downloaded")
    assert kind(event) == audit.COMBINATION
    assert (event.actor, event.target_id) == (lead, str(run.pk))


def test_listing_the_caseload_through_the_api_is_a_combination(world, officer):
    response = token_client(officer).get(reverse("api:nominal-list"))
    assert response.status_code == 200
    event = newest("caseload.viewed")
    assert kind(event) == audit.COMBINATION
    assert (event.actor, event.detail["endpoint"], event.detail["rows"]) == (officer, "api:nominal-list", 1)


def test_downloading_the_audit_is_a_combination(client, manager):
    client.force_login(manager)
    response = client.get(reverse("dataprotection:audit-export"), {"kind": "consultation"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = newest("audit.exported")
    assert kind(event) == audit.COMBINATION
    assert event.detail["kind"] == "consultation"


# Erasure -------------------------------------------------------------------------------------------


def test_erasing_a_persons_data_is_an_erasure_and_the_audit_is_kept(world, manager, officer, client):
    client.force_login(officer)
    client.get(reverse("cohorts:nominal-detail", args=[world.nominal.pk]))
    left_iom(world.nominal, on=timezone.localdate() - dt.timedelta(days=7 * 365), by=manager)
    erase_personal_data(actor=manager, nominal=world.nominal, reason="Seven years after leaving IOM")
    event = newest("nominal.erased")
    assert kind(event) == audit.ERASURE
    assert (event.actor, event.nominal_id) == (manager, world.nominal.pk)
    # The consultation before it is still there: erasure removes case content, never the audit.
    assert AuditEvent.objects.filter(action="nominal.viewed", nominal_id=world.nominal.pk).exists()


# Refusals --------------------------------------------------------------------------------------------


def test_a_refused_attempt_is_logged_as_access_denied(client, world):
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
    client.force_login(outsider)
    assert client.get(reverse("cohorts:nominal-detail", args=[world.nominal.pk])).status_code == 404
    event = newest("nominal.access_denied")
    assert kind(event) == audit.ACCESS_DENIED
    assert event.nominal_id == world.nominal.pk
