"""Subject access exports: asked for on the page, built by the worker, downloaded; each step logged.

An export is built by a Celery worker on the reports queue (docs/decisions/0016-subject-access-export.md):
the PDF of a long-supervised person takes over a minute and 700 MB, more than a web request may hold.
One export builds both files, the JSON (cheap) and the PDF, stores them under names fixed by the
export's id, and records their SHA-256, so the copy that was disclosed can be recognised later.

The build may run twice (acks_late, retries, beat's resend) or die half way, as a governance pack's
may: it claims the export with a conditional UPDATE under a lease that counts attempts, writes files
that a retry overwrites, and finishes only if it still holds the export, so the export ends once.
"""

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from cohorts.models import Nominal
from dataprotection.models import SubjectAccessExport
from dataprotection.selectors.subject_access import (
    POLICE_INTELLIGENCE,
    REVIEW_DUTY,
    SCHEMA_VERSION,
    Section,
    SubjectAccessData,
    subject_access_data,
)
from dataprotection.tasks import build_subject_access_export_task
from iom.core import access, audit
from iom.core.models import User

logger = logging.getLogger(__name__)

type ExportFormat = Literal["json", "pdf"]
FORMATS: tuple[ExportFormat, ...] = ("json", "pdf")
CONTENT_TYPES: dict[str, str] = {"json": "application/json", "pdf": "application/pdf"}
# Tagged, so a screen reader follows its headings and tables.
TAGGED_PDF = True
# Renewed at each stage; the PDF's layout, the longest, took 95 s for 2,123 rows.
LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 3
Status = SubjectAccessExport.Status


def produced_by(user: User) -> str:
    name = user.full_name or user.email
    return f"{name} ({user.organisation.name})" if user.organisation_id and user.organisation else name


# Asking -----------------------------------------------------------------------------------------


@transaction.atomic
def request_subject_access_export(*, actor: User, nominal: Nominal) -> SubjectAccessExport:
    """Ask the worker to build the person's export (JSON and PDF).

    A second ask while one is still queued or building gets that one: a double click, or a manager
    coming back to the page, makes no second build of the same record."""
    if not access.can_export_subject_access(actor, nominal):
        # Callers fetch through get_nominal_for_subject_access, which answers 404 first.
        raise PermissionDenied("Only the managing team's managers answer subject access requests.")
    unfinished = (
        SubjectAccessExport.objects.select_for_update()
        .filter(nominal=nominal, status__in=(Status.QUEUED, Status.BUILDING))
        .first()
    )
    if unfinished is not None:
        return unfinished
    export = SubjectAccessExport.objects.create(nominal=nominal, team_id=nominal.team_id, requested_by=actor)
    audit.record(
        actor=actor,
        action="subject_access.requested",
        target=export,
        nominal_id=nominal.pk,
        detail={"team_id": nominal.team_id},
    )
    # On commit: a worker must never look for an export that was rolled back.
    build_subject_access_export_task.delay_on_commit(export.pk)  # type: ignore[attr-defined]  # Celery 5.4+
    return export


# Building ---------------------------------------------------------------------------------------


class ExportRefused(Exception):
    """The export may not be built any more (the record was erased, say): it fails, with this reason."""


def claim_subject_access_export(export_id: int) -> SubjectAccessExport | None:
    """Take the export for this worker: queued, or building under a lease that has expired.

    A conditional UPDATE, so a redelivered message beside a retry never builds it twice; None when
    it is finished, held by a live lease, or out of attempts (then it is failed)."""
    now = timezone.now()
    claimed = (
        SubjectAccessExport.objects.filter(pk=export_id, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.BUILDING, lease_expires_at__lt=now))
        .update(
            status=Status.BUILDING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + LEASE,
            started_at=now,
            progress=1,
            stage="Starting",
        )
    )
    if claimed:
        return SubjectAccessExport.objects.select_related("nominal__team", "requested_by__organisation").get(
            pk=export_id
        )
    _fail_if_out_of_attempts(export_id)
    return None


def _fail_if_out_of_attempts(export_id: int) -> None:
    reason = (
        f"The export could not be built after {MAX_ATTEMPTS} attempts: the worker building it stopped "
        "each time. Try again later; if it fails again, tell the service desk."
    )
    gave_up = Q(
        pk=export_id, attempts__gte=MAX_ATTEMPTS, status=Status.BUILDING, lease_expires_at__lt=timezone.now()
    )
    with transaction.atomic():
        failed = _fail(gave_up, export_id=export_id, reason=reason)
    if failed:
        # The attempts that died may have written the JSON.
        delete_stored_files(export_id)


