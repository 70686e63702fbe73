from django.db.models import QuerySet
from django.http import Http404

from iom.core import access
from iom.core.models import Region, Team, User
from reports.models import ReportRun


def report_runs_visible_to(user: User) -> QuerySet[ReportRun]:
    runs = ReportRun.objects.select_related("region", "requested_by")
    return access.scope_to_report_regions(user, runs, region_field="region_id")


def regions_reportable_by(user: User) -> QuerySet[Region]:
    return access.scope_to_report_regions(user, Region.objects.all(), region_field="id")


def get_report_run_for_user(*, user: User, report_run_id: int) -> ReportRun:
    try:
        return report_runs_visible_to(user).get(pk=report_run_id)
    except ReportRun.DoesNotExist:
        raise Http404("No such report") from None


def teams_managed_by(user: User) -> list[Team]:
    """The teams whose dashboard the user may see, by name; none asks the database nothing."""
    ids = access.managed_team_ids(user)
    if not ids:
        return []
    return list(Team.objects.filter(pk__in=ids).order_by("name", "id"))
