"""API tokens in the Django admin: read-only, never the digest, and revoking goes through the service."""

import pytest

from iom.core import services
from iom.core.models import ApiToken, AuditEvent, Role
from tests.actors import member

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/core/apitoken/"


@pytest.fixture
def administrator():
    return member(Role.ADMINISTRATOR)


def issue(user, name="Housing feed") -> services.IssuedToken:
    return services.create_api_token(actor=user, name=name, lifetime_days=30)


def test_the_list_shows_who_holds_each_token_but_never_its_digest(client, administrator):
    holder = member(Role.PARTNER)
    token = issue(holder).token
    client.force_login(administrator)

    changelist = client.get(CHANGELIST).content.decode()
    detail = client.get(f"{CHANGELIST}{token.pk}/change/").content.decode()

    for column in ("Name", "Key id", "Created at", "Expires at", "Last used at", "Revoked at"):
        assert column in changelist
    assert token.key_id in changelist
    assert "Housing feed" in changelist
    for html in (changelist, detail):
        assert token.secret_digest not in html
        assert "digest" not in html.lower()


def test_tokens_are_not_added_changed_or_deleted_in_the_admin(client, administrator):
    token = issue(member(Role.PARTNER)).token
    client.force_login(administrator)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.get(f"{CHANGELIST}{token.pk}/delete/").status_code == 403
    response = client.post(f"{CHANGELIST}{token.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.name == "Housing feed"
    assert "delete_selected" not in client.get(CHANGELIST).content.decode()


def test_revoking_selected_tokens_goes_through_the_service_and_is_audited(client, administrator):
    holder = member(Role.PARTNER)
    live = issue(holder, name="Live").token
    already = services.revoke_api_token(actor=holder, token=issue(holder, name="Already").token)
    client.force_login(administrator)

    response = client.post(
        CHANGELIST,
        {"action": "revoke_selected", "_selected_action": [live.pk, already.pk]},
        follow=True,
    )

    assert "Revoked 1 token" in response.content.decode()
    live.refresh_from_db()
    assert live.revoked_by == administrator
    events = AuditEvent.objects.filter(action="api_token.revoked")
    assert [(event.actor, event.target_id) for event in events.order_by("pk")] == [
        (holder, str(already.pk)),
        (administrator, str(live.pk)),
    ]
    already.refresh_from_db()
    assert already.revoked_by == holder


def test_only_administrators_reach_the_tokens_in_the_admin(client):
    client.force_login(member(Role.PARTNER))
    assert client.get(CHANGELIST).status_code == 302
    assert ApiToken.objects.count() == 0
