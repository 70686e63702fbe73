"""Password reset by email link: the same answer for every address, a link built from IOM_BASE_URL,
one use, and every other session ended."""

import re

import pytest
from django.core import mail
from django.test import TestCase

from iom.core.factories import UserFactory
from iom.core.models import AuditEvent

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "plum orchard lantern 47"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.IOM_BASE_URL = "https://iom.example.org"


def request_link(client, email, **extra):
    # The worker sends the email once the request commits (CELERY_TASK_ALWAYS_EAGER runs it here).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/sign-in/reset/", {"email": email}, **extra)


def link_in(message) -> str:
    found = re.search(r"https://\S+", message.body)
    assert found is not None, message.body
    return found.group(0)


def test_the_sign_in_page_offers_a_reset(client):
    assert 'href="/sign-in/reset/"' in client.get("/sign-in/").content.decode()


def test_the_reset_page_is_public(client):
    response = client.get("/sign-in/reset/")
    assert response.status_code == 200
    assert "Reset your password" in response.content.decode()


def test_an_empty_address_is_summarised_and_linked(client):
    html = request_link(client, "").content.decode()
    assert '<a href="#id_email">Enter your email address</a>' in html


def test_a_known_address_gets_a_link_to_the_service_whatever_the_host_header(client, settings):
    # A host the server also answers to (an internal name, or a wildcard a proxy lets through).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example.net"]
    UserFactory.create(email="sam@example.org")
    response = request_link(client, "sam@example.org", HTTP_HOST="evil.example.net")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/reset/sent/"
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert link_in(message).startswith("https://iom.example.org/sign-in/reset/")
    assert "evil.example.net" not in message.body


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    known = request_link(client, "nobody@example.org")
    assert known.status_code == 302
    assert known["Location"] == "/sign-in/reset/sent/"
    assert mail.outbox == []
    page = client.get("/sign-in/reset/sent/").content.decode()
    assert "If that address has an account, we have sent it a link" in page


def test_a_request_is_audited_with_what_was_typed(client):
    user = UserFactory.create(email="sam@example.org")
    request_link(client, "sam@example.org")
    request_link(client, "nobody@example.org")
    events = AuditEvent.objects.filter(action="password.reset_requested").order_by("id")
    assert [(e.actor_label, e.detail) for e in events] == [
        ("sam@example.org", {"accounts_sent_a_link": 1}),
        ("nobody@example.org", {"accounts_sent_a_link": 0}),
    ]
    assert str(user.pk) not in request_link(client, "sam@example.org").content.decode()


def test_a_deactivated_account_gets_no_link(client):
    UserFactory.create(email="sam@example.org", is_active=False)
    request_link(client, "sam@example.org")
    assert mail.outbox == []


def follow_link(client, url):
    path = url.removeprefix("https://iom.example.org")
    response = client.get(path)
    # Django moves the token out of the address before showing the form.
    assert response.status_code == 302
    return response["Location"]


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(client, django_user_model):
    user = UserFactory.create(email="sam@example.org")
    elsewhere = type(client)()
    elsewhere.force_login(user)
    assert elsewhere.get("/account/password/").status_code == 200

    request_link(client, "sam@example.org")
    form_url = follow_link(client, link_in(mail.outbox[0]))
    assert "Choose a new password" in client.get(form_url).content.decode()
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="password.reset", actor=user).exists()
    # The other browser is signed out at its next request.
    assert elsewhere.get("/account/password/")["Location"].startswith("/sign-in/")
    # And the link is spent.
    again = client.get(link_in(mail.outbox[0]).removeprefix("https://iom.example.org"), follow=True)
    assert "This link does not work" in again.content.decode()


def test_a_weak_new_password_is_refused_with_its_reason(client):
    UserFactory.create(email="sam@example.org")
    request_link(client, "sam@example.org")
    form_url = follow_link(client, link_in(mail.outbox[0]))
    html = client.post(form_url, {"new_password1": "password", "new_password2": "password"}).content.decode()
    assert "There is a problem" in html
    assert "too short" in html
    assert "too common" in html


def test_the_reset_pages_answer_a_signed_in_user_too(client):
    client.force_login(UserFactory.create())
    assert client.get("/sign-in/reset/").status_code == 200


def test_the_email_is_left_to_the_worker_so_the_answer_takes_as_long_either_way(
    client, django_capture_on_commit_callbacks
):
    UserFactory.create(email="sam@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/sign-in/reset/", {"email": "sam@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing sent within the request
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_the_worker_sends_nothing_to_an_account_deactivated_since(client):
    from iom.core.passwords import send_password_reset_link

    user = UserFactory.create(email="sam@example.org", is_active=False)
    send_password_reset_link(user_id=user.pk)
    assert mail.outbox == []


def test_a_reset_revokes_the_api_tokens_made_with_the_old_password(client):
    from iom.core import services
    from iom.core.factories import MembershipFactory

    user = UserFactory.create(email="sam@example.org")
    MembershipFactory.create(user=user)  # a role: only people who use the service hold tokens
    issued = services.create_api_token(actor=user, name="Force data feed", lifetime_days=30)
    request_link(client, "sam@example.org")
    form_url = follow_link(client, link_in(mail.outbox[0]))
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert AuditEvent.objects.get(action="password.reset").detail == {"api_tokens_revoked": 1}