def _holding(export: SubjectAccessExport) -> Q:
    """This attempt still holds the export: one that took it over after the lease owns it now."""
    return Q(pk=export.pk, status=Status.BUILDING, attempts=export.attempts)


def _progress_reporter(export: SubjectAccessExport) -> Callable[[int, str], None]:
    def progress(percent: int, stage: str) -> None:
        # Each stage renews the lease: a long build that is moving is not taken over.
        SubjectAccessExport.objects.filter(_holding(export)).update(
            progress=max(1, min(percent, 99)), stage=stage[:120], lease_expires_at=timezone.now() + LEASE
        )

    return progress


@dataclass(frozen=True)
class _Built:
    data: SubjectAccessData
    json: bytes
    pdf: bytes
    json_name: str
    pdf_name: str


def build_subject_access_export(*, export_id: int) -> None:
    """Build an export's JSON and PDF, store them, and record the outcome.

    Safe to call twice: a finished export, or one another attempt holds, is left alone. Runs outside
    any transaction: the PDF's layout takes minutes for a long record."""
    export = claim_subject_access_export(export_id)
    if export is None:
        return
    progress = _progress_reporter(export)
    try:
        built = _build(export, progress)
    except (OperationalError, InterfaceError):
        # The database went away: hand the export back at once, so the task's retry can claim it.
        _release(export)
        raise
    except Exception as error:  # nothing else mends by trying again at once: fail, and say why
        logger.exception("subject access export %s failed", export.pk)
        _finish_failed(export, reason=_reason_for(error, export))
        _discard_files_nobody_serves(export.pk)
        return
    if not _finish_succeeded(export, built):
        # Erased meanwhile (the row is gone), or failed by another attempt: nobody serves these files.
        _discard_files_nobody_serves(export.pk)


def _build(export: SubjectAccessExport, progress: Callable[[int, str], None]) -> _Built:
    nominal = export.nominal
    if not access.can_export_subject_access(export.requested_by, nominal):
        raise ExportRefused(
            "The record can no longer be exported for the manager who asked: it was erased, restricted "
            "to named users, or moved to another team, or they no longer manage its team."
        )
    progress(10, "Gathering everything held on the person")
    data = subject_access_data(nominal=nominal)
    generated_at = timezone.now()
    progress(25, "Writing the JSON")
    json_content = subject_access_json(
        data, generated_at=generated_at, generated_by=produced_by(export.requested_by)
    )
    json_name = _store(export, json_content, "json")
    progress(35, "Laying out the PDF: the longest step, about a minute for a long record")
    pdf_content = subject_access_pdf(
        data, nominal=nominal, generated_at=generated_at, generated_by=export.requested_by
    )
    progress(95, "Saving the PDF")
    pdf_name = _store(export, pdf_content, "pdf")
    return _Built(data=data, json=json_content, pdf=pdf_content, json_name=json_name, pdf_name=pdf_name)


def stored_name(export_id: int, export_format: ExportFormat) -> str:
    """Fixed by the export's id: a retry overwrites, never adds a second copy."""
    return f"subject-access/{export_id}/subject-access-{export_id}.{export_format}"


def stored_names(export_id: int) -> list[str]:
    """Every name a build of the export may have written, whatever its row says: a build writes the
    JSON long before its row names it."""
    return [stored_name(export_id, export_format) for export_format in FORMATS]


def delete_stored_files(export_id: int) -> None:
    """Remove whatever a build of the export wrote (missing files are fine)."""
    for name in stored_names(export_id):
        (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)


def _discard_files_nobody_serves(export_id: int) -> None:
    """After an attempt ends without succeeding, delete the files it may have written, unless another
    attempt holds the export (it writes the same names) or has finished it (its files are served)."""
    status = SubjectAccessExport.objects.filter(pk=export_id).values_list("status", flat=True).first()
    if status in (Status.BUILDING, Status.SUCCEEDED):
        return
    delete_stored_files(export_id)


def _store(export: SubjectAccessExport, content: bytes, export_format: ExportFormat) -> str:
    """Through a temporary file in the same folder and an atomic rename, so a download never reads
    half a file."""
    name = stored_name(export.pk, export_format)
    final = Path(settings.MEDIA_ROOT) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=final.parent, prefix=f".{export_format}-", delete=False) as partial:
        try:
            partial.write(content)
            partial.flush()
            os.fsync(partial.fileno())
        except OSError:
            Path(partial.name).unlink(missing_ok=True)
            raise
    os.replace(partial.name, final)
    return name


