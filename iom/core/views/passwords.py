"""Password reset by email link (for anyone, signed in or not) and password change (signed in).

Django's views do the work: one-use, time-limited tokens (PASSWORD_RESET_TIMEOUT), the token moved
out of the address before the form shows, and the same answer whether or not an account exists.
Django already marks the reset views login_not_required and the change views login_required; the
second-factor middleware lets the reset pages through by their URL names (password-reset*).
"""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from iom.core.passwords import ChangePasswordForm, ResetPasswordForm, ResetRequestForm


class ResetRequestView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "core/passwords/reset_request.html"
    success_url = reverse_lazy("password-reset-done")


class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "core/passwords/reset_sent.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    template_name = "core/passwords/reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/passwords/reset_complete.html"


class ChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    template_name = "core/passwords/change.html"
    success_url = reverse_lazy("password-change-done")


class ChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "core/passwords/change_done.html"
