"""A partner closes a referral with an outcome: the need moves, and their access to the person ends."""

import pytest
from django.core import mail

from cohorts.models import Need, NeedStatus
from iom.core import access
from iom.core.models import AuditEvent
from partners.models import Referral
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db


def url(referral: Referral) -> str:
    return f"/referrals-to-us/{referral.pk}/complete/"


@pytest.fixture
def scene():
    return Scene()


def need_status(scene: Scene) -> str:
    return Need.objects.get(nominal=scene.world.nominal, pathway="accommodation").status


def test_the_form_offers_the_outcomes_and_warns_that_access_ends(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.get(url(referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Close the referral with an outcome</h1>' in html
    assert "Closing the referral ends your organisation's access to Dean Robson's details." in html
    for outcome in Referral.Outcome:
        assert f'value="{outcome.value}"' in html
        assert outcome.label in html


def test_an_achieved_outcome_meets_the_need_ends_access_and_returns_to_the_list(
    client, scene, django_capture_on_commit_callbacks
):
    referral = scene.accepted()
    mail.outbox.clear()
    client.force_login(scene.partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(referral), {"outcome": "achieved", "summary": "Signed a tenancy at Mill Road"}, follow=True
        )

    assert response.redirect_chain == [("/referrals-to-us/", 302)]
    assert f"Referral {referral.reference} closed: achieved." in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (Referral.Status.COMPLETED, "achieved")
    assert referral.events.get(to_status=Referral.Status.COMPLETED).note == "Signed a tenancy at Mill Road"
    assert need_status(scene) == NeedStatus.MET
    assert not access.partner_sees_nominal(scene.partner, scene.world.nominal)
    revoked = AuditEvent.objects.get(action="partner_access.revoked")
    assert (revoked.recipient, revoked.nominal_id) == (scene.organisation, scene.world.nominal.pk)
    assert [message.to for message in mail.outbox] == [["pat.officer@police.example.org"]]
    # The same partner can no longer open the referral.
    assert client.get(f"/referrals-to-us/{referral.pk}/").status_code == 404


def test_an_outcome_not_achieved_puts_the_need_back_to_identified(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    client.post(url(referral), {"outcome": "not_achieved", "summary": "Stopped engaging"})
    assert need_status(scene) == NeedStatus.IDENTIFIED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"summary": "Done"}, "outcome_0", "Select the outcome of the work"),
        ({"outcome": "great", "summary": "Done"}, "outcome_0", "Select the outcome of the work"),
        ({"outcome": "achieved", "summary": ""}, "summary", "Summarise what was done and what is left"),
    ],
    ids=["no outcome", "unknown outcome", "no summary"],
)
def test_bad_input_is_shown_against_its_field_and_nothing_is_saved(client, scene, data, field, message):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.post(url(referral), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="#id_{field}"' in html
    assert message in html
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert access.partner_sees_nominal(scene.partner, scene.world.nominal)


def test_a_referral_not_yet_accepted_cannot_be_closed_with_an_outcome(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    response = client.post(url(referral), {"outcome": "achieved", "summary": "Done"}, follow=True)
    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    assert "is new, so you cannot close it with an outcome until it is accepted" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partner_gets_404_and_nothing_changes(client, scene, method):
    referral = scene.accepted()
    client.force_login(scene.other_partner())
    data = {"outcome": "achieved", "summary": "Done"} if method == "post" else {}
    assert getattr(client, method)(url(referral), data).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_team_member_gets_404(client, scene, method):
    referral = scene.accepted()
    client.force_login(scene.team_member())
    assert getattr(client, method)(url(referral)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_same_partner_gets_404_once_the_referral_is_closed(client, scene, method):
    referral = scene.completed()
    client.force_login(scene.partner)
    data = {"outcome": "not_achieved", "summary": "Again"} if method == "post" else {}
    assert getattr(client, method)(url(referral), data).status_code == 404
    referral.refresh_from_db()
    assert referral.outcome == "achieved"
