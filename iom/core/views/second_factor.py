"""The second factor's pages: set up an authenticator app, verify a code (or a recovery code) after
signing in, and the person's account security page."""

from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.models import Device

from iom.core import second_factor
from iom.core.forms import AuthenticatorCodeForm, RecoveryCodeForm
from iom.core.http import AuthenticatedRequest

# Fewer left than this and the person is told to generate new ones.
FEW_RECOVERY_CODES = 3


def _next_url(request: AuthenticatedRequest) -> str:
    """Where the person was going when the second factor stopped them: a page of this site only."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _verified_in_this_session(request: AuthenticatedRequest, device: Device) -> None:
    """Mark the session as past the second factor, under a new session key (the privilege changed)."""
    django_otp.login(request, device)
    request.session.cycle_key()


@never_cache
@require_http_methods(["GET", "POST"])
def set_up(request: AuthenticatedRequest) -> HttpResponse:
    """First sign-in: add the service to an authenticator app, prove it with a code, save recovery codes."""
    next_url = _next_url(request)
    if second_factor.is_verified(request.user):
        return redirect("account:security")
    if second_factor.authenticator_for(request.user) is not None:
        return redirect(_with_next(second_factor.VERIFY, next_url))
    device = second_factor.enrol_authenticator(actor=request.user)
    form = AuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            check = second_factor.confirm_authenticator(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if check.accepted:
                _verified_in_this_session(request, check.device)
                # The codes are in this response alone: stored only as django-otp's tokens, never
                # carried through the session to a redirect, and not cached (never_cache: no-store).
                return render(
                    request,
                    "core/second_factor/recovery_codes.html",
                    {
                        "codes": [
                            second_factor.recovery_code_in_groups(code) for code in check.recovery_codes
                        ],
                        "continue_url": next_url,
                        "first_time": True,
                    },
                )
            form.add_error("code", check.refusal)
    return render(
        request,
        "core/second_factor/set_up.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": second_factor.qr_code_data_uri(device),
            "secret": second_factor.secret_in_groups(device),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """After the password: the code from the person's authenticator app."""
    next_url = _next_url(request)
    if second_factor.is_verified(request.user):
        return redirect(next_url)
    if second_factor.authenticator_for(request.user) is None:
        return redirect(_with_next(second_factor.SET_UP, next_url))
    form = AuthenticatorCodeForm(
        request.POST if request.method == "POST" else None, label="Enter the code from your authenticator app"
    )
    if form.is_bound and form.is_valid():
        try:
            check = second_factor.verify_authenticator(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if check.accepted:
                _verified_in_this_session(request, check.device)
                return redirect(next_url)
            form.add_error("code", check.refusal)
    return render(
        request,
        "core/second_factor/verify.html",
        {
            "form": form,
            "next": next_url,
            "recovery_code_url": _with_next(second_factor.RECOVERY_CODE, next_url),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_code(request: AuthenticatedRequest) -> HttpResponse:
    """A recovery code in place of the app's code, when the phone is not to hand."""
    next_url = _next_url(request)
    if second_factor.is_verified(request.user):
        return redirect(next_url)
    if second_factor.authenticator_for(request.user) is None:
        return redirect(_with_next(second_factor.SET_UP, next_url))
    form = RecoveryCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            check = second_factor.use_recovery_code(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if check.accepted:
                _verified_in_this_session(request, check.device)
                left = second_factor.recovery_codes_left(request.user)
                plural = "" if left == 1 else "s"
                if left < FEW_RECOVERY_CODES:
                    messages.warning(
                        request,
                        f"You have {left} recovery code{plural} left. "
                        "Generate new ones from Account security.",
                    )
                else:
                    messages.info(request, f"You have {left} recovery code{plural} left")
                return redirect(next_url)
            form.add_error("code", check.refusal)
    return render(
        request,
        "core/second_factor/recovery_code.html",
        {"form": form, "next": next_url, "verify_url": _with_next(second_factor.VERIFY, next_url)},
    )


def _password_change_url() -> str | None:
    try:
        return reverse("password-change")
    except NoReverseMatch:
        return None


@never_cache
@require_GET
def security(request: AuthenticatedRequest) -> HttpResponse:
    """The person's own sign-in security: their authenticator app, recovery codes and password."""
    left = second_factor.recovery_codes_left(request.user)
    return render(
        request,
        "core/second_factor/security.html",
        {
            "authenticator": second_factor.authenticator_for(request.user),
            "recovery_codes_left": left,
            "few_left": left < FEW_RECOVERY_CODES,
            "password_change_url": _password_change_url(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Generate new recovery codes: a confirmation, then the new codes, shown once."""
    if request.method == "POST":
        try:
            codes = second_factor.issue_recovery_codes(actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("account:security")
        return render(
            request,
            "core/second_factor/recovery_codes.html",
            {
                "codes": [second_factor.recovery_code_in_groups(code) for code in codes],
                "continue_url": reverse("account:security"),
                "first_time": False,
            },
        )
    return render(
        request,
        "core/second_factor/recovery_codes_confirm.html",
        {"recovery_codes_left": second_factor.recovery_codes_left(request.user)},
    )
