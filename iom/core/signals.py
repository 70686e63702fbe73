"""Receivers for what Django and django-axes announce by signal: sign-ins, sign-outs, failures and
lockouts (audited), and the safety net that ends a user's sessions when they lose their access."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp import DEVICE_ID_SESSION_KEY

from iom.core import audit, services, sessions
from iom.core.models import Membership, User


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action="user.signed_in", target=user)
    if request is not None and hasattr(request, "session"):
        # Django keeps the session's data when the same person signs in again (the admin's sign-in
        # page accepts a signed-in user): every password sign-in needs a new second-factor code.
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        sessions.start(request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def audit_sign_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action="user.signed_out", target=user)


@receiver(user_login_failed, dispatch_uid="audit_failed_sign_in")
def audit_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django has already masked the password; only the email the person typed is kept.
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    audit.record(actor=None, action="user.sign_in_failed", actor_label=email)


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def audit_lockout(
    sender: Any,
    request: Any = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    # Sent at the failure that reaches the limit, and again for each attempt while locked out.
    audit.record(
        actor=None,
        action="user.locked_out",
        actor_label=str(username or "")[:254],
        detail={"ip_address": ip_address or ""},
    )


# Ending sessions when access goes. These are signals, unlike our business rules (which live in
# services), because this is a cross-cutting safety net: a user can be deactivated or lose their
# last membership by any path (the admin's user page, its membership inline, a shell, a future
# service), and every one of them must sign the user out at once.


@receiver(pre_save, sender=User, dispatch_uid="note_deactivation")
def note_deactivation(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return  # e.g. last_login on sign-in: is_active is not being written
    was_active = User.objects.filter(pk=instance.pk, is_active=True).exists()
    instance._iom_deactivated = was_active  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="end_sessions_on_deactivation")
def end_sessions_on_deactivation(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if getattr(instance, "_iom_deactivated", False):
        instance._iom_deactivated = False  # type: ignore[attr-defined]
        services.end_sessions(user=instance, reason="deactivated")


@receiver(post_delete, sender=Membership, dispatch_uid="end_sessions_on_last_membership")
def end_sessions_on_last_membership(sender: Any, instance: Membership, **kwargs: Any) -> None:
    user = User.objects.filter(pk=instance.user_id).first()
    if user is None:
        return  # the user is being deleted with their memberships
    if not Membership.objects.filter(user_id=user.pk).exists():
        services.end_sessions(user=user, reason="last membership removed")
