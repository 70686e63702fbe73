"""The API's filters for report runs: the page's filters (kind, status, region, team, month), checked
here and applied by the page's own selector, so a filter means the same in both."""

from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from iom.core.http import AuthenticatedRequest
from iom.core.models import Region, Team
from reports import selectors
from reports.models import ReportRun
from reports.selectors import ReportFilters

MONTH = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "Give the month as YYYY-MM, e.g. 2026-10")


# The API only filters for a signed-in user (the viewsets' permission).
def _regions(request: AuthenticatedRequest | None) -> QuerySet[Region]:
    return selectors.regions_reportable_by(request.user) if request is not None else Region.objects.none()


def _teams(request: AuthenticatedRequest | None) -> QuerySet[Team]:
    return selectors.teams_reportable_by(request.user) if request is not None else Team.objects.none()


class ReportRunFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=ReportRun.Kind.choices,
        error_messages={"invalid_choice": "Choose a kind of report: %(value)s is not one"},
    )
    status = django_filters.ChoiceFilter(
        choices=ReportRun.Status.choices,
        error_messages={"invalid_choice": "Choose a status: %(value)s is not one"},
    )
    # As on the page, a region or team the user may not report on is an error, not an empty list.
    region = django_filters.ModelChoiceFilter(
        queryset=_regions,
        help_text="The id of a region you report on: its regional pack and its teams' packs.",
        error_messages={"invalid_choice": "Choose one of the regions you report on"},
    )
    team = django_filters.ModelChoiceFilter(
        queryset=_teams,
        help_text="The id of a team whose packs you may read.",
        error_messages={"invalid_choice": "Choose one of the teams you report on"},
    )
    month = django_filters.CharFilter(
        validators=[MONTH],
        help_text="Runs whose period starts in this month, written YYYY-MM.",
    )

    class Meta:
        model = ReportRun
        fields = ["kind", "status", "region", "team", "month"]

    def filter_queryset(self, queryset: QuerySet[ReportRun]) -> QuerySet[ReportRun]:
        # The page's selector does the narrowing (its scope is the same as `queryset`'s).
        data: dict[str, Any] = self.form.cleaned_data
        region, team = data.get("region"), data.get("team")
        filters = ReportFilters(
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            region_id=region.pk if region is not None else None,
            team_id=team.pk if team is not None else None,
            month=data.get("month") or "",
        )
        if self.request is None:
            return queryset.none()
        return selectors.report_runs_for_list(self.request.user, filters)
