"""A partner records a session with the person, and whether they attended."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Referral, ReferralEvent
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(referral: Referral) -> str:
    return f"/referrals-to-us/{referral.pk}/sessions/new/"


def typed(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def scene():
    return Scene()


def test_the_form_offers_the_date_attendance_and_a_note(client, scene):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.get(url(referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Record a session</h1>' in html
    assert f'value="{typed(TODAY)}"' in html
    for attendance in ReferralEvent.Attendance:
        assert f'value="{attendance.value}"' in html
        assert attendance.label in html
    assert "Note (optional)" in html


def test_a_session_is_recorded_and_the_worker_told(client, scene, django_capture_on_commit_callbacks):
    referral = scene.accepted()
    mail.outbox.clear()
    client.force_login(scene.partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(referral),
            {"session_on": typed(TODAY), "attendance": "did_not_attend", "note": "No answer at the door"},
            follow=True,
        )

    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    html = response.content.decode()
    assert f"Session on {TODAY:%-d %B %Y} recorded: did not attend" in html
    assert "Session: did not attend" in html
    session = referral.events.get(kind=ReferralEvent.Kind.SESSION)
    assert (session.occurred_on, session.attendance, session.note, session.by_partner) == (
        TODAY,
        "did_not_attend",
        "No answer at the door",
        True,
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.IN_PROGRESS
    assert [message.to for message in mail.outbox] == [["pat.officer@police.example.org"]]
    assert "added a session" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"session_on": typed(TODAY)}, "attendance", "Select whether the person attended"),
        (
            {"session_on": typed(TODAY), "attendance": "maybe"},
            "attendance",
            "Select whether the person attended",
        ),
        ({"session_on": "", "attendance": "attended"}, "session_on", "Enter the date of the session"),
        (
            {"session_on": typed(TODAY + dt.timedelta(days=1)), "attendance": "attended"},
            "session_on",
            "The date must be today or in the past",
        ),
        (
            {"session_on": typed(TODAY - dt.timedelta(days=5)), "attendance": "attended"},
            "session_on",
            "The session must be on or after the day the referral was sent",
        ),
    ],
    ids=["no attendance", "unknown attendance", "no date", "in the future", "before the referral"],
)
def test_bad_input_is_shown_against_its_field_and_nothing_is_saved(client, scene, data, field, message):
    referral = scene.accepted()
    client.force_login(scene.partner)
    response = client.post(url(referral), data)
    assert response.status_code == 200
    html = response.content.decode()
    anchor = f"#id_{field}_0" if field == "attendance" else f"#id_{field}"
    assert f'href="{anchor}"' in html
    assert message in html
    assert not referral.events.filter(kind=ReferralEvent.Kind.SESSION).exists()


def test_a_referral_not_yet_accepted_takes_no_sessions(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    response = client.post(url(referral), {"session_on": typed(TODAY), "attendance": "attended"}, follow=True)
    assert response.redirect_chain == [(f"/referrals-to-us/{referral.pk}/", 302)]
    assert "so you cannot record a session until it is accepted" in response.content.decode()
    assert not referral.events.filter(kind=ReferralEvent.Kind.SESSION).exists()
    assert client.get(url(referral)).status_code == 302


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_partner_gets_404_and_nothing_changes(client, scene, method):
    referral = scene.accepted()
    client.force_login(scene.other_partner())
    data = {"session_on": typed(TODAY), "attendance": "attended"} if method == "post" else {}
    assert getattr(client, method)(url(referral), data).status_code == 404
    assert not referral.events.filter(kind=ReferralEvent.Kind.SESSION).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_team_member_gets_404(client, scene, method):
    referral = scene.accepted()
    client.force_login(scene.team_member())
    assert getattr(client, method)(url(referral)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_same_partner_gets_404_once_the_referral_is_closed(client, scene, method):
    referral = scene.completed()
    client.force_login(scene.partner)
    assert getattr(client, method)(url(referral)).status_code == 404
