"""A partner adds a progress update to a referral they work on; the worker reads it and is told."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cohorts.models import TimelineEvent
from iom.core.models import AuditEvent
from partners.models import Referral, ReferralEvent
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(referral: Referral) -> str:
    return f"/referrals-to-us/{referral.pk}/updates/new/"


def typed(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def scene():
    return Scene()


def test_the_form_asks_for_the_update_and_its_date_defaulting_to_today(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.get(url(referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Add a progress update</h1>' in html
    assert f'value="{typed(TODAY)}"' in html
    assert 'data-module="moj-date-picker"' in html


def test_an_update_is_recorded_starts_the_work_and_tells_the_worker(
    client, scene, django_capture_on_commit_callbacks
):
    referral = scene.accepted()
    mail.outbox.clear()
    client.force_login(scene.partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(referral), {"note": "Viewed a flat on Mill Road", "occurred_on": typed(TODAY)}, follow=True
        )

    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    html = response.content.decode()
    assert "Update added." in html
    assert "Viewed a flat on Mill Road" in html
    referral.refresh_from_db()
    assert referral.status == Referral.Status.IN_PROGRESS
    update = referral.events.get(kind=ReferralEvent.Kind.PROGRESS)
    assert (update.note, update.occurred_on, update.actor, update.by_partner) == (
        "Viewed a flat on Mill Road",
        TODAY,
        scene.partner,
        True,
    )
    # The worker sees it on the person's timeline and is emailed (no name in the email).
    assert TimelineEvent.objects.filter(
        nominal=scene.world.nominal, summary="Update from Northshire Housing Trust"
    ).exists()
    assert [message.to for message in mail.outbox] == [["pat.officer@police.example.org"]]
    assert "Dean Robson" not in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="referral.progress_updated", actor=scene.partner).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"note": "", "occurred_on": typed(TODAY)}, "note", "Enter the update"),
        ({"note": "Seen", "occurred_on": "31/02/2026"}, "occurred_on", "must be a real date"),
        ({"note": "Seen", "occurred_on": ""}, "occurred_on", "Enter the date of the update"),
        (
            {"note": "Seen", "occurred_on": typed(TODAY + dt.timedelta(days=1))},
            "occurred_on",
            "The date must be today or in the past",
        ),
        (
            {"note": "Seen", "occurred_on": typed(TODAY - dt.timedelta(days=3))},
            "occurred_on",
            "The update must be on or after the day the referral was sent",
        ),
    ],
    ids=["no note", "not a date", "no date", "in the future", "before the referral"],
)
def test_bad_input_is_shown_against_its_field_and_nothing_is_saved(client, scene, data, field, message):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.post(url(referral), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not referral.events.filter(kind=ReferralEvent.Kind.PROGRESS).exists()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_a_referral_not_yet_accepted_takes_no_updates(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)

    page = client.get(url(referral), follow=True)
    posted = client.post(url(referral), {"note": "Seen", "occurred_on": typed(TODAY)}, follow=True)

    # Either way, back to the referral, which says why and shows what can be done.
    for response in (page, posted):
        assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
        assert (
            f"Referral {referral.reference} is new, so you cannot add an update until it is accepted"
            in response.content.decode()
        )
    assert not referral.events.filter(kind=ReferralEvent.Kind.PROGRESS).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partner_gets_404_and_nothing_changes(client, scene, method):
    referral = scene.accepted()
    client.force_login(scene.other_partner())
    data = {"note": "Seen", "occurred_on": typed(TODAY)} if method == "post" else {}
    assert getattr(client, method)(url(referral), data).status_code == 404
    assert not referral.events.filter(kind=ReferralEvent.Kind.PROGRESS).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_team_member_gets_404(client, scene, method):
    referral = scene.accepted()
    client.force_login(scene.team_member())
    assert getattr(client, method)(url(referral)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_same_partner_gets_404_once_the_referral_is_closed(client, scene, method):
    referral = scene.completed()
    client.force_login(scene.partner)
    data = {"note": "One more thing", "occurred_on": typed(TODAY)} if method == "post" else {}
    assert getattr(client, method)(url(referral), data).status_code == 404
    assert not referral.events.filter(kind=ReferralEvent.Kind.PROGRESS).exists()
