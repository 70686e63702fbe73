"""Governance packs: asking for one, building it, trying again, the monthly schedule, downloads.

The build runs in a Celery worker (reports.tasks.build_report_task) and may run twice or die half
way: see docs/decisions/0009-governance-packs.md for how a run still ends exactly once.
"""

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from iom.core import access, audit
from iom.core.models import Region, Team, User
from reports.models import ReportRun
from reports.pack import build
from reports.tasks import build_report_task

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 3
Kind = ReportRun.Kind
Status = ReportRun.Status


@transaction.atomic
def request_report(
    *,
    actor: User,
    kind: str,
    region: Region | None = None,
    team: Team | None = None,
    period_start: date,
    period_end: date,
) -> ReportRun:
    """Ask for a pack: a region's, a team's, or the national summary, for a period."""
    region = _scope_for_kind(kind=kind, region=region, team=team)
    access.require_request_report(actor, kind=kind, region_id=region.pk if region else None, team=team)
    _check_period(period_start, period_end)
    run = ReportRun.objects.create(
        kind=kind,
        region=region,
        team=team,
        period_start=period_start,
        period_end=period_end,
        requested_by=actor,
    )
    audit.record(
        actor=actor,
        action="report.requested",
        target=run,
        detail={
            "kind": kind,
            "region_id": run.region_id,
            "team_id": run.team_id,
            "period_start": str(period_start),
            "period_end": str(period_end),
        },
    )
    # On commit: a worker must never look for a run that was rolled back.
    build_report_task.delay_on_commit(run.pk)  # type: ignore[attr-defined]  # Celery 5.4+; stubs lag
    return run


def _scope_for_kind(*, kind: str, region: Region | None, team: Team | None) -> Region | None:
    """The region the run records: a team pack takes its team's, so regional leads find it."""
    if kind == Kind.REGIONAL_PACK:
        if region is None:
            raise ValidationError({"region": "Select the region the pack is for"})
        if team is not None:
            raise ValidationError(
                {"team": "A regional pack covers every team of the region: leave out the team"}
            )
        return region
    if kind == Kind.TEAM_PACK:
        if team is None:
            raise ValidationError({"team": "Select the team the pack is for"})
        if region is not None and region.pk != team.region_id:
            raise ValidationError({"team": f"{team.name} is not in {region.name}"})
        return team.region
    if kind == Kind.NATIONAL_SUMMARY:
        if region is not None or team is not None:
            raise ValidationError(
                {"kind": "The national summary covers every region: leave out the region and team"}
            )
        return None
    raise ValidationError({"kind": "Select the kind of report"})


def _check_period(period_start: date, period_end: date) -> None:
    if period_end < period_start:
        raise ValidationError({"period": "The period must end on or after the day it starts"})
    today = timezone.localdate()
    if period_start > today:
        raise ValidationError({"period": "The period must not start in the future"})
    if period_end > today:
        raise ValidationError({"period": "The period must not end after today"})


def claim_report_run(report_run_id: int) -> ReportRun | None:
    """Take the run for this worker: queued, or running under a lease that has expired.

    A conditional UPDATE, so two workers (a retry beside a redelivery) never both build it.
    """
    now = timezone.now()
    claimed = (
        ReportRun.objects.filter(pk=report_run_id, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING, lease_expires_at__lt=now))
        .update(
            status=Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + LEASE,
            started_at=now,
            progress=1,
            progress_note="Starting",
        )
    )
    if claimed:
        return ReportRun.objects.select_related("region", "team", "requested_by").get(pk=report_run_id)
    _fail_if_out_of_attempts(report_run_id)
    return None


def _fail_if_out_of_attempts(report_run_id: int) -> None:
    reason = (
        f"The report could not be built after {MAX_ATTEMPTS} attempts: the worker building it "
        "stopped each time. Try again later; if it fails again, tell the service desk."
    )
    with transaction.atomic():
        gave_up = ReportRun.objects.filter(
            pk=report_run_id,
            attempts__gte=MAX_ATTEMPTS,
            status=Status.RUNNING,
            lease_expires_at__lt=timezone.now(),
        ).update(
            status=Status.FAILED, finished_at=timezone.now(), lease_expires_at=None, failure_reason=reason
        )
        if gave_up:
            audit.record(
                actor=None,
                action="report.failed",
                target_type="reports.reportrun",
                target_id=report_run_id,
                detail={"reason": reason},
            )


