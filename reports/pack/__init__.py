"""The governance pack's content, as data: sections of tables and charts.

Every metric module (cohorts, supervision, partners, impact, people) turns a `PackScope` into
`Section`s; `reports.pack.build` lays the same sections out as the PDF and writes each `Table` as a
CSV in the bundle, so the CSV bundle holds every table of the PDF by construction, and a figure
is computed once.

Small numbers: a column listed in `Table.count_columns` holds counts of people or events; when
shown, 1 to 4 become "<5" (DESIGN §3), in the PDF and the CSV alike. Other columns (percentages,
medians, money, dates) are shown as they are: a section that derives them from small counts says
so, or leaves them out.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

SUPPRESSION_THRESHOLD = 5

Cell = str | int | float | None


def shown(value: Cell, *, count: bool) -> str:
    """A cell as the pack prints it: counts under 5 suppressed, None as an en dash."""
    if value is None:
        return "\u2013"  # an en dash
    if count and is_small(value):
        return f"<{SUPPRESSION_THRESHOLD}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return value


def is_small(value: Cell) -> bool:
    """A count the pack shows as "<5"."""
    return isinstance(value, int) and 0 < value < SUPPRESSION_THRESHOLD


@dataclass(frozen=True)
class Table:
    """One table of the pack, and one CSV file of the bundle (`key`.csv)."""

    key: str  # unique in the pack once `build` prefixes the scope: letters, digits and hyphens
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    count_columns: frozenset[int] = frozenset()  # indexes of columns holding counts: suppressed
    total: Sequence[Cell] | None = None  # a last row, set apart
    note: str = ""
    # (share column, count column) pairs: a share of a count shown as "<5" would give the count
    # away, so it is not shown either.
    share_of: Sequence[tuple[int, int]] = ()

    def shown_rows(self) -> list[list[str]]:
        return [self._shown(row) for row in self.rows]

    def shown_total(self) -> list[str] | None:
        return None if self.total is None else self._shown(self.total)

    def _shown(self, row: Sequence[Cell]) -> list[str]:
        cells = [shown(value, count=index in self.count_columns) for index, value in enumerate(row)]
        for share, count in self.share_of:
            if is_small(row[count]):
                cells[share] = "\u2013"
        return cells


@dataclass(frozen=True)
class Chart:
    """A chart drawn as SVG on the server, always beside the table whose numbers it draws."""

    kind: str  # "bar" (one series), "grouped" (a few series per label), "line" (series over time)
    title: str
    labels: Sequence[str]
    # (name, one value per label); None is not drawn: a share of a count under 5, say.
    series: Sequence[tuple[str, Sequence[int | float | None]]]
    table_key: str  # the Table beside it: its accessible alternative


@dataclass(frozen=True)
class Paragraph:
    text: str


Block = Table | Chart | Paragraph


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: Sequence[Block]
    # Up to three headline figures for the summary page: (label, value, trend or "").
    headlines: Sequence[tuple[str, str, str]] = ()

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


def on_a_cohort_at(day: date) -> Q:
    """Cohort memberships that had the person on the cohort at the end of `day`: entered by then and
    not left (a person leaving on a day is off at its end; a person moving cohort is on the new one).
    Every section counts "on IOM" by this one rule."""
    return Q(entry_date__lte=day) & (Q(exit_date__isnull=True) | Q(exit_date__gt=day))


@dataclass(frozen=True)
class PackScope:
    """What one part of a pack covers: one team, or every team of a region (or of the nation),
    over a period (normally a calendar month), as of `today`."""

    label: str  # "Northshire City IOM", "Northshire (all teams)", "England and Wales"
    key: str  # "team-12", "region-3", "nation": prefixes the scope's table keys
    team_ids: tuple[int, ...]
    period_start: date
    period_end: date
    today: date
    region_id: int | None = None
