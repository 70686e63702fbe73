"""API tokens: issued to their holder, stored as a digest, revoked by the holder or an administrator."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from iom.core import services
from iom.core.factories import UserFactory
from iom.core.models import ApiToken, AuditEvent, Role
from iom.core.selectors import usable_api_token
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return member(Role.POLICE_OFFENDER_MANAGER, team=build_world().own_team)


def test_a_token_is_shown_once_and_only_its_digest_kept(officer):
    issued = services.create_api_token(actor=officer, name="  Force data feed ", lifetime_days=90)

    prefix, key_id, secret = issued.raw.split("_", 2)
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert prefix == "iom"
    assert token.key_id == key_id
    assert token.name == "Force data feed"
    assert secret not in token.secret_digest
    assert token.secret_digest == services.digest(secret)
    assert token.expires_at - token.created_at == datetime.timedelta(days=90)
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == officer
    assert event.target_id == str(token.pk)
    assert event.detail["key_id"] == key_id
    assert secret not in str(event.detail)


@pytest.mark.parametrize(
    ("name", "lifetime_days", "field"),
    [("", 30, "name"), ("   ", 30, "name"), ("x" * 101, 30, "name"), ("Feed", 7, "lifetime_days")],
)
def test_a_token_needs_a_purpose_and_a_set_lifetime(officer, name, lifetime_days, field):
    with pytest.raises(ValidationError) as raised:
        services.create_api_token(actor=officer, name=name, lifetime_days=lifetime_days)

    assert set(raised.value.message_dict) == {field}
    assert not ApiToken.objects.exists()


def test_someone_with_no_role_may_hold_no_token():
    with pytest.raises(PermissionDenied):
        services.create_api_token(actor=UserFactory.create(), name="Feed", lifetime_days=30)


def test_an_administrator_may_hold_a_token():
    issued = services.create_api_token(actor=member(Role.ADMINISTRATOR), name="Audit feed", lifetime_days=30)

    assert issued.token.user.is_superuser


def test_at_most_ten_tokens_are_in_use_at_once(officer):
    for number in range(services.MAX_ACTIVE_TOKENS):
        services.create_api_token(actor=officer, name=f"Feed {number}", lifetime_days=30)

    with pytest.raises(ValidationError) as raised:
        services.create_api_token(actor=officer, name="One too many", lifetime_days=30)
    assert "name" in raised.value.message_dict

    # Revoked and expired tokens make room.
    first, second = ApiToken.objects.filter(user=officer)[:2]
    services.revoke_api_token(actor=officer, token=first)
    ApiToken.objects.filter(pk=second.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    services.create_api_token(actor=officer, name="Eleventh", lifetime_days=30)
    services.create_api_token(actor=officer, name="Twelfth", lifetime_days=30)


def test_the_holder_revokes_their_token_once(officer):
    token = services.create_api_token(actor=officer, name="Feed", lifetime_days=30).token

    services.revoke_api_token(actor=officer, token=token)
    token.refresh_from_db()
    revoked_at = token.revoked_at
    services.revoke_api_token(actor=officer, token=token)

    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert token.revoked_by == officer
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1
    assert usable_api_token(token.key_id) is None


def test_an_administrator_revokes_anyones_token(officer):
    token = services.create_api_token(actor=officer, name="Feed", lifetime_days=30).token
    administrator = member(Role.ADMINISTRATOR)

    services.revoke_api_token(actor=administrator, token=token)

    token.refresh_from_db()
    assert token.revoked_by == administrator
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor == administrator
    assert event.detail["holder"] == officer.email


def test_no_one_else_may_revoke_a_token(officer):
    token = services.create_api_token(actor=officer, name="Feed", lifetime_days=30).token
    colleague = member(Role.MANAGER, team=officer.memberships.get().team)

    with pytest.raises(PermissionDenied):
        services.revoke_api_token(actor=colleague, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_only_live_tokens_are_usable(officer):
    live = services.create_api_token(actor=officer, name="Live", lifetime_days=30).token
    expired = services.create_api_token(actor=officer, name="Expired", lifetime_days=30).token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())

    assert usable_api_token(live.key_id) == live
    assert usable_api_token(expired.key_id) is None
    assert usable_api_token("no-such-key") is None


def test_last_use_is_written_at_most_once_a_minute(officer, django_assert_num_queries):
    token = services.create_api_token(actor=officer, name="Feed", lifetime_days=30).token

    with django_assert_num_queries(1):
        services.note_api_token_used(token)
    first = token.last_used_at
    assert first is not None

    with django_assert_num_queries(0):
        services.note_api_token_used(token)
    assert token.last_used_at == first

    token.last_used_at = timezone.now() - datetime.timedelta(seconds=61)
    with django_assert_num_queries(1):
        services.note_api_token_used(token)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)
