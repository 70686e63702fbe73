"""The timeout warning's "Stay signed in": a POST that starts the idle clock again."""

import time

import pytest
from django.test import Client

from iom.core import sessions
from iom.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staying_signed_in_starts_the_idle_clock_again(client):
    client.force_login(UserFactory.create())
    session = client.session
    session[sessions.LAST_SEEN_AT] -= 29 * 60
    session.save()
    response = client.post("/session/extend/")
    assert response.status_code == 204
    assert abs(client.session[sessions.LAST_SEEN_AT] - time.time()) < 5
    assert int(response[sessions.SESSION_REMAINING_HEADER]) >= 30 * 60 - 5
    assert "no-store" in response["Cache-Control"]


def test_it_cannot_outlast_the_absolute_limit(client):
    client.force_login(UserFactory.create())
    session = client.session
    session[sessions.SIGNED_IN_AT] -= 12 * 60 * 60 - 100
    session.save()
    response = client.post("/session/extend/")
    assert int(response[sessions.SESSION_REMAINING_HEADER]) <= 100


def test_it_is_a_post(client):
    client.force_login(UserFactory.create())
    assert client.get("/session/extend/").status_code == 405


def test_it_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory.create())
    assert client.post("/session/extend/").status_code == 403


def test_an_ended_session_cannot_be_extended(client):
    client.force_login(UserFactory.create())
    session = client.session
    session[sessions.LAST_SEEN_AT] -= 31 * 60
    session.save()
    response = client.post("/session/extend/")
    assert response.status_code == 302
    assert "signed_out=idle" in response["Location"]


def test_signing_in_comes_first(client):
    assert client.post("/session/extend/").status_code == 302
