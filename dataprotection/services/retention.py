"""Retention review decisions: keep, restrict, return to use, erase (DESIGN §4,
docs/decisions/0014-retention-and-erasure.md).

Each service locks the person's row, asks access.can_review_retention, records a RetentionDecision
and its audit event in one transaction. A refusal the actor can see (the person is not due, the
reason is missing) is a ValidationError; a person they may not review is PermissionDenied.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from guardian.models import GroupObjectPermission, UserObjectPermission

from cohorts.models import Nominal, RetentionStatus
from dataprotection.models import RetentionDecision, SubjectAccessExport
from dataprotection.selectors.retention import HeldRows, is_due_for_review, rows_held_on
from dataprotection.services.subject_access import delete_stored_files, stored_names
from iom.core import access, audit
from iom.core.models import CaseAccessGrant, User

ERASED_GIVEN_NAME = "Erased"
# What a grant's reason (a break-glass reason, or the restriction's reason copied to the allow-list)
# becomes: a break-glass grant must keep a reason (a check constraint), and the text may name the person.
ERASED_REASON = "Erased"
ERASED_FAMILY_NAME = "record"
# What an erased person's row keeps: its id and team (so the audit trail and the decisions still
# resolve to a team), its retention status and bookkeeping. Every other field is emptied, so a
# field added to Nominal later is erased too.
KEPT_ON_ERASURE = frozenset(
    {"id", "team", "retention_status", "access_restricted", "version", "created_at", "updated_at"}
)


def _locked(nominal: Nominal) -> Nominal:
    """The person as they are now, locked until the transaction ends: two reviews at once cannot
    both act."""
    return Nominal.objects.select_for_update().get(pk=nominal.pk)


def _require_review(actor: User, nominal: Nominal) -> None:
    if not access.can_review_retention(actor, nominal):
        raise PermissionDenied("Only the managing team's managers may review this record for retention.")


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the decision"})
    return reason.strip()


def _check_next_review(next_review_on: date | None, today: date) -> date:
    if next_review_on is None:
        raise ValidationError({"next_review_on": "Enter the date of the next review"})
    if next_review_on <= today:
        raise ValidationError({"next_review_on": "The next review must be after today"})
    return next_review_on


def _require_due(nominal: Nominal, today: date) -> None:
    if nominal.retention_status == RetentionStatus.RESTRICTED:
        raise ValidationError(
            f"{nominal.full_name}'s record is already restricted: return it to use or erase it"
        )
    if not is_due_for_review(nominal, today=today):
        raise ValidationError(f"{nominal.full_name}'s record is not due for retention review")


def _decide(
    *, actor: User, nominal: Nominal, decision: str, reason: str, next_review_on: date | None = None
) -> RetentionDecision:
    return RetentionDecision.objects.create(
        nominal_id=nominal.pk,
        team_id=nominal.team_id,
        decision=decision,
        reason=reason,
        next_review_on=next_review_on,
        decided_by=actor,
    )


@transaction.atomic
def keep_after_review(
    *, actor: User, nominal: Nominal, reason: str, next_review_on: date | None
) -> RetentionDecision:
    """Keep a due record in normal use until `next_review_on`, when it is due again."""
    nominal = _locked(nominal)
    _require_review(actor, nominal)
    today = timezone.localdate()
    reason = _reason(reason)
    next_review_on = _check_next_review(next_review_on, today)
    _require_due(nominal, today)
    decision = _decide(
        actor=actor,
        nominal=nominal,
        decision=RetentionDecision.Decision.KEEP,
        reason=reason,
        next_review_on=next_review_on,
    )
    audit.record(
        actor=actor,
        action="retention.reviewed",
        target=decision,
        nominal_id=nominal.pk,
        detail={"decision": "keep", "next_review_on": next_review_on.isoformat()},
    )
    return decision


@transaction.atomic
def restrict_after_review(*, actor: User, nominal: Nominal, reason: str) -> RetentionDecision:
    """Hide a due record from all normal use (caseload, search, API, diaries, reports' lists): the
    access policy leaves out every record with a retention status. Only retention review lists it."""
    nominal = _locked(nominal)
    _require_review(actor, nominal)
    reason = _reason(reason)
    _require_due(nominal, timezone.localdate())
    Nominal.objects.filter(pk=nominal.pk).update(
        retention_status=RetentionStatus.RESTRICTED, version=F("version") + 1
    )
    decision = _decide(
        actor=actor, nominal=nominal, decision=RetentionDecision.Decision.RESTRICT, reason=reason
    )
    audit.record(actor=actor, action="retention.restricted", target=decision, nominal_id=nominal.pk)
    return decision


@transaction.atomic
def return_to_use(
    *, actor: User, nominal: Nominal, reason: str, next_review_on: date | None
) -> RetentionDecision:
    """Bring a restricted record back into normal use (it is needed again), until its next review."""
    nominal = _locked(nominal)
    _require_review(actor, nominal)
    reason = _reason(reason)
    next_review_on = _check_next_review(next_review_on, timezone.localdate())
    if nominal.retention_status != RetentionStatus.RESTRICTED:
        raise ValidationError(f"{nominal.full_name}'s record is not restricted")
    Nominal.objects.filter(pk=nominal.pk).update(retention_status="", version=F("version") + 1)
    decision = _decide(
        actor=actor,
        nominal=nominal,
        decision=RetentionDecision.Decision.RETURN_TO_USE,
        reason=reason,
        next_review_on=next_review_on,
    )
    audit.record(
        actor=actor,
        action="retention.returned_to_use",
        target=decision,
        nominal_id=nominal.pk,
        detail={"next_review_on": next_review_on.isoformat()},
    )
    return decision


def may_be_erased(nominal: Nominal, *, today: date) -> bool:
    """Only a record restricted after review, or one due for review, may be erased."""
    return nominal.retention_status == RetentionStatus.RESTRICTED or (
        not nominal.retention_status and is_due_for_review(nominal, today=today)
    )


@dataclass(frozen=True)
class Erasure:
    decision: RetentionDecision
    deleted: dict[str, int]


@transaction.atomic
def erase_personal_data(*, actor: User, nominal: Nominal, reason: str) -> Erasure:
    """Remove everything held on the person except the audit trail.

    Every row that hangs off them (rows_held_on: contacts, appointments, timeline, change history,
    assessments, referrals and their events, cohort memberships ...) is deleted, deepest first; object
    permissions on those rows and on the person go; grants to open the case are revoked and their
    reasons overwritten; files of deleted rows, and every file a subject access export of the person
    may have written, leave storage once the transaction commits. The person's own row stays, emptied of
    personal data and marked erased, so the audit trail's ids still resolve. AuditEvent rows are
    untouched (the database refuses to change them anyway); they hold ids and actions, not content.
    """
    nominal = _locked(nominal)
    _require_review(actor, nominal)
    reason = _reason(reason)
    if not may_be_erased(nominal, today=timezone.localdate()):
        raise ValidationError(
            f"{nominal.full_name}'s record may be erased only when it is due for retention review "
            "or has been restricted after review"
        )
    now = timezone.now()
    # Locked, so a build of an export cannot finish after this: its finish waits, then finds no row
    # and deletes its files itself. Their files go by the names a build writes, whatever the row says
    # (a build writes the JSON long before its row names it).
    export_ids = list(
        SubjectAccessExport.objects.select_for_update()
        .filter(nominal_id=nominal.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    export_files = [
        name for pk in export_ids for name in stored_names(pk) if (Path(settings.MEDIA_ROOT) / name).exists()
    ]
    held = rows_held_on(nominal)
    files = _files_of([rows for rows in held if rows.model is not SubjectAccessExport])
    deleted: dict[str, int] = {}
    permissions_removed = _remove_object_permissions(Nominal, [nominal.pk])
    for rows in held:
        permissions_removed += _remove_object_permissions(rows.model, rows.pks)
        _, per_model = rows.model._base_manager.filter(pk__in=rows.pks).delete()
        for label, count in per_model.items():
            if count:
                deleted[label] = deleted.get(label, 0) + count
    grants_revoked = CaseAccessGrant.objects.filter(nominal_id=nominal.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    CaseAccessGrant.objects.filter(nominal_id=nominal.pk).exclude(reason="").update(reason=ERASED_REASON)
    Nominal.objects.filter(pk=nominal.pk).update(
        **_erased_values(), retention_status=RetentionStatus.ERASED, version=F("version") + 1
    )
    decision = _decide(actor=actor, nominal=nominal, decision=RetentionDecision.Decision.ERASE, reason=reason)
    audit.record(
        actor=actor,
        action="nominal.erased",
        target=decision,
        nominal_id=nominal.pk,
        detail={
            "deleted": dict(sorted(deleted.items())),
            "object_permissions_removed": permissions_removed,
            "case_access_grants_revoked": grants_revoked,
            "files_deleted": len(files) + len(export_files),
        },
    )
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    if export_ids:
        transaction.on_commit(lambda: _delete_export_files(export_ids))
    return Erasure(decision=decision, deleted=deleted)


def _erased_values() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in Nominal._meta.concrete_fields:
        if field.name in KEPT_ON_ERASURE:
            continue
        if field.null:
            values[field.name] = None
        elif field.has_default():
            values[field.name] = field.get_default()
        else:
            values[field.name] = ""
    values["given_name"], values["family_name"] = ERASED_GIVEN_NAME, ERASED_FAMILY_NAME
    return values


def _delete_files(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def _delete_export_files(export_ids: list[int]) -> None:
    for export_id in export_ids:
        delete_stored_files(export_id)


def _files_of(held: list[HeldRows]) -> list[tuple[Storage, str]]:
    """(storage, name) of every file a held row points at: read before the rows go."""
    files: list[tuple[Storage, str]] = []
    for rows in held:
        file_fields = [f for f in rows.model._meta.concrete_fields if isinstance(f, models.FileField)]
        if not file_fields:
            continue
        names = rows.model._base_manager.filter(pk__in=rows.pks).values_list(
            *[f.attname for f in file_fields]
        )
        for row in names:
            files.extend((field.storage, name) for field, name in zip(file_fields, row, strict=True) if name)
    return files


def _remove_object_permissions(model: type[models.Model], pks: list[int]) -> int:
    """django-guardian grants on these rows (a partner organisation's view of the person)."""
    content_type = ContentType.objects.get_for_model(model)
    object_pks = [str(pk) for pk in pks]
    removed = 0
    for permissions in (UserObjectPermission, GroupObjectPermission):
        removed += permissions.objects.filter(content_type=content_type, object_pk__in=object_pks).delete()[0]
    return removed
