"""Changing a draft referral before it is sent."""

import datetime as dt

import pytest
from django.utils import timezone

from iom.core.models import AuditEvent, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity, PartnerService, Referral
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/edit/"


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(Role.POLICE_OFFENDER_MANAGER, team=self.world.own_team)
        self.world.nominal.police_offender_manager = self.worker
        self.world.nominal.save()
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=PartnerOrganisationFactory.create(name="Shelter Housing Advice"),
            name="Tenancy sustainment",
            pathways=["accommodation"],
        )
        self.other_service: PartnerService = PartnerServiceFactory.create(
            organisation=PartnerOrganisationFactory.create(name="Northshire YMCA"),
            name="Supported lodgings",
            pathways=["accommodation"],
        )

    def draft(self) -> Referral:
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=self.service,
            pathway="accommodation",
            reason="Needs a tenancy",
            lawful_basis=Referral.LawfulBasis.PUBLIC_TASK,
            sharing_agreement="Northshire IOM ISA 2025",
            shared_fields=["address_area"],
        )

    def changes(self, **fields: object) -> dict[str, object]:
        data: dict[str, object] = {
            "service": str(self.other_service.pk),
            "reason": "Needs supported lodgings first",
            "shared_fields": ["date_of_birth", "case_team"],
            "basis": "consent",
            "consent_given_on": f"{TODAY:%d/%m/%Y}",
            "action": "draft",
        }
        data.update(fields)
        return data


def test_the_form_starts_from_the_draft_and_is_audited(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)

    response = client.get(url(draft))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Change draft referral {draft.reference}" in html
    assert f'value="{scene.service.pk}" aria-describedby="id_service_1_hint" checked>' in html
    assert "Needs a tenancy</textarea>" in html
    assert (
        'name="shared_fields" type="checkbox" value="address_area" '
        'aria-describedby="id_shared_fields_3_hint" checked>'
    ) in html
    assert 'value="other" data-aria-controls="conditional-basis-other" checked>' in html
    assert 'value="public_task" checked' in html
    assert 'value="Northshire IOM ISA 2025"' in html
    assert AuditEvent.objects.filter(action="referral.viewed", target_id=str(draft.pk)).count() == 1


def test_saving_the_draft_changes_it_and_goes_back_to_it(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)

    response = client.post(url(draft), scene.changes(), follow=True)

    assert response.redirect_chain == [(f"/referrals/{draft.pk}/", 302)]
    assert f"Draft saved: referral {draft.reference} has not been sent" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.service, draft.organisation, draft.reason) == (
        Referral.Status.DRAFT,
        scene.other_service,
        scene.other_service.organisation,
        "Needs supported lodgings first",
    )
    assert draft.shared_fields == ["name", "date_of_birth", "case_team"]
    assert (draft.lawful_basis, draft.consent_given_on, draft.sharing_agreement) == ("consent", TODAY, "")
    assert AuditEvent.objects.filter(action="referral.draft_updated", actor=scene.worker).count() == 1
    assert not AuditEvent.objects.filter(action="referral.sent").exists()


def test_save_and_continue_goes_to_the_disclosure_confirmation_without_sending(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)

    response = client.post(url(draft), scene.changes(action="continue"))

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{draft.pk}/send/"
    draft.refresh_from_db()
    assert (draft.status, draft.reason) == (Referral.Status.DRAFT, "Needs supported lodgings first")


def test_continuing_needs_what_sending_needs_but_a_draft_may_be_unfinished(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)

    refused = client.post(url(draft), scene.changes(action="continue", consent_given_on=""))
    saved = client.post(url(draft), scene.changes(action="draft", basis="", consent_given_on=""))

    assert (
        '<a href="#id_consent_given_on">Enter the date the person gave consent</a>'
        in refused.content.decode()
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert (draft.lawful_basis, draft.consent_given_on, draft.sharing_agreement) == ("", None, "")


def test_a_service_that_stopped_taking_referrals_is_refused(client):
    scene = Scene()
    draft = scene.draft()
    PartnerService.objects.filter(pk=scene.other_service.pk).update(capacity=Capacity.CLOSED)
    client.force_login(scene.worker)
    response = client.post(url(draft), scene.changes())
    assert "Supported lodgings is not taking referrals; choose another service" in response.content.decode()
    draft.refresh_from_db()
    assert draft.service == scene.service


def test_a_sent_referral_cannot_be_changed(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)
    services.send_referral(actor=scene.worker, referral=draft)

    shown = client.get(url(draft), follow=True)
    posted = client.post(url(draft), scene.changes())

    assert shown.redirect_chain == [(f"/referrals/{draft.pk}/", 302)]
    assert f"Referral {draft.reference} is sent: only a draft can be changed" in shown.content.decode()
    assert posted.status_code == 200
    assert "This referral is sent; only a draft can be changed" in posted.content.decode()
    draft.refresh_from_db()
    assert draft.reason == "Needs a tenancy"


def test_a_team_member_not_on_the_case_team_gets_403(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=scene.world.own_team))
    assert client.get(url(draft)).status_code == 403
    assert client.post(url(draft), scene.changes()).status_code == 403
    draft.refresh_from_db()
    assert draft.reason == "Needs a tenancy"


def test_another_team_and_partners_get_404(client):
    scene = Scene()
    draft = scene.draft()
    for user in (
        member(Role.MANAGER, team=scene.world.other_team),
        member(Role.PARTNER, organisation=scene.service.organisation),
    ):
        client.force_login(user)
        assert client.get(url(draft)).status_code == 404
        assert client.post(url(draft), scene.changes()).status_code == 404
    draft.refresh_from_db()
    assert draft.reason == "Needs a tenancy"


def test_an_old_consent_is_refused_by_the_service_rule(client):
    scene = Scene()
    draft = scene.draft()
    client.force_login(scene.worker)
    response = client.post(
        url(draft), scene.changes(consent_given_on=f"{TODAY - dt.timedelta(days=500):%d/%m/%Y}")
    )
    assert (
        '<a href="#id_consent_given_on">Consent given more than a year ago must be asked for again</a>'
        in response.content.decode()
    )