def _holding(run: ReportRun) -> Q:
    """This attempt still holds the run: another worker that took it over owns it now."""
    return Q(pk=run.pk, status=Status.RUNNING, attempts=run.attempts)


def _progress_reporter(run: ReportRun) -> Callable[[int, str], None]:
    def progress(percent: int, note: str) -> None:
        # Each step renews the lease: a long build that is moving is not taken over.
        ReportRun.objects.filter(_holding(run)).update(
            progress=max(1, min(percent, 99)),
            progress_note=note[:120],
            lease_expires_at=timezone.now() + LEASE,
        )

    return progress


def build_report(*, report_run_id: int) -> None:
    """Build a run's PDF and CSV bundle, store them, and record the outcome.

    Safe to call twice: a finished run, or one another worker holds, is left alone.
    """
    run = claim_report_run(report_run_id)
    if run is None:
        return
    started = time.monotonic()
    progress = _progress_reporter(run)
    try:
        pack = build.build_pack(run, progress=progress)
        progress(95, "Saving the files")
        pdf_name = _store_output(run, pack.pdf, name=f"reports/report-run-{run.pk}.pdf")
        csv_name = _store_output(run, pack.csv_zip, name=f"reports/report-run-{run.pk}-tables.zip")
    except (OperationalError, InterfaceError):
        # The database went away: hand the run back at once, so the task's retry can claim it.
        _release(run)
        raise
    except Exception as error:  # anything else will not mend by trying again: fail, and say why
        logger.exception("report run %s failed", run.pk)
        _finish_failed(run, reason=_reason_for(error, run))
        return
    _finish_succeeded(
        run,
        pdf_name=pdf_name,
        csv_name=csv_name,
        pack=pack,
        duration_ms=round((time.monotonic() - started) * 1000),
    )


def _reason_for(error: Exception, run: ReportRun) -> str:
    """A reason a person can read, on the run's page."""
    if isinstance(error, SoftTimeLimitExceeded):
        return "The report took too long to build and was stopped. Try again later."
    if isinstance(error, OSError):
        return f"The report's files could not be saved ({error.strerror or error}). Try again later."
    if isinstance(error, ValidationError | ValueError):
        return f"The report could not be built: {'; '.join(getattr(error, 'messages', [str(error)]))}"
    return (
        "The report could not be built because of a fault in the service. Try again; if it fails "
        f"again, tell the service desk and quote report run {run.pk}."
    )


def _release(run: ReportRun) -> None:
    # If the database is still away, the lease expires by itself.
    with contextlib.suppress(OperationalError, InterfaceError):
        ReportRun.objects.filter(_holding(run)).update(lease_expires_at=timezone.now() - timedelta(seconds=1))


def _store_output(run: ReportRun, content: bytes, *, name: str) -> str:
    """Write under a name fixed by the run's id, through a temporary file in the same folder and an
    atomic rename, so a reader never sees half a file and a retry replaces, never adds."""
    final = Path(settings.MEDIA_ROOT) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=final.parent, prefix=f".run-{run.pk}-", delete=False) as partial:
        try:
            partial.write(content)
            partial.flush()
            os.fsync(partial.fileno())
        except OSError:
            Path(partial.name).unlink(missing_ok=True)
            raise
    os.replace(partial.name, final)
    return name


@transaction.atomic
def _finish_succeeded(
    run: ReportRun, *, pdf_name: str, csv_name: str, pack: build.BuiltPack, duration_ms: int
) -> None:
    pdf_sha256 = hashlib.sha256(pack.pdf).hexdigest()
    csv_sha256 = hashlib.sha256(pack.csv_zip).hexdigest()
    finished = ReportRun.objects.filter(_holding(run)).update(
        status=Status.SUCCEEDED,
        progress=100,
        progress_note="Ready",
        finished_at=timezone.now(),
        lease_expires_at=None,
        failure_reason="",
        file=pdf_name,
        file_size=len(pack.pdf),
        file_sha256=pdf_sha256,
        csv_file=csv_name,
        csv_size=len(pack.csv_zip),
        csv_sha256=csv_sha256,
        page_count=pack.page_count,
        duration_ms=duration_ms,
    )
    if finished:
        audit.record(
            actor=None,
            action="report.generated",
            target=run,
            detail={
                "requested_by": run.requested_by_id,
                "kind": run.kind,
                "pdf_bytes": len(pack.pdf),
                "pdf_sha256": pdf_sha256,
                "csv_bytes": len(pack.csv_zip),
                "csv_sha256": csv_sha256,
                "page_count": pack.page_count,
                "duration_ms": duration_ms,
                "attempt": run.attempts,
            },
        )


