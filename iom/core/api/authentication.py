"""Bearer tokens for integrations; the browser keeps its session (and CSRF)."""

import hmac
import re
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from iom.core import access, audit, services
from iom.core.middleware import client_ip
from iom.core.models import ApiToken, User
from iom.core.selectors import api_token_by_key_id

_BAD_TOKEN = _("The API token is not valid: it is wrong, revoked or expired.")
# What create_api_token issues: the prefix, 8 random bytes in hex, 32 in URL-safe base64.
_TOKEN = re.compile(rf"{services.TOKEN_PREFIX}_(?P<key_id>[0-9a-f]{{16}})_(?P<secret>[A-Za-z0-9_-]{{43}})")
# Refused tokens from one address before it is told to wait, unlogged: guessing stays slow, and a
# stream of bad tokens cannot fill the append-only audit table.
FAILURES_ALLOWED = 20
FAILURE_WINDOW_SECONDS = 600


def _failures_key(request: Request) -> str:
    return f"api-token-failures:{client_ip(request) or 'unknown'}"


def _wait_if_refused_too_often(request: Request) -> None:
    """Checked before any token is: past the budget, even a right one waits."""
    if (cache.get(_failures_key(request)) or 0) >= FAILURES_ALLOWED:
        raise exceptions.Throttled(
            wait=FAILURE_WINDOW_SECONDS, detail="Too many refused API tokens from this address."
        )


def _count_failure(request: Request) -> None:
    key = _failures_key(request)
    if not cache.add(key, 1, FAILURE_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, FAILURE_WINDOW_SECONDS)


def _rejected(
    request: Request, reason: str, *, key_id: str = "", token: ApiToken | None = None
) -> exceptions.AuthenticationFailed:
    """Log the failed attempt (DPA 2018 Part 3: failed authorisations are logged) and say no.

    The actor is unknown: whoever holds the token may not be its holder."""
    _count_failure(request)
    audit.record(
        actor=None,
        action="api_token.rejected",
        target=token,
        actor_label=f"API token {key_id}".strip(),
        detail={"reason": reason},
    )
    return exceptions.AuthenticationFailed(_BAD_TOKEN)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer iom_<key id>_<secret>`."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        _wait_if_refused_too_often(request)
        # Checked in full before anything reads the database with it.
        match = _TOKEN.fullmatch(header[1].decode("ascii", "replace")) if len(header) == 2 else None
        if match is None:
            raise _rejected(request, "malformed")
        key_id = match["key_id"]
        token = api_token_by_key_id(key_id)
        if token is None:
            raise _rejected(request, "unknown", key_id=key_id)
        if not hmac.compare_digest(token.secret_digest, services.digest(match["secret"])):
            raise _rejected(request, "wrong secret", key_id=key_id, token=token)
        if token.revoked_at is not None:
            raise _rejected(request, "revoked", key_id=key_id, token=token)
        if not token.is_usable():
            raise _rejected(request, "expired", key_id=key_id, token=token)
        if not access.may_hold_api_token(token.user):
            raise _rejected(request, "holder inactive or without a role", key_id=key_id, token=token)
        services.note_api_token_used(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes an unauthenticated request a 401 with a challenge rather than a 403.
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from Account → API tokens: `Authorization: Bearer iom_…`.",
        }


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, once it has passed the second factor (docs/decisions/0011).

    A session signed in with the password alone is refused with 403, not treated as anonymous: the
    person is signed in, but has not finished signing in."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        verified = getattr(result[0], "is_verified", None)
        if not (verified and verified()):
            raise exceptions.PermissionDenied(
                "Finish signing in: enter the code from your authenticator app, then try again."
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    target_class = "iom.core.api.authentication.VerifiedSessionAuthentication"
