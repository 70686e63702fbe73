"""Sending a draft: a disclosure, confirmed on a page that says what goes to whom and why."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import Need, NeedStatus
from iom.core.models import AuditEvent, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/send/"


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(Role.PROBATION_PRACTITIONER, team=self.world.own_team)
        self.world.nominal.probation_practitioner = self.worker
        self.world.nominal.save()
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=PartnerOrganisationFactory.create(name="Shelter Housing Advice"),
            name="Tenancy sustainment",
            pathways=["accommodation"],
            response_working_days=3,
        )

    def draft(self, **fields: object) -> Referral:
        values: dict[str, object] = {
            "reason": "Needs a tenancy",
            "lawful_basis": Referral.LawfulBasis.CONSENT,
            "consent_given_on": TODAY - dt.timedelta(days=1),
            "shared_fields": ["date_of_birth", "risk"],
        }
        values.update(fields)
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=self.service,
            pathway="accommodation",
            **values,  # type: ignore[arg-type]
        )


def test_the_confirmation_says_what_is_shared_with_whom_on_what_basis(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)

    response = client.get(url(draft))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Send referral {draft.reference} to Shelter Housing Advice" in html
    assert "You are about to share information about Dean Robson with Shelter Housing Advice." in html
    assert "This is a disclosure" in html
    assert "<li>Name</li><li>Date of birth</li><li>Risk of serious harm</li>" in html
    assert f"The person consented on {TODAY - dt.timedelta(days=1):%-d %B %Y}" in html
    assert "within 3 working days" in html
    assert not AuditEvent.objects.filter(action="referral.sent").exists()
    assert Referral.objects.get().status == Referral.Status.DRAFT


def test_another_basis_is_named_with_its_agreement(client):
    scene = Scene()
    draft = scene.draft(lawful_basis="law_enforcement", consent_given_on=None, sharing_agreement="ISA 7")
    client.force_login(scene.worker)
    html = client.get(url(draft)).content.decode()
    assert "Law enforcement purposes (Data Protection Act 2018, Part 3), under ISA 7" in html


def test_sending_writes_the_disclosure_audit_row_with_its_recipient(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)

    response = client.post(url(draft), follow=True)

    assert response.redirect_chain == [(f"/referrals/{draft.pk}/", 302)]
    assert f"Referral {draft.reference} sent to Shelter Housing Advice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Referral.Status.SENT
    assert draft.response_due is not None
    disclosure = AuditEvent.objects.get(action="referral.sent")
    assert (disclosure.actor, disclosure.recipient, disclosure.nominal_id, disclosure.target_id) == (
        scene.worker,
        scene.service.organisation,
        scene.world.nominal.pk,
        str(draft.pk),
    )
    assert disclosure.detail["shared_fields"] == ["name", "date_of_birth", "risk"]
    assert disclosure.detail["lawful_basis"] == "consent"
    assert Need.objects.get(pathway="accommodation").status == NeedStatus.BEING_ADDRESSED


def test_a_draft_without_consent_is_not_sent_and_the_page_links_to_the_draft(client):
    scene = Scene()
    draft = scene.draft(consent_given_on=None)
    client.force_login(scene.worker)

    response = client.post(url(draft))

    assert response.status_code == 200
    html = response.content.decode()
    assert "The referral cannot be sent yet" in html
    assert "<li>Enter the date the person gave consent</li>" in html
    assert f'<li><a href="/referrals/{draft.pk}/edit/">Change the draft</a></li>' in html
    draft.refresh_from_db()
    assert draft.status == Referral.Status.DRAFT
    assert not AuditEvent.objects.filter(action="referral.sent").exists()


def test_a_draft_with_no_basis_is_not_sent(client):
    scene = Scene()
    draft = scene.draft(lawful_basis="", consent_given_on=None)
    client.force_login(scene.worker)
    html = client.get(url(draft)).content.decode()
    assert "Not recorded yet" in html
    assert "<li>Select the lawful basis for sharing</li>" in client.post(url(draft)).content.decode()
    assert Referral.objects.get().status == Referral.Status.DRAFT


def test_a_referral_already_sent_is_not_sent_again(client):
    scene = Scene()
    draft = scene.draft()
    services.send_referral(actor=scene.worker, referral=draft)
    client.force_login(scene.worker)

    shown = client.get(url(draft), follow=True)
    posted = client.post(url(draft))

    assert shown.redirect_chain == [(f"/referrals/{draft.pk}/", 302)]
    assert f"Referral {draft.reference} is sent: only a draft can be sent" in shown.content.decode()
    assert "<li>This referral has already been sent</li>" in posted.content.decode()
    assert AuditEvent.objects.filter(action="referral.sent").count() == 1


def test_a_team_member_not_on_the_case_team_gets_403(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(member(Role.SUPPORT_WORKER, team=scene.world.own_team))
    assert client.get(url(draft)).status_code == 403
    assert client.post(url(draft)).status_code == 403
    assert Referral.objects.get().status == Referral.Status.DRAFT


def test_another_team_and_the_partner_get_404(client):
    scene = Scene()
    draft = scene.draft()
    for user in (
        member(Role.MANAGER, team=scene.world.other_team),
        member(Role.PARTNER, organisation=scene.service.organisation),
    ):
        client.force_login(user)
        assert client.get(url(draft)).status_code == 404
        assert client.post(url(draft)).status_code == 404
    assert not AuditEvent.objects.filter(action="referral.sent").exists()