@transaction.atomic
def _finish_failed(run: ReportRun, *, reason: str) -> None:
    failed = ReportRun.objects.filter(_holding(run)).update(
        status=Status.FAILED,
        finished_at=timezone.now(),
        lease_expires_at=None,
        failure_reason=reason,
    )
    if failed:
        audit.record(actor=None, action="report.failed", target=run, detail={"reason": reason})


@transaction.atomic
def retry_report(*, actor: User, run: ReportRun) -> ReportRun:
    """Queue a failed run again, with its attempts counted afresh."""
    if not access.can_see_report_run(actor, run):
        raise PermissionDenied("You may not retry this report.")
    reason = ReportRun.objects.filter(pk=run.pk).values_list("failure_reason", flat=True).first()
    queued = ReportRun.objects.filter(pk=run.pk, status=Status.FAILED).update(
        status=Status.QUEUED,
        attempts=0,
        progress=0,
        progress_note="",
        failure_reason="",
        lease_expires_at=None,
        started_at=None,
        finished_at=None,
    )
    if not queued:
        raise ValidationError("Only a report that failed can be tried again")
    audit.record(actor=actor, action="report.retried", target=run, detail={"failure_reason": reason})
    build_report_task.delay_on_commit(run.pk)  # type: ignore[attr-defined]  # Celery 5.4+; stubs lag
    run.refresh_from_db()
    return run


def is_first_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales, the first such of its month."""
    first = day.replace(day=1)
    while first.weekday() >= 5 or _is_bank_holiday(first):
        first += timedelta(days=1)
    return day == first


def _is_bank_holiday(day: date) -> bool:
    """The England and Wales bank holidays that can fall in a month's first working days, by their
    standing rules (one-off changes by proclamation, as in 2020 and 2022, are not known here)."""
    if day.month == 1:
        # New Year's Day, or the Monday after when it falls at a weekend.
        new_year = date(day.year, 1, 1)
        substitute = (
            new_year + timedelta(days=(7 - new_year.weekday()) % 7) if new_year.weekday() >= 5 else None
        )
        return day in (new_year, substitute)
    if day.month == 5:
        return day.weekday() == 0 and day.day <= 7  # the early May bank holiday: the first Monday
    if day.month in (3, 4):
        easter = _easter_sunday(day.year)
        return day in (easter - timedelta(days=2), easter + timedelta(days=1))
    return False


def _easter_sunday(year: int) -> date:
    """The Gregorian Easter Sunday (the anonymous algorithm, as in Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def schedule_monthly_packs(*, today: date) -> list[ReportRun]:
    """On the first working day of the month, ask for every region's pack for the month before.

    Beat asks every morning of the month's first week (iom/settings.py); on other days, and for a
    region already asked for this month, this does nothing, so a repeated ask makes no second pack.
    """
    if not is_first_working_day(today):
        return []
    period_end = today.replace(day=1) - timedelta(days=1)
    period_start = period_end.replace(day=1)
    asked: list[ReportRun] = []
    for region in Region.objects.filter(teams__isnull=False).distinct().order_by("name", "id"):
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    kind=Kind.REGIONAL_PACK,
                    region=region,
                    period_start=period_start,
                    period_end=period_end,
                    requested_by=None,
                )
                audit.record(
                    actor=None,
                    actor_label="schedule",
                    action="report.requested",
                    target=run,
                    detail={
                        "kind": run.kind,
                        "region_id": region.pk,
                        "period_start": str(period_start),
                        "period_end": str(period_end),
                        "scheduled": True,
                    },
                )
                build_report_task.delay_on_commit(run.pk)  # type: ignore[attr-defined]
        except IntegrityError:
            continue  # asked for already (one_scheduled_pack_per_region_month)
        asked.append(run)
    return asked


def record_report_download(*, actor: User, run: ReportRun, what: Literal["pdf", "csv"]) -> None:
    """Downloading a pack is a disclosure to the person downloading it: log who took what."""
    size, sha256 = (run.file_size, run.file_sha256) if what == "pdf" else (run.csv_size, run.csv_sha256)
    audit.record(
        actor=actor,
        action="report.downloaded",
        target=run,
        detail={"what": what, "bytes": size, "sha256": sha256},
    )
