"""Changing a password while signed in: this session stays, the others end."""

import pytest

from iom.core.factories import UserFactory
from iom.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "plum orchard lantern 47"


def change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_signing_in_comes_first(client):
    assert client.get("/account/password/")["Location"] == "/sign-in/?next=/account/password/"


def test_changing_keeps_this_session_ends_the_others_and_is_audited(client):
    user = UserFactory.create()
    client.force_login(user)
    elsewhere = type(client)()
    elsewhere.force_login(user)

    response = change(client)
    assert response.status_code == 302
    assert response["Location"] == "/account/password/changed/"
    assert client.get("/account/password/changed/").status_code == 200
    assert elsewhere.get("/account/password/").status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="password.changed", actor=user).count() == 1


def test_a_wrong_current_password_changes_nothing(client):
    user = UserFactory.create()
    client.force_login(user)
    html = change(client, old="not it at all").content.decode()
    assert '<a href="#id_old_password">Your current password is not right: enter it again</a>' in html
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="password.changed").exists()


def test_the_two_new_passwords_must_match(client):
    client.force_login(UserFactory.create())
    html = change(client, again="plum orchard lantern 48").content.decode()
    assert "The passwords do not match" in html


def test_empty_fields_are_named(client):
    client.force_login(UserFactory.create())
    html = client.post("/account/password/", {}).content.decode()
    for message in ("Enter your current password", "Enter a new password", "Enter the new password again"):
        assert message in html
