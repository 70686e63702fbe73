"""Withdrawing a referral: confirmed with a reason, refused once it has closed."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import Need, NeedStatus
from iom.core import access
from iom.core.models import AuditEvent, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral, ReferralEvent
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/withdraw/"


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(Role.POLICE_OFFENDER_MANAGER, team=self.world.own_team)
        self.world.nominal.police_offender_manager = self.worker
        self.world.nominal.save()
        organisation = PartnerOrganisationFactory.create(name="Shelter Housing Advice")
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=organisation, name="Tenancy sustainment", pathways=["accommodation"]
        )
        self.partner: User = member(Role.PARTNER, organisation=organisation)

    def refer(self, *, send: bool = True) -> Referral:
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=self.service,
            pathway="accommodation",
            reason="Needs a tenancy",
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=TODAY - dt.timedelta(days=1),
            send=send,
        )


def test_the_confirmation_asks_for_a_reason_and_warns_what_withdrawing_does(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(scene.worker)

    response = client.get(url(referral))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Withdraw referral {referral.reference}" in html
    assert "Shelter Housing Advice can no longer see Dean's information through it" in html
    assert "Why are you withdrawing the referral?" in html
    assert 'class="govuk-button govuk-button--warning"' in html
    assert Referral.objects.get().status == Referral.Status.SENT


def test_withdrawing_closes_it_with_the_reason_and_returns_the_need(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(scene.worker)

    response = client.post(url(referral), {"reason": "Moved out of the area"}, follow=True)

    assert response.redirect_chain == [(f"/referrals/{referral.pk}/", 302)]
    html = response.content.decode()
    assert f"Referral {referral.reference} withdrawn" in html
    assert '<p class="govuk-body">Moved out of the area</p>' in html
    referral.refresh_from_db()
    assert (referral.status, referral.closed_at is not None) == (Referral.Status.WITHDRAWN, True)
    event = ReferralEvent.objects.filter(referral=referral).last()
    assert event is not None
    assert (event.to_status, event.note, event.actor) == ("withdrawn", "Moved out of the area", scene.worker)
    withdrawal = AuditEvent.objects.get(action="referral.withdrawn")
    assert withdrawal.recipient == scene.service.organisation
    assert Need.objects.get(pathway="accommodation").status == NeedStatus.IDENTIFIED


def test_withdrawing_an_accepted_referral_takes_back_the_partners_access(client):
    scene = Scene()
    referral = scene.refer()
    services.accept_referral(actor=scene.partner, referral=referral)
    assert access.partner_sees_nominal(scene.partner, scene.world.nominal)
    client.force_login(scene.worker)

    client.post(url(referral), {"reason": "Housed by family"})

    assert not access.partner_sees_nominal(scene.partner, scene.world.nominal)
    assert AuditEvent.objects.filter(action="partner_access.revoked").count() == 1


def test_a_draft_can_be_withdrawn_too(client):
    scene = Scene()
    draft = scene.refer(send=False)
    client.force_login(scene.worker)
    assert client.post(url(draft), {"reason": "Made in error"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Referral.Status.WITHDRAWN
    assert AuditEvent.objects.get(action="referral.withdrawn").recipient is None


def test_the_reason_is_required(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(scene.worker)
    response = client.post(url(referral), {"reason": "  "})
    assert '<a href="#id_reason">Say why the referral is withdrawn</a>' in response.content.decode()
    assert Referral.objects.get().status == Referral.Status.SENT


def test_a_closed_referral_cannot_be_withdrawn_and_says_why(client):
    scene = Scene()
    referral = scene.refer()
    services.decline_referral(actor=scene.partner, referral=referral, reason="Full")
    client.force_login(scene.worker)

    shown = client.get(url(referral), follow=True)
    posted = client.post(url(referral), {"reason": "Changed my mind"})

    assert shown.redirect_chain == [(f"/referrals/{referral.pk}/", 302)]
    assert (
        f"Referral {referral.reference} is declined, so it can no longer be withdrawn"
        in shown.content.decode()
    )
    assert posted.status_code == 200
    html = posted.content.decode()
    assert "There is a problem" in html
    assert "This referral is declined, so it can no longer be withdrawn" in html
    assert Referral.objects.get().status == Referral.Status.DECLINED


def test_a_team_member_not_on_the_case_team_gets_403(client):
    scene = Scene()
    referral = scene.refer()
    client.force_login(member(Role.SUPPORT_WORKER, team=scene.world.own_team))
    assert client.get(url(referral)).status_code == 403
    assert client.post(url(referral), {"reason": "x"}).status_code == 403
    assert Referral.objects.get().status == Referral.Status.SENT


def test_another_team_and_the_partner_get_404(client):
    scene = Scene()
    referral = scene.refer()
    for user in (member(Role.MANAGER, team=scene.world.other_team), scene.partner):
        client.force_login(user)
        assert client.get(url(referral)).status_code == 404
        assert client.post(url(referral), {"reason": "x"}).status_code == 404
    assert Referral.objects.get().status == Referral.Status.SENT
