"""The audit trail: one call, `record`, for every logged action.

Call it inside the same transaction as the write it describes, so the change and its
record stand or fall together. Reads (viewing a record, a download, a denied attempt)
call it on their own.
"""

from typing import Any

from django.db import models

from iom.core import request_context
from iom.core.models import AuditEvent, Organisation, User


def record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: int | str | None = None,
    nominal_id: int | None = None,
    recipient: Organisation | None = None,
    actor_label: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if target is not None:
        target_type = target._meta.label_lower
        target_id = target.pk
    context = request_context.current.get()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (actor.email if actor is not None and actor.is_authenticated else ""),
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        nominal_id=nominal_id,
        recipient=recipient,
        request_id=context.request_id if context else "",
        ip_address=context.ip_address if context else None,
        detail=detail or {},
    )
