"""Bearer tokens for integrations; the browser keeps its session (and CSRF)."""

import hmac
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from iom.core import audit, services
from iom.core.models import ApiToken, User
from iom.core.selectors import usable_api_token

_BAD_TOKEN = _("The API token is not valid: it is wrong, revoked or expired.")


def _rejected(
    reason: str, *, key_id: str = "", token: ApiToken | None = None
) -> exceptions.AuthenticationFailed:
    """Log the failed attempt (DPA 2018 Part 3: failed authorisations are logged) and say no.

    The actor is unknown: whoever holds the token may not be its holder."""
    audit.record(
        actor=None,
        action="api_token.rejected",
        target=token,
        actor_label=f"API token {key_id[:24]}".strip(),
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
        if len(header) != 2:
            raise _rejected("malformed")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise _rejected("malformed") from None
        prefix, _sep, rest = raw.partition("_")
        key_id, _sep, secret = rest.partition("_")
        if prefix != services.TOKEN_PREFIX or not key_id or not secret:
            raise _rejected("malformed")
        token = usable_api_token(key_id)
        if token is None:
            raise _rejected("unknown, revoked or expired", key_id=key_id)
        if not hmac.compare_digest(token.secret_digest, services.digest(secret)):
            raise _rejected("wrong secret", key_id=key_id, token=token)
        if not token.user.is_active:
            raise _rejected("holder inactive", key_id=key_id, token=token)
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
