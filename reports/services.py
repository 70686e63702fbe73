import hashlib
import logging
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from iom.core import access, audit
from iom.core.models import Region, User
from reports import metrics
from reports.models import ReportRun
from reports.tasks import render_governance_report_task

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 3


@transaction.atomic
def request_governance_report(
    *, actor: User, region: Region, period_start: date, period_end: date
) -> ReportRun:
    access.require_region_report(actor, region.pk)
    if period_end < period_start:
        raise ValidationError({"period": "The period must end after it starts"})
    if period_start > timezone.localdate():
        raise ValidationError({"period": "The period must not start in the future"})
    run = ReportRun.objects.create(
        region=region, period_start=period_start, period_end=period_end, requested_by=actor
    )
    audit.record(
        actor=actor,
        action="report.requested",
        target=run,
        detail={"region_id": region.pk, "period_start": str(period_start), "period_end": str(period_end)},
    )
    # On commit: a worker must never look for a run that was rolled back.
    render_governance_report_task.delay_on_commit(run.pk)  # type: ignore[attr-defined]  # Celery 5.4+; stubs lag
    return run


def claim_report_run(report_run_id: int) -> ReportRun | None:
    """Take the run for this worker: queued, or running under a lease that has expired.

    A conditional UPDATE, so two workers (a retry beside a redelivery) never both build it.
    """
    now = timezone.now()
    claimed = (
        ReportRun.objects.filter(pk=report_run_id, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(status=ReportRun.Status.QUEUED) | Q(status=ReportRun.Status.RUNNING, lease_expires_at__lt=now)
        )
        .update(
            status=ReportRun.Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + LEASE,
            started_at=now,
            progress=5,
        )
    )
    if claimed:
        return ReportRun.objects.select_related("region", "requested_by").get(pk=report_run_id)
    _fail_if_out_of_attempts(report_run_id)
    return None


def _fail_if_out_of_attempts(report_run_id: int) -> None:
    gave_up = ReportRun.objects.filter(
        pk=report_run_id,
        attempts__gte=MAX_ATTEMPTS,
        status=ReportRun.Status.RUNNING,
        lease_expires_at__lt=timezone.now(),
    ).update(
        status=ReportRun.Status.FAILED,
        finished_at=timezone.now(),
        failure_reason=f"The report could not be built after {MAX_ATTEMPTS} attempts.",
    )
    if gave_up:
        audit.record(
            actor=None, action="report.failed", target_type="reports.reportrun", target_id=report_run_id
        )


def _set_progress(run: ReportRun, percent: int) -> None:
    ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(progress=percent)


def render_governance_report(*, report_run_id: int) -> None:
    """Build the PDF for a run.

    Safe to call twice: a finished run, or one another worker holds, is left alone.
    """
    run = claim_report_run(report_run_id)
    if run is None:
        return
    try:
        summary = metrics.region_summary(
            region_id=run.region_id, period_start=run.period_start, period_end=run.period_end
        )
        _set_progress(run, 40)
        html = render_to_string("reports/pdf/regional_summary.html", {"run": run, "summary": summary})
        pdf = _render_pdf(html)
        _set_progress(run, 80)
        relative_name = _store_output(run, pdf)
    except (ValidationError, ValueError, OSError) as error:
        logger.exception("report run %s failed", run.pk)
        _finish_failed(run, reason=f"The report could not be built: {error}")
        return
    _finish_succeeded(run, relative_name=relative_name, pdf=pdf)


def _render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it takes about a second, and only workers need it

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _store_output(run: ReportRun, pdf: bytes) -> str:
    """Write under a name fixed by the run's id, through a temporary file, so a retry replaces, never adds."""
    relative_name = f"reports/report-run-{run.pk}.pdf"
    final = Path(settings.MEDIA_ROOT) / relative_name
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=final.parent, prefix=f".run-{run.pk}-", delete=False) as partial:
        partial.write(pdf)
        partial.flush()
        os.fsync(partial.fileno())
    os.replace(partial.name, final)
    return relative_name


@transaction.atomic
def _finish_succeeded(run: ReportRun, *, relative_name: str, pdf: bytes) -> None:
    finished = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(
        status=ReportRun.Status.SUCCEEDED,
        progress=100,
        finished_at=timezone.now(),
        lease_expires_at=None,
        file=relative_name,
        file_size=len(pdf),
        file_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    if finished:
        audit.record(
            actor=None,
            action="report.generated",
            target=run,
            detail={"requested_by": run.requested_by_id, "bytes": len(pdf)},
        )


@transaction.atomic
def _finish_failed(run: ReportRun, *, reason: str) -> None:
    failed = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(
        status=ReportRun.Status.FAILED,
        finished_at=timezone.now(),
        lease_expires_at=None,
        failure_reason=reason,
    )
    if failed:
        audit.record(actor=None, action="report.failed", target=run, detail={"reason": reason})


def record_report_download(*, actor: User, run: ReportRun) -> None:
    """Downloading a pack is a disclosure to the person downloading it: log who took what."""
    audit.record(
        actor=actor,
        action="report.downloaded",
        target=run,
        detail={"bytes": run.file_size, "sha256": run.file_sha256},
    )
