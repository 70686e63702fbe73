"""Password services (iom/core/services.py): the new password, the API tokens it ends, and the audit
row, written together; the forms Django's views call save through them."""

import pytest

from iom.core import audit, services
from iom.core.factories import MembershipFactory, UserFactory
from iom.core.models import AuditEvent
from iom.core.passwords import ChangePasswordForm, ResetPasswordForm

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "copper kettle evening lantern"


def test_resetting_a_password_sets_it_revokes_the_users_api_tokens_and_audits_it():
    user = UserFactory.create()
    MembershipFactory.create(user=user)  # only people with a role hold tokens
    issued = services.create_api_token(actor=user, name="Force data feed", lifetime_days=30)

    services.reset_password(user=user, new_password=NEW_PASSWORD)

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    event = AuditEvent.objects.get(action="password.reset")
    assert (event.actor, event.target_id, event.detail) == (user, str(user.pk), {"api_tokens_revoked": 1})


def test_changing_a_password_sets_it_and_audits_it():
    user = UserFactory.create()

    services.change_password(user=user, new_password=NEW_PASSWORD)

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="password.changed")
    assert (event.actor, event.target_id) == (user, str(user.pk))


def test_a_password_is_not_changed_when_its_audit_row_cannot_be_written(monkeypatch):
    user = UserFactory.create()
    user.set_password("the old one, long enough")
    user.save()

    def broken(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.change_password(user=user, new_password=NEW_PASSWORD)

    user.refresh_from_db()
    assert user.check_password("the old one, long enough")


@pytest.mark.parametrize(
    ("form_class", "service", "data"),
    [
        (ResetPasswordForm, "reset_password", {}),
        (ChangePasswordForm, "change_password", {"old_password": "the old one, long enough"}),
    ],
)
def test_the_forms_save_through_the_services(form_class, service, data, monkeypatch):
    user = UserFactory.create()
    user.set_password("the old one, long enough")
    user.save()
    called = {}
    monkeypatch.setattr(services, service, lambda **kwargs: called.update(kwargs) or kwargs["user"])
    form = form_class(user, {**data, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors

    assert form.save() == user

    assert called == {"user": user, "new_password": NEW_PASSWORD}
