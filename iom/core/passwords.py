"""Passwords: reset by an emailed link, and change for someone signed in.

Django's own views and token generator do the work; these forms give them GOV.UK markup and our
words, and save through iom.core.services (the change and its audit row in one transaction).
Changing a password changes the session auth hash (User.get_session_auth_hash), which signs the user
out of every other session.
"""

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from iom.core import audit, services
from iom.core.forms import GovukFormMixin
from iom.core.models import User

# Shown under "New password": how to choose one the validators will accept.
CHOOSING_WELL = (
    "Use at least 12 characters. Avoid common passwords and anything like your name or email address. "
    "A few unrelated words together make a good one."
)


def reset_link_context() -> dict[str, str]:
    """Where the emailed link points: the address staff use (IOM_BASE_URL), never the request's
    Host header, which an attacker could set to send a victim's reset token to their own site."""
    base = urlsplit(settings.IOM_BASE_URL)
    return {"protocol": base.scheme, "domain": base.netloc, "base_url": settings.IOM_BASE_URL}


class _NewPasswordFields:
    """Our words for the two new-password fields Django's forms share."""

    fields: dict[str, forms.Field]

    def name_new_password_fields(self) -> None:
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, first.help_text = "New password", CHOOSING_WELL
        first.error_messages["required"] = "Enter a new password"
        second.label, second.help_text = "Confirm new password", ""
        second.error_messages["required"] = "Enter the new password again"


class ResetRequestForm(GovukFormMixin, PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The email address you sign in with."
        email.error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address, like name@example.org",
            }
        )
        email.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    @transaction.atomic
    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        email = self.cleaned_data["email"]
        accounts = list(self.get_users(email))
        # Recorded whatever happens, with what was typed; the page answers the same either way.
        audit.record(
            actor=None,
            action="password.reset_requested",
            actor_label=email[:254],
            detail={"accounts_sent_a_link": len(accounts)},
        )
        # The worker sends the email, so the answer takes as long for an address with an account as
        # for one without: sending in the request would tell the two apart by its time.
        from iom.core.tasks import send_password_reset_link_task  # here: the task imports this module

        for user in accounts:
            send_password_reset_link_task.delay_on_commit(user.pk)


# The email the worker sends (templates beside the reset pages).
RESET_EMAIL_SUBJECT = "core/passwords/reset_email_subject.txt"
RESET_EMAIL_BODY = "core/passwords/reset_email.txt"


def send_password_reset_link(*, user_id: int) -> None:
    """Email a one-use reset link to an active account. The link's address is IOM_BASE_URL's, never
    the Host header the request came with. A retry sends a new link, which is harmless: each works
    once, and any of them stops working when the password changes."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    context = {
        "email": user.email,
        "domain": urlsplit(settings.IOM_BASE_URL).netloc,
        "site_name": "IOM case manager",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        **reset_link_context(),
    }
    ResetRequestForm().send_mail(RESET_EMAIL_SUBJECT, RESET_EMAIL_BODY, context, None, user.email)


class ResetPasswordForm(GovukFormMixin, _NewPasswordFields, SetPasswordForm):
    error_messages = {**SetPasswordForm.error_messages, "password_mismatch": "The passwords do not match"}

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.name_new_password_fields()

    def save(self, commit: bool = True) -> User:
        """Django's view calls this; the service writes and audits (always: commit is Django's)."""
        return services.reset_password(user=self.user, new_password=self.cleaned_data["new_password1"])


class ChangePasswordForm(GovukFormMixin, _NewPasswordFields, PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_mismatch": "The passwords do not match",
        "password_incorrect": "Your current password is not right: enter it again",
    }

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        current = self.fields["old_password"]
        current.label = "Current password"
        current.error_messages["required"] = "Enter your current password"
        current.widget.attrs.pop("autofocus", None)  # focus moving on its own confuses screen readers
        self.name_new_password_fields()

    def save(self, commit: bool = True) -> User:
        """Django's view calls this; the service writes and audits (always: commit is Django's)."""
        return services.change_password(user=self.user, new_password=self.cleaned_data["new_password1"])
