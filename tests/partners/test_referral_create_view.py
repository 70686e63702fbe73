"""Making a referral from a person's Referrals tab: the pathway, then the service, what is shared and
on what basis; sent at once or saved as a draft."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import Need, NeedStatus, Nominal
from cohorts.services import record_need_status
from iom.core.factories import RegionFactory
from iom.core.models import AuditEvent, Role, User
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, PartnerService, Referral
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def url(nominal: Nominal, pathway: str | None = None) -> str:
    base = f"/people/{nominal.pk}/referrals/new/"
    return base if pathway is None else f"{base}?pathway={pathway}"


def case_worker(world: World) -> User:
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    world.nominal.probation_practitioner = worker
    world.nominal.save()
    return worker


def housing(**fields: object) -> PartnerService:
    organisation = PartnerOrganisationFactory.create(name="Shelter Housing Advice")
    return PartnerServiceFactory.create(
        organisation=organisation, name="Tenancy sustainment", pathways=["accommodation"], **fields
    )


def sent_with_consent(service: PartnerService, /, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "service": str(service.pk),
        "reason": "Sofa surfing since release; needs a tenancy.",
        "shared_fields": ["date_of_birth", "address_area"],
        "basis": "consent",
        "consent_given_on": f"{YESTERDAY:%d/%m/%Y}",
        "action": "send",
    }
    data.update(changes)
    return data


def test_step_one_asks_for_the_pathway_showing_each_need_and_is_audited(client):
    world = build_world()
    worker = case_worker(world)
    record_need_status(
        actor=worker,
        nominal=world.nominal,
        pathway="accommodation",
        status=NeedStatus.IDENTIFIED,
        updated_on=TODAY,
    )
    client.force_login(worker)

    response = client.get(url(world.nominal))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="get" novalidate>' in html
    assert "Which pathway is the referral for?" in html
    assert 'name="pathway" type="radio" value="accommodation"' in html
    assert "Need: need identified" in html
    assert "Need: not assessed" in html
    assert "There is a problem" not in html
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "referral-create"}


def test_an_unknown_pathway_is_explained_not_a_server_error(client):
    world = build_world()
    client.force_login(case_worker(world))
    response = client.get(url(world.nominal, "space_travel"))
    assert response.status_code == 200
    assert '<a href="#id_pathway_0">Select the pathway the referral is for</a>' in response.content.decode()


def test_step_two_lists_the_pathways_services_in_the_region_with_closed_ones_not_selectable(client):
    world = build_world()
    open_service = housing(area_covered="Northshire and Eastfield", typical_wait_days=14)
    PartnerServiceFactory.create(name="Night shelter", pathways=["accommodation"], capacity=Capacity.CLOSED)
    PartnerServiceFactory.create(name="Debt advice", pathways=["finance"])
    PartnerServiceFactory.create(
        name="Southshire housing", pathways=["accommodation"], region=world.other_region
    )
    PartnerServiceFactory.create(name="Unlisted housing", pathways=["accommodation"], is_active=False)
    client.force_login(case_worker(world))

    response = client.get(url(world.nominal, "accommodation"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tenancy sustainment, Shelter Housing Advice" in html
    assert "Area: Northshire and Eastfield" in html
    assert "Typical wait: 14 days" in html
    assert '<strong class="govuk-tag govuk-tag--green">Taking referrals</strong>' in html
    assert f'value="{open_service.pk}" aria-describedby="id_service_0_hint">' in html
    # A service not taking referrals is listed with the reason, but offers no radio.
    assert '<h3 class="govuk-heading-s">Not taking referrals now</h3>' in html
    assert "<strong>Night shelter, Partner organisation" in html
    assert '<strong class="govuk-tag govuk-tag--grey">Not taking referrals</strong>' in html
    assert html.count('name="service" type="radio"') == 1
    for missing in ("Debt advice", "Southshire housing", "Unlisted housing"):
        assert missing not in html
    # What is shared: the name always (ticked, unchangeable), the rest by choice, with their hints.
    assert "Name: always shared, so the partner can identify Dean." in html
    assert 'value="name"' not in html
    assert 'name="shared_fields" type="checkbox" value="case_team"' in html
    assert "Names and email addresses of allocated workers" in html
    # The lawful basis: consent reveals its date, another basis reveals the agreement.
    assert 'value="consent" data-aria-controls="conditional-basis-consent"' in html
    assert 'id="conditional-basis-other"' in html
    assert "Information sharing agreement" in html
    assert '<button type="submit" name="action" value="send" class="govuk-button"' in html
    assert 'name="action" value="draft" class="govuk-button govuk-button--secondary"' in html
    assert f"/people/{world.nominal.pk}/referrals/no-service/?pathway=accommodation" in html


def test_a_pathway_with_no_service_offers_to_record_the_need_as_unmet(client):
    world = build_world()
    PartnerServiceFactory.create(name="Debt advice", pathways=["finance"])
    client.force_login(case_worker(world))

    response = client.get(url(world.nominal, "families"))

    html = response.content.decode()
    assert "No service in the partner directory works on children and families" in html
    assert f'href="/people/{world.nominal.pk}/referrals/no-service/?pathway=families" role="button"' in html
    assert "Record the need as unmet: no service available" in html
    assert 'name="service"' not in html


def test_sending_discloses_the_chosen_fields_to_the_organisation_audits_it_and_moves_the_need(client):
    world = build_world()
    service = housing()
    worker = case_worker(world)
    client.force_login(worker)

    response = client.post(url(world.nominal, "accommodation"), sent_with_consent(service), follow=True)

    referral = Referral.objects.get()
    assert response.redirect_chain == [(f"/referrals/{referral.pk}/", 302)]
    assert f"Referral {referral.reference} sent to Shelter Housing Advice" in response.content.decode()
    assert referral.status == Referral.Status.SENT
    assert (referral.lawful_basis, referral.consent_given_on, referral.sharing_agreement) == (
        "consent",
        YESTERDAY,
        "",
    )
    assert referral.shared_fields == ["name", "date_of_birth", "address_area"]
    assert (referral.referred_by, referral.organisation, referral.pathway) == (
        worker,
        service.organisation,
        "accommodation",
    )
    disclosure = AuditEvent.objects.get(action="referral.sent")
    assert disclosure.recipient == service.organisation
    assert disclosure.nominal_id == world.nominal.pk
    assert disclosure.detail["shared_fields"] == ["name", "date_of_birth", "address_area"]
    assert (
        Need.objects.get(nominal=world.nominal, pathway="accommodation").status == NeedStatus.BEING_ADDRESSED
    )


def test_the_same_form_sent_twice_makes_and_discloses_one_referral(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    world = build_world()
    service = housing()
    member(Role.PARTNER, organisation=service.organisation)
    client.force_login(case_worker(world))
    form = client.get(url(world.nominal, "accommodation")).context["form"]
    key = form["submission_id"].value()
    assert key, "the form carries a one-time key"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            url(world.nominal, "accommodation"), sent_with_consent(service, submission_id=key)
        )
        again = client.post(
            url(world.nominal, "accommodation"), sent_with_consent(service, submission_id=key), follow=True
        )

    referral = Referral.objects.get()
    assert first["Location"] == f"/referrals/{referral.pk}/"
    assert again.redirect_chain == [(f"/referrals/{referral.pk}/", 302)]
    assert f"Referral {referral.reference} sent to Shelter Housing Advice" in again.content.decode()
    assert AuditEvent.objects.filter(action="referral.sent").count() == 1
    assert len(mailoutbox) == 1
    # A new form has a new key, so a second referral is a deliberate one.
    assert client.get(url(world.nominal, "accommodation")).context["form"]["submission_id"].value() != key


def test_a_draft_submitted_again_as_sent_stays_the_draft_it_was(client):
    world = build_world()
    service = housing()
    client.force_login(case_worker(world))
    key = "0b6f2a39-4c1e-4f5d-9a51-3a0c1b2d3e4f"
    client.post(
        url(world.nominal, "accommodation"), sent_with_consent(service, action="draft", submission_id=key)
    )

    response = client.post(
        url(world.nominal, "accommodation"), sent_with_consent(service, submission_id=key), follow=True
    )

    referral = Referral.objects.get()
    assert referral.status == Referral.Status.DRAFT
    assert f"Draft saved: referral {referral.reference} has not been sent" in response.content.decode()
    assert not AuditEvent.objects.filter(action="referral.sent").exists()


def test_a_garbled_form_key_only_loses_the_protection(client):
    world = build_world()
    service = housing()
    client.force_login(case_worker(world))
    response = client.post(url(world.nominal, "accommodation"), sent_with_consent(service, submission_id="x"))
    assert response.status_code == 302
    assert Referral.objects.get().submission_id is None


def test_saving_a_draft_needs_only_the_service_and_reason_and_discloses_nothing(client):
    world = build_world()
    service = housing()
    client.force_login(case_worker(world))

    response = client.post(
        url(world.nominal, "accommodation"),
        {"service": str(service.pk), "reason": "Needs a tenancy", "action": "draft"},
        follow=True,
    )

    referral = Referral.objects.get()
    assert response.redirect_chain == [(f"/referrals/{referral.pk}/", 302)]
    assert f"Draft saved: referral {referral.reference} has not been sent" in response.content.decode()
    assert (referral.status, referral.lawful_basis, referral.shared_fields) == ("draft", "", ["name"])
    assert not AuditEvent.objects.filter(action="referral.sent").exists()
    assert not Need.objects.filter(nominal=world.nominal).exists()


def test_another_lawful_basis_rests_on_an_agreement_and_ignores_a_consent_date(client):
    world = build_world()
    service = housing()
    client.force_login(case_worker(world))

    response = client.post(
        url(world.nominal, "accommodation"),
        sent_with_consent(
            service,
            basis="other",
            lawful_basis="public_task",
            sharing_agreement="Northshire IOM ISA 2025",
        ),
    )

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (
        referral.status,
        referral.lawful_basis,
        referral.consent_given_on,
        referral.sharing_agreement,
    ) == (
        "sent",
        "public_task",
        None,
        "Northshire IOM ISA 2025",
    )
    assert (
        AuditEvent.objects.get(action="referral.sent").detail["sharing_agreement"]
        == "Northshire IOM ISA 2025"
    )


@pytest.mark.parametrize(
    ("changes", "anchor", "message"),
    [
        ({"consent_given_on": ""}, "id_consent_given_on", "Enter the date the person gave consent"),
        ({"basis": ""}, "id_basis_0", "Select the lawful basis for sharing"),
        (
            {"basis": "other", "lawful_basis": "public_task"},
            "id_sharing_agreement",
            "Enter the information sharing agreement this sharing rests on",
        ),
        (
            {"basis": "other", "sharing_agreement": "ISA 2025"},
            "id_lawful_basis_0",
            "Select the lawful basis the sharing rests on",
        ),
        (
            {"consent_given_on": f"{TODAY + dt.timedelta(days=1):%d/%m/%Y}"},
            "id_consent_given_on",
            "The date must be today or in the past",
        ),
        ({"consent_given_on": "31/02/2026"}, "id_consent_given_on", "Date consent given must be a real date"),
        (
            {"consent_given_on": f"{TODAY - dt.timedelta(days=400):%d/%m/%Y}"},
            "id_consent_given_on",
            "Consent given more than a year ago must be asked for again",
        ),
        ({"reason": "  "}, "id_reason", "Say why you are referring the person and what they need"),
        ({"service": ""}, "id_service_0", "Select the service to refer the person to"),
        ({"shared_fields": ["bank_details"]}, "id_shared_fields_0", "Select the information to share"),
    ],
)
def test_what_is_missing_or_wrong_is_said_against_its_field_and_nothing_is_saved(
    client, changes, anchor, message
):
    world = build_world()
    service = housing()
    client.force_login(case_worker(world))

    response = client.post(url(world.nominal, "accommodation"), sent_with_consent(service, **changes))

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'<a href="#{anchor}">{message}' in html
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="referral.").exists()


def test_a_sending_form_says_everything_missing_at_once(client):
    world = build_world()
    service = housing()
    client.force_login(case_worker(world))
    response = client.post(
        url(world.nominal, "accommodation"), {"service": str(service.pk), "basis": "other", "action": "send"}
    )
    links = response.context["form"].error_summary_links()
    assert links == [
        ("#id_reason", "Say why you are referring the person and what they need"),
        ("#id_lawful_basis_0", "Select the lawful basis the sharing rests on"),
        ("#id_sharing_agreement", "Enter the information sharing agreement this sharing rests on"),
    ]


def test_a_pathway_whose_services_are_all_closed_lists_them_and_offers_to_record_the_need_unmet(client):
    world = build_world()
    housing(capacity=Capacity.CLOSED)
    client.force_login(case_worker(world))

    response = client.get(url(world.nominal, "accommodation"))

    html = response.content.decode()
    assert "No service in the partner directory is taking referrals on accommodation now" in html
    assert "<strong>Tenancy sustainment, Shelter Housing Advice</strong>" in html
    assert '/referrals/no-service/?pathway=accommodation" role="button"' in html
    assert 'name="service"' not in html


def test_a_service_not_taking_referrals_cannot_be_chosen_even_for_a_draft(client):
    world = build_world()
    housing()
    closed = PartnerServiceFactory.create(
        name="Night shelter", pathways=["accommodation"], capacity=Capacity.CLOSED
    )
    client.force_login(case_worker(world))

    for action in ("send", "draft"):
        response = client.post(url(world.nominal, "accommodation"), sent_with_consent(closed, action=action))
        assert (
            '<a href="#id_service_0">Night shelter is not taking referrals; choose another service</a>'
            in response.content.decode()
        )
    assert not Referral.objects.exists()


def test_a_service_on_another_pathway_or_region_is_not_on_offer(client):
    world = build_world()
    housing()
    debt = PartnerServiceFactory.create(name="Debt advice", pathways=["finance"])
    elsewhere = PartnerServiceFactory.create(
        name="Far away", pathways=["accommodation"], region=RegionFactory.create(name="Westshire")
    )
    client.force_login(case_worker(world))
    for service in (debt, elsewhere):
        response = client.post(url(world.nominal, "accommodation"), sent_with_consent(service))
        assert '<a href="#id_service_0">Select a service from the list</a>' in response.content.decode()
    assert not Referral.objects.exists()


def test_a_manager_of_the_team_may_refer(client):
    world = build_world()
    service = housing()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert client.get(url(world.nominal, "accommodation")).status_code == 200
    assert client.post(url(world.nominal, "accommodation"), sent_with_consent(service)).status_code == 302
    assert Referral.objects.get().status == Referral.Status.SENT


def test_a_team_member_not_on_the_case_team_gets_403(client):
    world = build_world()
    service = housing()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert client.get(url(world.nominal)).status_code == 403
    assert client.get(url(world.nominal, "accommodation")).status_code == 403
    assert client.post(url(world.nominal, "accommodation"), sent_with_consent(service)).status_code == 403
    assert not Referral.objects.exists()


def test_another_teams_person_is_not_found(client):
    world = build_world()
    service = housing()
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(url(world.nominal, "accommodation")).status_code == 404
    assert client.post(url(world.nominal, "accommodation"), sent_with_consent(service)).status_code == 404
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action="nominal.access_denied").count() == 2
