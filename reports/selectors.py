from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

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


def regions_reportable_by(user: User) -> QuerySet[Region]:
    """Regions the user may request a regional pack for."""
    return access.scope_to_report_regions(user, Region.objects.order_by("name", "id"), region_field="id")


def teams_reportable_by(user: User) -> QuerySet[Team]:
    """Teams the user may request a team pack for: those they manage, and every team of a region
    they report on."""
    condition = Q()
    region_ids = access.report_region_ids(user)
    if region_ids:
        condition |= Q(region_id__in=region_ids)
    managed = access.managed_team_ids(user)
    if managed:
        condition |= Q(pk__in=managed)
    if not condition:
        return Team.objects.none()
    return Team.objects.filter(condition).select_related("region").order_by("region__name", "name", "id")


def teams_managed_by(user: User) -> list[Team]:
    """The teams whose dashboard the user may see, by name; none asks the database nothing."""
    ids = access.managed_team_ids(user)
    if not ids:
        return []
    return list(Team.objects.filter(pk__in=ids).order_by("name", "id"))
