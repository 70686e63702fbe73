"""Every figure the service reports, computed in one place.

Dashboards and governance packs both call these functions, so a number on a page and the
same number in a PDF cannot disagree.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count

from iom.core.models import Region, Team
from supervision.models import Contact

SUPPRESSION_THRESHOLD = 5


def suppressed(count: int) -> str:
    """Small counts could identify a person; show them as "<5" (DESIGN §3). Zero is shown as 0."""
    return f"<{SUPPRESSION_THRESHOLD}" if 0 < count < SUPPRESSION_THRESHOLD else f"{count:,}"


@dataclass(frozen=True)
class TeamFigures:
    team_name: str
    nominals: int
    contacts: int


@dataclass(frozen=True)
class RegionSummary:
    region_name: str
    period_start: date
    period_end: date
    teams: list[TeamFigures]

    @property
    def nominals(self) -> int:
        return sum(team.nominals for team in self.teams)

    @property
    def contacts(self) -> int:
        return sum(team.contacts for team in self.teams)


def region_summary(*, region_id: int, period_start: date, period_end: date) -> RegionSummary:
    """Nominals on each team's caseload now, and contacts logged with a date in the period."""
    region = Region.objects.get(pk=region_id)
    teams = (
        Team.objects.filter(region_id=region_id).annotate(nominal_count=Count("nominals")).order_by("name")
    )
    contacts = {
        row["nominal__team_id"]: row["count"]
        for row in Contact.objects.filter(
            nominal__team__region_id=region_id, happened_on__range=(period_start, period_end)
        )
        .values("nominal__team_id")
        .annotate(count=Count("id"))
        .order_by()
    }
    return RegionSummary(
        region_name=region.name,
        period_start=period_start,
        period_end=period_end,
        teams=[TeamFigures(team.name, team.nominal_count, contacts.get(team.pk, 0)) for team in teams],
    )
