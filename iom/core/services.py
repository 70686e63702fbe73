"""Writes that belong to the core: API tokens, sessions, passwords."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from iom.core import access, audit
from iom.core.models import ApiToken, User

TOKEN_PREFIX = "iom"  # noqa: S105 (not a secret: it marks a string as one of our tokens)
# How long a new token may live, in days: a token without an end is a leak waiting to happen.
TOKEN_LIFETIMES = (30, 90, 365)
MAX_ACTIVE_TOKENS = 10


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    # Shown once, at creation: only its digest is stored.
    raw: str


@transaction.atomic
def create_api_token(*, actor: User, name: str, lifetime_days: int) -> IssuedToken:
    """A new token for the actor's own use."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter what the token is for"})
    if len(name) > 100:
        raise ValidationError({"name": "What the token is for must be 100 characters or fewer"})
    if lifetime_days not in TOKEN_LIFETIMES:
        raise ValidationError({"lifetime_days": "Choose how long the token lasts"})
    if not access.may_hold_api_token(actor):
        raise PermissionDenied
    User.objects.select_for_update().filter(pk=actor.pk).first()
    now = timezone.now()
    active = ApiToken.objects.filter(user=actor, revoked_at__isnull=True, expires_at__gt=now).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {"name": f"You have {MAX_ACTIVE_TOKENS} tokens in use already. Revoke one you no longer need"}
        )
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        key_id=key_id,
        secret_digest=digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    audit.record(
        actor=actor,
        action="api_token.created",
        target=token,
        detail={"name": name, "key_id": key_id, "expires_at": token.expires_at.isoformat()},
    )
    return IssuedToken(token=token, raw=f"{TOKEN_PREFIX}_{key_id}_{secret}")


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: its holder's own, or anyone's by an administrator. Revoking twice changes nothing."""
    if not access.can_revoke_api_token(actor, token):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=actor,
        action="api_token.revoked",
        target=token,
        detail={"key_id": token.key_id, "holder": token.user.email},
    )
    return token


def revoke_all_api_tokens(*, actor: User, user: User) -> int:
    """Revoke every token the user still holds, each audited: after their second factor is reset or
    their password reset, a token made by whoever had the phone or the password must stop working."""
    revoked = 0
    for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()):
        revoke_api_token(actor=actor, token=token)
        revoked += 1
    return revoked


def note_api_token_used(token: ApiToken) -> None:
    """Keep `last_used_at` to the minute without a write on every request."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        # Conditional, so concurrent requests with the same token write once between them.
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(minutes=1))
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def end_sessions(*, user: User, reason: str, actor: User | None = None) -> None:
    """Sign the user out everywhere, at each session's next request.

    Raising session_epoch changes the user's session auth hash (User.get_session_auth_hash), which
    Django checks on every request; no session store needs searching. An F() update, so two ends at
    once both count, and the caller's copy of the user is brought up to date, so a later save of it
    cannot write the old epoch back.
    """
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.session_epoch = User.objects.values_list("session_epoch", flat=True).get(pk=user.pk)
    audit.record(
        actor=actor,
        action="sessions.ended",
        target=user,
        actor_label="" if actor is not None else "system",
        detail={"reason": reason},
    )


@transaction.atomic
def reset_password(*, user: User, new_password: str) -> User:
    """Set a new password from an emailed reset link (the user is not signed in: they act for
    themselves). Whoever knew the old password may have made API tokens with it: they stop working too."""
    user.set_password(new_password)
    user.save()
    revoked_tokens = revoke_all_api_tokens(actor=user, user=user)
    audit.record(
        actor=user, action="password.reset", target=user, detail={"api_tokens_revoked": revoked_tokens}
    )
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> User:
    """A signed-in user's new password. It changes the session auth hash, which signs them out of
    every other session (the view keeps this one)."""
    user.set_password(new_password)
    user.save()
    audit.record(actor=user, action="password.changed", target=user)
    return user
