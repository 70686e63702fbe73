"""The second factor: an authenticator app (TOTP) for every user, with one-time recovery codes.

A session is "verified" once a code from the user's authenticator app (or a recovery code) has been
accepted in it; until then `SecondFactorRequiredMiddleware` sends every page to the enrolment or the
verification page. API requests with a token are the exception (docs/decisions/0011-second-factor.md).

The services here write and audit in one transaction, as every service does. A wrong code is not an
exception: it must be counted (django-otp's throttling) and audited, so it is returned as a refusal
rather than raised, which would roll both back.
"""

import base64
import functools
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.core import access, audit
from iom.core import services as core_services
from iom.core.models import User

AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
SET_UP = "account:second-factor-set-up"
VERIFY = "account:second-factor-verify"
RECOVERY_CODE = "account:second-factor-recovery-code"
# Pages a signed-in person may reach before the second factor: signing in and out, the second
# factor's own pages, the timeout warning's "stay signed in" (it shows on them too), and the password
# reset by email (whose URL names start "password-reset").
EXEMPT_PAGES = frozenset(
    {"login", "logout", "session-extend", "healthz", "readyz", SET_UP, VERIFY, RECOVERY_CODE}
)

WRONG_CODE = "The code is not right: enter the 6-digit code your authenticator app shows now"
WRONG_RECOVERY_CODE = "The recovery code is not right, or it has been used: enter one you have not used"


# Reading -----------------------------------------------------------------------------------------


