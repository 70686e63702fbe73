"""Ending a user's sessions at once: deactivation and losing the last membership, by any path."""

import pytest

from iom.core import services
from iom.core.factories import MembershipFactory, UserFactory
from iom.core.models import AuditEvent, Membership, Role, User

pytestmark = pytest.mark.django_db


def signed_in_as(client, user):
    client.force_login(user)
    assert client.get("/account/password/").status_code == 200
    return client


def is_signed_out(client) -> bool:
    response = client.get("/account/password/")
    return response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_ending_sessions_signs_the_user_out_at_the_next_request_and_is_audited(client):
    user = UserFactory.create()
    signed_in_as(client, user)
    services.end_sessions(user=user, reason="test")
    assert is_signed_out(client)
    event = AuditEvent.objects.get(action="sessions.ended")
    assert (event.target_id, event.actor, event.actor_label) == (str(user.pk), None, "system")
    assert event.detail == {"reason": "test"}


def test_it_counts_up_and_keeps_the_callers_copy_current():
    user = UserFactory.create()
    services.end_sessions(user=user, reason="test")
    services.end_sessions(user=user, reason="test")
    assert user.session_epoch == 2
    user.save()  # a later save of the same object must not write an old epoch back
    assert User.objects.get(pk=user.pk).session_epoch == 2


def test_deactivating_a_user_ends_their_sessions(client):
    user = UserFactory.create()
    signed_in_as(client, user)
    user.is_active = False
    user.save()
    assert is_signed_out(client)
    assert AuditEvent.objects.get(action="sessions.ended").detail == {"reason": "deactivated"}


def test_deactivating_by_a_queryset_update_still_signs_out(client):
    # No signal fires for QuerySet.update(), so nothing is audited as ended, but Django's
    # ModelBackend refuses an inactive user's session at its next request all the same.
    user = UserFactory.create()
    signed_in_as(client, user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert is_signed_out(client)


def test_saving_an_active_user_ends_nothing(client):
    user = UserFactory.create()
    signed_in_as(client, user)
    user.full_name = "Sam Jones"
    user.save()
    saved_inactive = UserFactory.create(is_active=False)
    saved_inactive.save()
    assert not is_signed_out(client)
    assert not AuditEvent.objects.filter(action="sessions.ended").exists()


def test_removing_the_last_membership_ends_their_sessions(client):
    user = UserFactory.create()
    first = MembershipFactory.create(user=user)
    second = MembershipFactory.create(user=user, role=Role.MANAGER)
    signed_in_as(client, user)
    first.delete()
    assert not is_signed_out(client)
    second.delete()
    assert is_signed_out(client)
    assert AuditEvent.objects.get(action="sessions.ended").detail == {"reason": "last membership removed"}


def test_removing_memberships_in_bulk_ends_sessions_too(client):
    user = UserFactory.create()
    MembershipFactory.create(user=user)
    signed_in_as(client, user)
    Membership.objects.filter(user=user).delete()
    assert is_signed_out(client)


def test_the_api_tokens_of_a_deactivated_user_are_refused(client):
    user = UserFactory.create()
    MembershipFactory.create(user=user)
    issued = services.create_api_token(actor=user, name="Feed", lifetime_days=30)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.raw}"}
    assert client.get("/api/v1/me/", **headers).status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me/", **headers).status_code == 401


def test_the_api_tokens_of_a_user_without_a_membership_are_refused(client):
    user = UserFactory.create()
    membership = MembershipFactory.create(user=user)
    issued = services.create_api_token(actor=user, name="Feed", lifetime_days=30)
    membership.delete()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {issued.raw}").status_code == 401


def test_a_password_change_keeps_the_session_that_made_it_after_an_earlier_end(client):
    user = UserFactory.create()
    services.end_sessions(user=user, reason="test")
    signed_in_as(client, user)
    new = "plum orchard lantern 47"
    client.post(
        "/account/password/",
        {"old_password": "correct horse battery staple", "new_password1": new, "new_password2": new},
    )
    assert not is_signed_out(client)


def test_the_session_hash_includes_the_epoch():
    user = UserFactory.create()
    before = user.get_session_auth_hash()
    user.session_epoch += 1
    assert user.get_session_auth_hash() != before
