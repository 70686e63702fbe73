"""A partner accepts a new referral: access to the person follows, and the worker is told."""

import pytest
from django.core import mail

from iom.core import access
from iom.core.models import AuditEvent
from partners.models import REFERRAL_TEXT_MAX_LENGTH, Referral, ReferralEvent
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db


def url(referral: Referral) -> str:
    return f"/referrals-to-us/{referral.pk}/accept/"


@pytest.fixture
def scene():
    return Scene()


def test_the_page_asks_for_confirmation_with_an_optional_note(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    response = client.get(url(referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accept the referral for Dean Robson?" in html
    assert "Note for the referring worker (optional)" in html
    assert ">Accept referral</button>" in html
    assert f'href="/referrals-to-us/{referral.pk}/"' in html


def test_accepting_grants_access_tells_the_worker_and_returns_to_the_referral(
    client, scene, django_capture_on_commit_callbacks
):
    referral = scene.refer()
    mail.outbox.clear()
    client.force_login(scene.partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(referral), {"note": "First appointment on Monday"}, follow=True)

    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    assert f"Referral {referral.reference} accepted." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.responded_at is not None
    event = referral.events.get(to_status=Referral.Status.ACCEPTED)
    assert (event.note, event.actor, event.by_partner) == ("First appointment on Monday", scene.partner, True)
    assert access.partner_sees_nominal(scene.partner, scene.world.nominal)
    assert AuditEvent.objects.get(action="referral.accepted").detail == {"access": "granted"}
    assert [message.to for message in mail.outbox] == [["pat.officer@police.example.org"]]
    assert "accepted the referral" in mail.outbox[0].subject


def test_a_note_that_is_too_long_is_refused_and_nothing_is_saved(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    response = client.post(url(referral), {"note": "x" * (REFERRAL_TEXT_MAX_LENGTH + 1)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "must be 5,000 characters or fewer" in html
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert not access.partner_sees_nominal(scene.partner, scene.world.nominal)


def test_accepting_twice_shows_why_it_cannot_be_done(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    before = ReferralEvent.objects.count()

    response = client.post(url(referral), {"note": ""}, follow=True)

    # Back to the referral, which shows what can be done now, saying why.
    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    assert f"Referral {referral.reference} has already been accepted" in response.content.decode()
    assert ReferralEvent.objects.count() == before


def test_the_page_for_an_accepted_referral_goes_back_to_it_with_a_message(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.get(url(referral), follow=True)
    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    assert f"Referral {referral.reference} has already been accepted" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partner_gets_404_and_nothing_changes(client, scene, method):
    referral = scene.refer()
    client.force_login(scene.other_partner())
    assert getattr(client, method)(url(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert AuditEvent.objects.filter(action="referral.access_denied").count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_team_member_gets_404(client, scene, method):
    referral = scene.refer()
    client.force_login(scene.team_member())
    assert getattr(client, method)(url(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_same_partner_gets_404_once_the_referral_is_closed(client, scene, method):
    referral = scene.completed()
    client.force_login(scene.partner)
    assert getattr(client, method)(url(referral)).status_code == 404
