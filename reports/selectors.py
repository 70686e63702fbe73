from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Literal

from django.core.exceptions import SuspiciousFileOperation
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from iom.core import access
from iom.core.models import Region, Team, User
from reports.models import ReportRun


@dataclass(frozen=True)
class ReportFilters:
    kind: str = ""
    status: str = ""
    region_id: int | None = None
    team_id: int | None = None
    month: str = ""  # "2026-10": runs whose period starts in that month

    @property
    def any(self) -> bool:
        return bool(self.kind or self.status or self.region_id or self.team_id or self.month)


def report_runs_visible_to(user: User) -> QuerySet[ReportRun]:
    runs = ReportRun.objects.select_related("region", "team", "requested_by")
    return access.scope_to_report_runs(user, runs)


def report_runs_for_list(user: User, filters: ReportFilters) -> QuerySet[ReportRun]:
    """The runs the user may see, narrowed by the list's filters."""
    runs = report_runs_visible_to(user)
    if filters.kind:
        runs = runs.filter(kind=filters.kind)
    if filters.status:
        runs = runs.filter(status=filters.status)
    if filters.region_id is not None:
        runs = runs.filter(region_id=filters.region_id)
    if filters.team_id is not None:
        runs = runs.filter(team_id=filters.team_id)
    if filters.month:
        year, month = (int(part) for part in filters.month.split("-"))
        runs = runs.filter(period_start__year=year, period_start__month=month)
    return runs


def get_report_run_for_user(*, user: User, report_run_id: int) -> ReportRun:
    """One answer for "no such run" and "not yours": 404 either way."""
    try:
        return report_runs_visible_to(user).get(pk=report_run_id)
    except ReportRun.DoesNotExist:
        raise Http404("No such report") from None


def open_report_file(run: ReportRun, what: Literal["pdf", "csv"]) -> IO[bytes]:
    """A finished run's PDF or CSV bundle, opened for reading; 404 when it has none.

    The name stored on the run is read only inside MEDIA_ROOT: a name that would reach outside
    it (`../../etc/passwd`, an absolute path) is refused by the storage and answers as a missing
    file does, never 400 or 500, and is never read."""
    stored = run.file if what == "pdf" else run.csv_file
    if run.status != ReportRun.Status.SUCCEEDED or not stored:
        raise Http404("This report has no file to download")
    try:
        return stored.open("rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404("This report's file is missing") from None


def regions_reportable_by(user: User) -> QuerySet[Region]:
    """Regions the user may request a regional pack for."""
    return access.scope_to_report_regions(user, Region.objects.order_by("name", "id"), region_field="id")


def teams_reportable_by(user: User) -> QuerySet[Team]:
    """Teams the user may request a team pack for."""
    teams = Team.objects.select_related("region").order_by("region__name", "name", "id")
    return access.scope_to_reportable_teams(user, teams)


def lease_held_until(report_run_id: int) -> datetime | None:
    """When the lease of the attempt building the run ends, if one still holds it."""
    held_until = (
        ReportRun.objects.filter(pk=report_run_id, status=ReportRun.Status.RUNNING)
        .values_list("lease_expires_at", flat=True)
        .first()
    )
    return held_until if held_until is not None and held_until > timezone.now() else None


def stalled_report_run_ids(*, now: datetime, queued_too_long: timedelta) -> list[int]:
    """Runs nothing is building: running under a lease that has ended, or queued too long."""
    return list(
        ReportRun.objects.filter(
            Q(status=ReportRun.Status.RUNNING, lease_expires_at__lt=now)
            | Q(status=ReportRun.Status.QUEUED, requested_at__lt=now - queued_too_long)
        )
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)
    )


def teams_managed_by(user: User) -> list[Team]:
    """The teams whose dashboard the user may see, by name; none asks the database nothing."""
    ids = access.managed_team_ids(user)
    if not ids:
        return []
    return list(Team.objects.filter(pk__in=ids).order_by("name", "id"))
