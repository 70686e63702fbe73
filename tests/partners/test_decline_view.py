"""A partner declines a new referral with a reason: it closes, leaves their list, and the need is
back to identified for the worker to find another way."""

import pytest
from django.core import mail

from cohorts.models import Need, NeedStatus
from iom.core.models import AuditEvent
from partners.models import Referral
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db


def url(referral: Referral) -> str:
    return f"/referrals-to-us/{referral.pk}/decline/"


@pytest.fixture
def scene():
    return Scene()


def test_the_page_asks_for_a_reason_and_warns_that_the_referral_closes(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    response = client.get(url(referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Decline the referral for Dean Robson?" in html
    assert "Why are you declining the referral?" in html
    assert "Declining closes the referral." in html
    assert "govuk-button--warning" in html


def test_declining_closes_the_referral_and_returns_to_the_list(
    client, scene, django_capture_on_commit_callbacks
):
    referral = scene.refer()
    mail.outbox.clear()
    client.force_login(scene.partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(referral), {"reason": "We only house people over 25"}, follow=True)

    assert response.redirect_chain == [("/referrals-to-us/", 302)]
    html = response.content.decode()
    assert f"Referral {referral.reference} declined." in html
    assert "No referrals waiting" in html
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    assert referral.events.get(to_status=Referral.Status.DECLINED).note == "We only house people over 25"
    assert (
        Need.objects.get(nominal=scene.world.nominal, pathway="accommodation").status == NeedStatus.IDENTIFIED
    )
    assert AuditEvent.objects.filter(action="referral.declined", actor=scene.partner).exists()
    assert [message.to for message in mail.outbox] == [["pat.officer@police.example.org"]]
    # Closed: its page is gone for the partner.
    assert client.get(f"/referrals-to-us/{referral.pk}/").status_code == 404


def test_a_reason_is_required_and_nothing_is_saved_without_one(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    response = client.post(url(referral), {"reason": "  "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_reason"' in html
    assert "Enter why you are declining the referral, so the worker can find another way" in html
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_an_accepted_referral_cannot_be_declined(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.post(url(referral), {"reason": "Changed our mind"}, follow=True)
    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    assert f"Referral {referral.reference} is accepted, so you can no longer decline it" in (
        response.content.decode()
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partner_gets_404_and_nothing_changes(client, scene, method):
    referral = scene.refer()
    client.force_login(scene.other_partner())
    assert (
        getattr(client, method)(url(referral), *([{"reason": "No"}] if method == "post" else [])).status_code
        == 404
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_team_member_gets_404(client, scene, method):
    referral = scene.refer()
    client.force_login(scene.team_member())
    assert getattr(client, method)(url(referral)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_same_partner_gets_404_once_the_referral_is_closed(client, scene, method):
    referral = scene.completed()
    client.force_login(scene.partner)
    assert getattr(client, method)(url(referral)).status_code == 404