def _reason_for(error: Exception, export: SubjectAccessExport) -> str:
    """A reason a person can read, on the export's page."""
    if isinstance(error, ExportRefused):
        return str(error)
    if isinstance(error, SoftTimeLimitExceeded):
        return "The export took too long to build and was stopped. Try again later."
    if isinstance(error, OSError):
        return f"The export's files could not be saved ({error.strerror or error}). Try again later."
    return (
        "The export could not be built because of a fault in the service. Try again; if it fails again, "
        f"tell the service desk and quote subject access export {export.pk}."
    )


def _release(export: SubjectAccessExport) -> None:
    # If the database is still away, the lease expires by itself.
    with contextlib.suppress(OperationalError, InterfaceError):
        SubjectAccessExport.objects.filter(_holding(export)).update(
            lease_expires_at=timezone.now() - timedelta(seconds=1)
        )


@transaction.atomic
def _finish_succeeded(export: SubjectAccessExport, built: _Built) -> bool:
    """Record the files if this attempt still holds the export; False when it does not (erased, or
    taken over): an erasure locks the person's exports, so a finish waits for it and then finds none."""
    json_sha256 = hashlib.sha256(built.json).hexdigest()
    pdf_sha256 = hashlib.sha256(built.pdf).hexdigest()
    counts = built.data.counts()
    finished = SubjectAccessExport.objects.filter(_holding(export)).update(
        status=Status.SUCCEEDED,
        progress=100,
        stage="Ready",
        finished_at=timezone.now(),
        lease_expires_at=None,
        failure_reason="",
        json_file=built.json_name,
        json_size=len(built.json),
        json_sha256=json_sha256,
        pdf_file=built.pdf_name,
        pdf_size=len(built.pdf),
        pdf_sha256=pdf_sha256,
        counts=counts,
        rows_to_review=built.data.review_count,
    )
    if finished:
        # In the name of the manager who asked: the worker combines the record on their request.
        audit.record(
            actor=export.requested_by,
            action="subject_access.built",
            target=export,
            nominal_id=export.nominal_id,
            detail={
                "counts": counts,
                "review_rows": built.data.review_count,
                "json_bytes": len(built.json),
                "json_sha256": json_sha256,
                "pdf_bytes": len(built.pdf),
                "pdf_sha256": pdf_sha256,
                "attempt": export.attempts,
            },
        )
    return bool(finished)


@transaction.atomic
def _finish_failed(export: SubjectAccessExport, *, reason: str) -> None:
    _fail(_holding(export), export_id=export.pk, reason=reason)


def _fail(condition: Q, *, export_id: int, reason: str) -> bool:
    """Fail the export if it still meets the condition, and log it once. True if it failed it."""
    failed = SubjectAccessExport.objects.filter(condition).update(
        status=Status.FAILED, finished_at=timezone.now(), lease_expires_at=None, failure_reason=reason
    )
    if failed:
        export = SubjectAccessExport.objects.select_related("requested_by").get(pk=export_id)
        audit.record(
            actor=export.requested_by,
            action="subject_access.failed",
            target=export,
            nominal_id=export.nominal_id,
            detail={"reason": reason, "attempt": export.attempts},
        )
    return bool(failed)


# Downloading -------------------------------------------------------------------------------------


def record_subject_access_download(
    *, actor: User, export: SubjectAccessExport, export_format: ExportFormat
) -> None:
    """Taking a copy of the export is the disclosure in the making: log who took which file, by its
    SHA-256. No recipient yet: the data protection officer reviews it before anything is sent."""
    if not access.can_export_subject_access(actor, export.nominal):
        raise PermissionDenied("Only the managing team's managers answer subject access requests.")
    size, sha256 = (
        (export.json_size, export.json_sha256)
        if export_format == "json"
        else (export.pdf_size, export.pdf_sha256)
    )
    audit.record(
        actor=actor,
        action="subject_access.exported",
        target=export,
        nominal_id=export.nominal_id,
        recipient=None,
        detail={
            "format": export_format,
            "counts": export.counts,
            "review_rows": export.rows_to_review,
            "bytes": size,
            "sha256": sha256,
        },
    )


# JSON ------------------------------------------------------------------------------------------


