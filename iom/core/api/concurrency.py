"""Optimistic concurrency: every editable resource has an ETag, and a change must send it back.

A record's ETag is its `version` where it keeps one (the nominal), otherwise a digest of when it
last changed. `require_if_match` is called inside the write's transaction after the row is locked,
so two clients holding the same ETag cannot both win.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rest_framework.request import Request

from iom.core.api.problems import PreconditionFailed, PreconditionRequired


def etag_for(obj: Any) -> str:
    version = getattr(obj, "version", None)
    if version is not None:
        return f'"{obj.pk}-v{version}"'
    changed: datetime | None = getattr(obj, "updated_at", None)
    if changed is None:
        raise TypeError(f"{type(obj).__name__} keeps neither a version nor updated_at")
    stamp = hashlib.sha256(f"{obj.pk}:{changed.isoformat()}".encode()).hexdigest()[:20]
    return f'"{stamp}"'


@dataclass(frozen=True)
class StateVersion:
    """For a record that keeps neither a version nor `updated_at`: a digest of everything a change
    can alter stands for one (what `etag_for` reads)."""

    pk: int
    version: str

    @classmethod
    def of(cls, pk: int, *state: Any) -> "StateVersion":
        digest = hashlib.sha256(json.dumps([pk, *state], default=str).encode()).hexdigest()[:20]
        return cls(pk=pk, version=digest)


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def require_if_match(request: Request, obj: Any) -> None:
    """412 when the client's copy is stale; 428 when it sent none.

    Stricter than HTTP on two points, both so that a change is always made to the version its
    sender read: `*` ("whatever is there") is refused as naming no version, and a weak tag
    (`W/"…"`) never matches (the strong comparison RFC 9110 asks of If-Match; ours are strong)."""
    header = request.headers.get("If-Match", "")
    if not header.strip():
        raise PreconditionRequired()
    tags = _tags(header)
    if "*" in tags:
        raise PreconditionRequired(
            "If-Match: * says no version. Send the ETag you last read, so a newer change is not overwritten."
        )
    if etag_for(obj) not in tags:
        raise PreconditionFailed()


def version_from_if_match(request: Request, obj: Any) -> int:
    """For a service that checks a version itself: the version the client's ETag names."""
    require_if_match(request, obj)
    return int(obj.version)
