"""Session limits: signed out after 30 minutes without a request and 12 hours after signing in."""

import time

import pytest

from iom.core import sessions
from iom.core.factories import UserFactory
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(client):
    user = UserFactory.create()
    client.force_login(user)
    return user


def age(client, *, last_seen: float = 0, signed_in: float = 0) -> None:
    """Move the session's clocks back by so many seconds."""
    session = client.session
    session[sessions.LAST_SEEN_AT] -= last_seen
    session[sessions.SIGNED_IN_AT] -= signed_in
    session.save()


def test_signing_in_starts_both_clocks(client, user):
    session = client.session
    assert abs(session[sessions.SIGNED_IN_AT] - time.time()) < 5
    assert session[sessions.LAST_SEEN_AT] == session[sessions.SIGNED_IN_AT]


def test_a_request_inside_the_limits_is_answered(client, user):
    age(client, last_seen=29 * 60, signed_in=11 * 60 * 60)
    assert client.get("/account/password/").status_code == 200


def test_thirty_minutes_without_a_request_signs_out_and_says_why(client, user):
    age(client, last_seen=30 * 60 + 1)
    response = client.get("/account/password/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Faccount%2Fpassword%2F&signed_out=idle"
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="session.expired")
    assert (event.actor, event.detail) == (user, {"reason": "idle"})
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page


def test_twelve_hours_after_signing_in_signs_out_however_busy(client, user):
    age(client, signed_in=12 * 60 * 60 + 1)
    response = client.get("/account/password/")
    assert response["Location"].endswith("signed_out=absolute")
    assert AuditEvent.objects.get(action="session.expired").detail == {"reason": "absolute"}
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out 12 hours after signing in." in page


def test_the_api_answers_a_401_problem_rather_than_a_redirect(client, user):
    age(client, last_seen=31 * 60)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "without activity" in response.json()["detail"]


def test_htmx_is_told_to_go_to_the_sign_in_page(client, user):
    age(client, last_seen=31 * 60)
    response = client.get("/account/password/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/sign-in/?next=%2Faccount%2Fpassword%2F&signed_out=idle"


def test_last_seen_is_written_at_most_once_a_minute(client, user):
    age(client, last_seen=30)
    before = client.session[sessions.LAST_SEEN_AT]
    client.get("/account/password/")
    assert client.session[sessions.LAST_SEEN_AT] == before
    age(client, last_seen=31)
    client.get("/account/password/")
    assert abs(client.session[sessions.LAST_SEEN_AT] - time.time()) < 5


def test_each_response_says_how_long_the_session_has_left(client, user):
    age(client, last_seen=45)
    remaining = int(client.get("/account/password/")[sessions.SESSION_REMAINING_HEADER])
    assert 30 * 60 - 50 <= remaining <= 30 * 60 - 45


def test_a_session_from_before_the_limits_gets_its_clocks_at_its_next_request(client, user):
    session = client.session
    del session[sessions.SIGNED_IN_AT]
    del session[sessions.LAST_SEEN_AT]
    session.save()
    assert client.get("/account/password/").status_code == 200
    assert sessions.SIGNED_IN_AT in client.session


def test_signed_in_pages_carry_the_timeout_warning_with_its_timings(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    html = client.get("/account/password/").content.decode()
    assert 'role="alertdialog"' in html
    assert 'data-idle-seconds="1800"' in html
    assert 'data-warning-seconds="120"' in html
    assert 'data-extend-url="/session/extend/"' in html


def test_the_timeout_warning_follows_the_settings(client, user, settings):
    settings.IOM_SESSION_IDLE_MINUTES = 0.5
    settings.IOM_SESSION_WARNING_SECONDS = 20
    html = client.get("/account/password/").content.decode()
    assert 'data-idle-seconds="30"' in html
    assert 'data-warning-seconds="20"' in html


def test_the_sign_in_page_has_no_timeout_warning(client):
    assert "alertdialog" not in client.get("/sign-in/").content.decode()
