"""Reads that belong to the core: API tokens."""

from django.db.models import QuerySet
from django.http import Http404

from iom.core import access
from iom.core.models import ApiToken, User


def api_tokens_visible_to(user: User, *, holder_email: str = "") -> QuerySet[ApiToken]:
    """A user's own tokens; administrators see everyone's (or one holder's)."""
    tokens = ApiToken.objects.select_related("user", "revoked_by")
    if not access.can_administer(user):
        return tokens.filter(user=user)
    return tokens.filter(user__email__iexact=holder_email) if holder_email else tokens


def get_api_token_for_user(*, user: User, token_id: int) -> ApiToken:
    try:
        return api_tokens_visible_to(user).get(pk=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No such token") from None


def usable_api_token(key_id: str) -> ApiToken | None:
    """The live token with this public id, with its holder, or None."""
    token = api_token_by_key_id(key_id)
    return token if token is not None and token.is_usable() else None


def api_token_by_key_id(key_id: str) -> ApiToken | None:
    """The token with this public id whatever its state, so a refused one is logged against it."""
    return ApiToken.objects.select_related("user").filter(key_id=key_id).first()
