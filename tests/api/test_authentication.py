"""Who is calling: a bearer token for integrations, the session (with CSRF) for the browser."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from iom.core import services
from iom.core.api.authentication import FAILURES_ALLOWED
from iom.core.models import ApiToken, AuditEvent, Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, session_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"
BAD_TOKEN = "The API token is not valid: it is wrong, revoked or expired."


@pytest.fixture
def officer():
    world = build_world()
    return member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)


@pytest.fixture
def issued(officer):
    return services.create_api_token(actor=officer, name="Force data feed", lifetime_days=30)


def call(authorization: str, url: str = URL):
    return APIClient().get(url, HTTP_AUTHORIZATION=authorization)


def assert_refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    return problem_of(response)


def test_a_good_token_authenticates_its_holder(officer, issued):
    response = call(f"Bearer {issued.raw}")

    assert response.status_code == 200
    assert response.json()["id"] == officer.pk
    assert response.json()["token_name"] == "Force data feed"


def test_the_scheme_name_is_case_insensitive(issued):
    assert call(f"bearer {issued.raw}").status_code == 200


def test_a_wrong_secret_is_refused_and_logged(issued):
    prefix, key_id, _secret = issued.raw.split("_", 2)

    body = assert_refused(call(f"Bearer {prefix}_{key_id}_{'x' * 43}"))

    assert body["detail"] == BAD_TOKEN
    event = AuditEvent.objects.get(action="api_token.rejected")
    assert event.actor is None
    assert event.actor_label == f"API token {key_id}"
    assert event.target_id == str(issued.token.pk)
    assert event.detail == {"reason": "wrong secret"}


def test_an_unknown_key_id_is_refused(issued):
    _prefix, _key_id, secret = issued.raw.split("_", 2)

    assert_refused(call(f"Bearer iom_0000000000000000_{secret}"))
    assert AuditEvent.objects.get(action="api_token.rejected").detail == {"reason": "unknown"}


def test_a_revoked_token_is_refused(officer, issued):
    services.revoke_api_token(actor=officer, token=issued.token)

    assert_refused(call(f"Bearer {issued.raw}"))
    # Logged against the token, so a revoked token still in use can be traced to its holder.
    event = AuditEvent.objects.get(action="api_token.rejected")
    assert (event.target_id, event.detail) == (str(issued.token.pk), {"reason": "revoked"})


def test_an_expired_token_is_refused(issued):
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert_refused(call(f"Bearer {issued.raw}"))
    event = AuditEvent.objects.get(action="api_token.rejected")
    assert (event.target_id, event.detail) == (str(issued.token.pk), {"reason": "expired"})


def test_the_token_of_someone_who_no_longer_holds_a_role_is_refused(officer, issued):
    officer.memberships.all().delete()

    assert_refused(call(f"Bearer {issued.raw}"))
    assert AuditEvent.objects.get(action="api_token.rejected").detail == {
        "reason": "holder inactive or without a role"
    }


def test_an_address_that_keeps_sending_bad_tokens_is_told_to_wait_and_no_longer_logged(issued):
    _prefix, key_id, _secret = issued.raw.split("_", 2)
    for _ in range(FAILURES_ALLOWED):
        assert_refused(call(f"Bearer iom_{key_id}_{'x' * 43}"))

    response = call(f"Bearer iom_{key_id}_{'x' * 43}")

    assert response.status_code == 429
    assert problem_of(response)["type"] == "urn:iom:problem:too-many-requests"
    assert int(response["Retry-After"]) > 0
    assert AuditEvent.objects.filter(action="api_token.rejected").count() == FAILURES_ALLOWED
    # Even the right token waits: the address, not the token, has used its budget.
    assert call(f"Bearer {issued.raw}").status_code == 429


def test_the_token_of_a_deactivated_user_is_refused(officer, issued):
    officer.is_active = False
    officer.save()

    assert_refused(call(f"Bearer {issued.raw}"))
    assert AuditEvent.objects.get(action="api_token.rejected").detail == {
        "reason": "holder inactive or without a role"
    }


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer two parts",
        "Bearer not-ours_abc_def",
        # A NUL byte would reach PostgreSQL (which refuses it in text) if the format were not checked first.
        "Bearer iom_0123456\x0089abcdef_" + "x" * 43,
        "Bearer iom_",
        "Bearer iom__secret",
        "Bearer iom_keyid",
        "Bearer iom_keyid_",
        # Not ASCII: what a server hands Django for UTF-8 bytes (WSGI headers are Latin-1).
        "Bearer iom_ключ_секрет".encode().decode("latin-1"),
        "Bearer iom_\u00e9\u00e9_secret",
    ],
)
def test_malformed_bearer_headers_are_refused_not_errors(issued, authorization):
    body = assert_refused(call(authorization))

    assert body["detail"] == BAD_TOKEN
    assert AuditEvent.objects.filter(action="api_token.rejected").count() == 1


def test_the_token_keyword_of_other_frameworks_is_not_ours(issued):
    """`Token …` is not read as a bearer token: the request is simply not authenticated."""
    body = assert_refused(call(f"Token {issued.raw}"))

    assert body["detail"] == "Authentication credentials were not provided."


def test_a_bad_token_is_refused_even_beside_a_good_session(officer):
    client = session_client(officer)

    assert_refused(client.get(URL, HTTP_AUTHORIZATION="Bearer iom_0000_nope"))


def test_last_used_is_noted_at_most_once_a_minute(issued, django_assert_num_queries):
    token = issued.token
    assert token.last_used_at is None

    assert call(f"Bearer {issued.raw}").status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    # Within the minute: no write.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(seconds=50))
    token.refresh_from_db()
    seconds_ago = token.last_used_at
    # The token with its holder; the holder's memberships (no UPDATE).
    with django_assert_num_queries(2):
        assert call(f"Bearer {issued.raw}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == seconds_ago

    # Over a minute on: noted again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(minutes=2))
    assert call(f"Bearer {issued.raw}").status_code == 200
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < datetime.timedelta(seconds=5)


def test_a_signed_in_browser_reads_with_its_session(officer):
    response = session_client(officer).get(URL)

    assert response.status_code == 200
    assert response.json()["id"] == officer.pk


def test_a_session_write_without_the_csrf_token_is_refused(officer):
    response = session_client(officer).post(URL, {})

    assert response.status_code == 403
    assert problem_of(response)["detail"].startswith("CSRF Failed")


def test_a_session_write_with_the_csrf_token_gets_past_the_check(officer):
    client = session_client(officer)
    secret = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret

    response = client.post(URL, {}, HTTP_X_CSRFTOKEN=secret)

    # Past authentication and CSRF: /me/ itself takes no POST.
    assert response.status_code == 405


def test_a_token_write_needs_no_csrf_token(issued):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")

    assert client.post(URL, {}).status_code == 405
