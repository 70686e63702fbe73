import pytest

from iom.core.factories import UserFactory
from iom.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_the_sign_in_page_is_public(client):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    assert b"Sign in to IOM case manager" in response.content


def test_pages_need_signing_in(client):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/people/"


def test_signing_in_by_email_is_audited(client):
    user = UserFactory.create(email="sam@example.org")
    response = client.post("/sign-in/", {"username": "sam@example.org", "password": PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.signed_in")
    assert event.actor == user


def test_a_failed_sign_in_is_audited_with_the_email_but_never_the_password(client):
    UserFactory.create(email="sam@example.org")
    response = client.post("/sign-in/", {"username": "sam@example.org", "password": "wrong-guess"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="user.sign_in_failed")
    assert (event.actor, event.actor_label) == (None, "sam@example.org")
    assert "wrong-guess" not in str(event.detail)


def test_errors_are_summarised_and_linked_to_their_fields(client):
    response = client.post("/sign-in/", {"username": "", "password": ""})
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_username">Enter your email address</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert "<title>Sign in (error)" in html


def test_signing_out_is_a_post_and_is_audited(client):
    user = UserFactory.create()
    client.force_login(user)
    assert client.get("/sign-out/").status_code == 405
    assert client.post("/sign-out/").status_code == 302
    assert AuditEvent.objects.filter(action="user.signed_out", actor=user).exists()
