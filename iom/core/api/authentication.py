"""Bearer tokens for integrations; the browser keeps its session (and CSRF)."""

import hmac
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from iom.core import services
from iom.core.models import ApiToken, User
from iom.core.selectors import usable_api_token

_BAD_TOKEN = _("The API token is not valid: it is wrong, revoked or expired.")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer iom_<key id>_<secret>`."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN)
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN) from None
        prefix, _sep, rest = raw.partition("_")
        key_id, _sep, secret = rest.partition("_")
        if prefix != services.TOKEN_PREFIX or not key_id or not secret:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN)
        token = usable_api_token(key_id)
        if token is None or not hmac.compare_digest(token.secret_digest, services.digest(secret)):
            raise exceptions.AuthenticationFailed(_BAD_TOKEN)
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_BAD_TOKEN)
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
