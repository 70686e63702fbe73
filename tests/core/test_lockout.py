"""Sign-in lockout (django-axes): five wrong passwords and the account is paused from that address."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command

from iom.core.factories import UserFactory
from iom.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
EMAIL = "sam@example.org"


@pytest.fixture
def sam():
    return UserFactory.create(email=EMAIL)


def sign_in(client, password, **extra):
    return client.post("/sign-in/", {"username": EMAIL, "password": password}, **extra)


def fail(client, times=5, **extra):
    for _ in range(times):
        response = sign_in(client, "wrong-guess", **extra)
    return response


def test_a_wrong_password_still_shows_the_form_with_its_error(client, sam):
    response = sign_in(client, "wrong-guess")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()


def test_the_fifth_failure_locks_the_account_from_that_address(client, sam):
    assert fail(client, times=4).status_code == 200
    response = fail(client, times=1)
    assert response.status_code == 429
    assert "You cannot sign in for 15 minutes" in response.content.decode()


def test_a_locked_out_account_is_refused_even_with_the_right_password(client, sam):
    fail(client)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/people/").status_code == 302


def test_the_same_account_from_another_address_is_not_locked(client, sam):
    fail(client, REMOTE_ADDR="198.51.100.7")
    response = sign_in(client, PASSWORD, REMOTE_ADDR="198.51.100.8")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sam.pk)


def test_an_address_guessing_across_accounts_is_locked_for_every_account(client, sam):
    for number in range(5):
        client.post("/sign-in/", {"username": f"guess{number}@example.org", "password": "x"})
    assert sign_in(client, PASSWORD).status_code == 429


def test_a_successful_sign_in_starts_the_count_again(client, sam):
    fail(client, times=4)
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, times=4).status_code == 200
    assert sign_in(client, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_address_is_counted_apart(client, sam, settings):
    settings.IOM_TRUSTED_PROXY_HOPS = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    fail(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(client, sam, settings):
    settings.IOM_TRUSTED_PROXY_HOPS = 0
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    fail(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    # Anyone can write the header: changing it must not buy five more guesses.
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


def test_a_lockout_is_audited_with_the_email_and_address(client, sam):
    fail(client, REMOTE_ADDR="198.51.100.7")
    event = AuditEvent.objects.get(action="user.locked_out")
    assert (event.actor, event.actor_label) == (None, EMAIL)
    assert event.detail == {"ip_address": "198.51.100.7"}
    assert AuditEvent.objects.filter(action="user.sign_in_failed").count() == 5


def test_an_administrator_can_unlock_an_account(client, sam):
    fail(client)
    # What the admin's "Access attempts" page does when the attempts are deleted.
    call_command("axes_reset_username", EMAIL)
    assert sign_in(client, PASSWORD).status_code == 302
