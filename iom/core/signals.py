"""Sign-in auditing. Django announces sign-ins by signal, so this is where we hear them."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from iom.core import audit
from iom.core.models import User


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action="user.signed_in", target=user)


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