def subject_access_document(
    data: SubjectAccessData, *, generated_at: datetime, generated_by: str
) -> dict[str, Any]:
    return {
        "schema": "iom-case-manager/subject-access",
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.localtime(generated_at).isoformat(timespec="seconds"),
        "generated_by": generated_by,
        "about": {"record_number": data.nominal_id, "name": data.name},
        "review_before_disclosure": REVIEW_DUTY,
        "review_marker": POLICE_INTELLIGENCE,
        "rows_to_review": data.review_count,
        "left_out": [
            {"table": exclusion.section, "field": exclusion.field, "reason": exclusion.reason}
            for exclusion in data.excluded
        ],
        "sections": [_section_document(section) for section in data.sections],
    }


def _section_document(section: Section) -> dict[str, Any]:
    return {
        "table": section.key,
        "title": section.title,
        "relation": section.relation,
        "part_of": section.parent or None,
        "count": section.count,
        "columns": [{"key": column.key, "label": column.label} for column in section.columns],
        "rows": [
            {"fields": row.values, **({"review": list(row.review)} if row.review else {})}
            for row in section.rows
        ],
    }


def subject_access_json(data: SubjectAccessData, *, generated_at: datetime, generated_by: str) -> bytes:
    document = subject_access_document(data, generated_at=generated_at, generated_by=generated_by)
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


# PDF -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CellView:
    text: str
    long_text: bool


@dataclass(frozen=True)
class _RowView:
    cells: list[_CellView]
    review: tuple[str, ...]


@dataclass(frozen=True)
class _SectionView:
    anchor: str
    title: str
    relation: str
    count: int
    review_count: int
    headings: list[str]
    widths: list[str]
    rows: list[_RowView]


def _text(value: Any, kind: str = "text") -> str:
    if value is None or value == "":
        return ""
    if kind == "datetime" and isinstance(value, str):
        return value[:16].replace("T", " ")  # to the minute, as people read it
    if kind == "time" and isinstance(value, str):
        return value[:5]
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# A landscape A4 page's width between the margins, in millimetres.
TABLE_WIDTH_MM = 269.0
# Columns whose values have a set length get a set width (mm); the rest share what is left by weight.
FIXED_WIDTHS_MM = {"id": 11.0, "date": 19.0, "datetime": 21.0, "time": 10.0, "flag": 10.0, "number": 13.0}
WEIGHTS = {"name": 2.0, "long": 4.0, "choice": 1.8, "text": 1.5}


def _widths(section: Section) -> list[str]:
    fixed = sum(FIXED_WIDTHS_MM.get(column.kind, 0.0) for column in section.columns)
    weights = sum(
        WEIGHTS.get(column.kind, 0.0) for column in section.columns if column.kind not in FIXED_WIDTHS_MM
    )
    left = max(TABLE_WIDTH_MM - fixed, 0.0)
    widths = []
    for column in section.columns:
        if column.kind in FIXED_WIDTHS_MM:
            width = (
                FIXED_WIDTHS_MM[column.kind]
                if weights
                else TABLE_WIDTH_MM * FIXED_WIDTHS_MM[column.kind] / fixed
            )
        else:
            width = left * WEIGHTS.get(column.kind, 1.5) / weights
        widths.append(f"{width:.1f}mm")
    return widths


def _section_view(number: int, section: Section) -> _SectionView:
    return _SectionView(
        anchor=f"section-{number}",
        title=section.title,
        relation=section.relation,
        count=section.count,
        review_count=section.review_count,
        headings=[column.label for column in section.columns],
        widths=_widths(section),
        rows=[
            _RowView(
                cells=[
                    _CellView(_text(row.values.get(column.key), column.kind), column.long_text)
                    for column in section.columns
                ],
                review=row.review,
            )
            for row in section.rows
        ],
    )


def subject_access_html(
    data: SubjectAccessData, *, nominal: Nominal, generated_at: datetime, generated_by: User
) -> str:
    person, *others = data.sections
    return render_to_string(
        "dataprotection/subject_access/pdf/export.html",
        {
            "data": data,
            "nominal": nominal,
            "person_fields": [
                (column.label, _text(person.rows[0].values.get(column.key), column.kind))
                for column in person.columns
            ],
            "sections": [_section_view(number, section) for number, section in enumerate(others, start=1)],
            "generated_at": timezone.localtime(generated_at),
            "generated_by": produced_by(generated_by),
            "review_duty": REVIEW_DUTY,
            "review_marker": POLICE_INTELLIGENCE,
        },
    )


def subject_access_pdf(
    data: SubjectAccessData, *, nominal: Nominal, generated_at: datetime, generated_by: User
) -> bytes:
    from weasyprint import HTML  # imported here: it takes about a second, and only an export needs it

    html = subject_access_html(data, nominal=nominal, generated_at=generated_at, generated_by=generated_by)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_tags=TAGGED_PDF)