def authenticator_for(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_in_groups(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The app's set-up link as a QR code, an SVG image in a data: URI (the CSP allows data: images;
    an inline <svg> would bring style attributes it refuses)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=4, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def normalised_recovery_code(code: str) -> str:
    """Codes are shown in two groups of five; people type them with spaces, dashes or capitals."""
    return "".join(character for character in code.lower() if character.isalnum())


def recovery_code_in_groups(code: str) -> str:
    return f"{code[:5]} {code[5:]}"


# Writing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """The result of checking a code: the device that accepted it, or why not."""

    device: Device | None = None
    refusal: str = ""
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.device is not None


def _throttled(device: Device) -> str:
    """The words for a device django-otp is making wait after wrong codes, or "" if it is not."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return ""
    locked_until = (data or {}).get("locked_until")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 0
    wait = f"{seconds} seconds" if seconds else "a moment"
    return f"You have entered too many wrong codes. Wait {wait}, then try again"


def _refuse(*, actor: User, throttled: str, code_kind: str) -> Check:
    """Audit a refused code: wrong, or not checked because django-otp is making the device wait
    after earlier wrong ones (django-otp has already counted it)."""
    audit.record(
        actor=actor,
        action="second_factor.failed",
        target=actor,
        detail={"code": code_kind, "throttled": bool(throttled)},
    )
    return Check(refusal=throttled or (WRONG_RECOVERY_CODE if code_kind == "recovery" else WRONG_CODE))


@transaction.atomic
def enrol_authenticator(*, actor: User) -> TOTPDevice:
    """The authenticator app the actor is setting up: the same one until they confirm it, so the QR
    code they scanned stays right if they reload the page."""
    if authenticator_for(actor) is not None:
        raise ValidationError("You have already set up an authenticator app")
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def _recovery_code() -> str:
    """10 base32 characters (50 random bits; django-otp's own are 8), lower case: easy to type."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:10]


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with a new set; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    codes = [_recovery_code() for _ in range(settings.IOM_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_authenticator(*, actor: User, code: str) -> Check:
    """The first code from the new app proves it is set up: confirm it and issue recovery codes."""
    if authenticator_for(actor) is not None:
        raise ValidationError("You have already set up an authenticator app")
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("pk").first()
    if device is None:
        raise ValidationError("Start again: scan the QR code, then enter the code")
    throttled = _throttled(device)
    if throttled or not device.verify_token(code):
        return _refuse(actor=actor, throttled=throttled, code_kind="authenticator")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Any other half-finished set-up (another tab) is now worthless.
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _new_recovery_codes(actor)
    audit.record(
        actor=actor, action="second_factor.enrolled", target=actor, detail={"recovery_codes": len(codes)}
    )
    return Check(device=device, recovery_codes=codes)


@transaction.atomic
def verify_authenticator(*, actor: User, code: str) -> Check:
    """A code from the actor's authenticator app, checked (and throttled) by django-otp."""
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk").first()
    if device is None:
        raise ValidationError("Set up an authenticator app first")
    throttled = _throttled(device)
    if throttled or not device.verify_token(code):
        return _refuse(actor=actor, throttled=throttled, code_kind="authenticator")
    audit.record(actor=actor, action="second_factor.verified", target=actor, detail={"with": "authenticator"})
    return Check(device=device)


@transaction.atomic
def use_recovery_code(*, actor: User, code: str) -> Check:
    """A recovery code in place of the app's code: it works once (django-otp deletes it)."""
    device = (
        StaticDevice.objects.select_for_update().filter(user=actor, confirmed=True).order_by("pk").first()
    )
    if device is None:
        raise ValidationError("You have no recovery codes: ask an administrator to reset your second factor")
    throttled = _throttled(device)
    if throttled or not device.verify_token(normalised_recovery_code(code)):
        return _refuse(actor=actor, throttled=throttled, code_kind="recovery")
    left = device.token_set.count()
    audit.record(actor=actor, action="recovery_code.used", target=actor, detail={"left": left})
    return Check(device=device)


@transaction.atomic
def issue_recovery_codes(*, actor: User) -> list[str]:
    """A new set of recovery codes for the actor, shown to them once; the old ones stop working."""
    if authenticator_for(actor) is None:
        raise ValidationError("Set up an authenticator app first")
    codes = _new_recovery_codes(actor)
    audit.record(
        actor=actor, action="recovery_codes.regenerated", target=actor, detail={"recovery_codes": len(codes)}
    )
    return codes


@transaction.atomic
def reset_second_factor(*, actor: User, user: User) -> None:
    """An administrator removes a user's authenticator app and recovery codes (a lost phone): the
    user's sessions end, and their next sign-in sets up a new app."""
    if not access.can_administer(actor):
        raise PermissionDenied("Only administrators may reset a second factor")
    removed_apps, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_codes = StaticToken.objects.filter(device__user=user).count()
    StaticDevice.objects.filter(user=user).delete()
    # Every session of theirs ends, verified or not: whoever has the phone may have one; and so does
    # every API token, which stands in for the second factor (decision 0011).
    core_services.end_sessions(user=user, reason="second factor reset", actor=actor)
    revoked_tokens = core_services.revoke_all_api_tokens(actor=actor, user=user)
    audit.record(
        actor=actor,
        action="second_factor.reset",
        target=user,
        detail={
            "authenticator_apps": removed_apps,
            "recovery_codes": removed_codes,
            "api_tokens_revoked": revoked_tokens,
        },
    )


# Middleware --------------------------------------------------------------------------------------


def is_verified(user: Any) -> bool:
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


class SessionOTPMiddleware(OTPMiddleware):
    """django-otp's middleware without its query on every request.

    django-otp loads the verifying device from the database on each request to check it still
    exists. The session is only marked by django_otp.login after a code was accepted, and removing a
    user's devices (reset_second_factor) also ends their sessions, so the mark alone is trusted and the
    device is loaded only if something asks for it.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            if persistent_id:
                user.otp_device = SimpleLazyObject(
                    functools.partial(self._device_from_persistent_id, persistent_id)
                )
        return user

    async def _verify_user_async_via_auser(self, request: HttpRequest, auser: Any) -> Any:
        user = await auser()
        return self._verify_user_sync(request, user)


class SecondFactorRequiredMiddleware:
    """Every page waits for the second factor: a signed-in person whose session has not passed it is
    sent to verify it (or to set up an app), and comes back afterwards.

    Paths under /api/ are left to the API: a token request has no session, and its authentication
    (VerifiedSessionAuthentication) refuses a session that has not passed the second factor.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name in EXEMPT_PAGES or name.startswith("password-reset"):
            return None
        path = request.path_info
        if path.startswith(settings.STATIC_URL or "/static/"):
            return None
        if path.startswith("/api/") and name != "api-docs":
            return None
        target = VERIFY if authenticator_for(user) is not None else SET_UP
        return redirect_to_login(request.get_full_path(), reverse(target))
