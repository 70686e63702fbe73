"""The pack's impact section: proven offences in the 12 months before entry to IOM and the 12 months
after, and what they cost, with the limits of that comparison stated beside it.

Who is counted: the scope's people whose first entry to IOM (the earliest entry date of a membership
that began: on the cohort now, or ended since) is at least 12 months before the period's end, so
every one of them has a whole year after entry to look at. Those who left IOM within the year are
counted too: leaving early is part of what happened.

The windows: before is the 12 months up to the day before entry; after is the 12 months from the
entry date itself (an offence on the day of entry counts after: the person was on IOM that day).
Twelve months are calendar months, with the month's last day when it is shorter (29 February + 12
months is 28 February), as `cohorts.periods.add_months` counts them.

Four queries whatever the number of people: the people counted, their offences by category and
window, the people with an offence in each window, and the unit costs.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    Func,
    Min,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.db.models.sql.compiler import SQLCompiler

from cohorts.models import CohortMembership, Nominal, Offence
from cohorts.periods import add_months
from reports.models import CrimeUnitCost
from reports.pack import (
    SUPPRESSION_THRESHOLD,
    Block,
    Cell,
    Chart,
    PackScope,
    Paragraph,
    Section,
    Table,
    shown,
)

WINDOW_MONTHS = 12
BEGAN = (CohortMembership.Status.ACTIVE, CohortMembership.Status.ENDED)
NO_UNIT_COST = "no unit cost"

LIMITS = (
    "What this comparison can and cannot show. It compares the same people before and after they "
    "joined IOM; there is no comparison group, so it cannot say what would have happened to them "
    "without IOM. People are chosen for IOM when their offending is at its worst, and offending that "
    "high tends to fall afterwards whatever is done (regression to the mean), so some of any fall "
    "would have happened anyway. Closer supervision changes how much offending is found: more "
    "contact with police can bring more offences to light, or deter them being recorded, so the "
    "after figure is not measured in quite the same way as the before figure (detection effects). "
    "Proven offences undercount offending: most crime is never solved, and offences from the last "
    "months may not yet have reached court. The costs are national averages for each kind of "
    "offence, not the cost of these offences, and are in the prices of the year shown."
)


class MonthsLater(Func):
    """A date `months` calendar months later (earlier when negative), at the month's last day when
    that month is shorter, as cohorts.periods.add_months does it, in the database."""

    output_field = DateField()

    def __init__(self, expression: Any, months: int) -> None:
        super().__init__(expression)
        self.months = months

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, *args: Any, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        # PostgreSQL's interval arithmetic already keeps to the month's last day.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({sql}) + make_interval(months => %s) AS date)", (*params, self.months)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        # SQLite's date() overflows into the next month (29 Feb + 12 months is 1 March), so a day
        # that moved is replaced by the last day of the intended month.
        sql, params = compiler.compile(self.source_expressions[0])
        shift = f"{self.months:+d} months"
        moved = f"date({sql}, %s)"
        return (
            f"CASE WHEN strftime('%%d', {moved}) = strftime('%%d', {sql}) THEN {moved} "
            f"ELSE date({sql}, 'start of month', %s, '+1 month', '-1 day') END",
            (*params, shift, *params, *params, shift, *params, shift),
        )


def sections(scope: PackScope) -> list[Section]:
    entered_by = add_months(scope.period_end, -WINDOW_MONTHS)
    people = (
        Nominal.objects.filter(team_id__in=scope.team_ids)
        .alias(first_entry=_first_entry_of("pk"))
        .filter(first_entry__lte=entered_by)
        .count()
    )
    # Each offence's window is worked out once, in one subquery over its person's memberships;
    # offences outside both windows, or of people not counted, have none and are passed over.
    offences = Offence.objects.filter(kind=Offence.Kind.PROVEN, nominal__team_id__in=scope.team_ids).annotate(
        window=_window_of_offence(entered_by)
    )
    by_category: dict[tuple[int, str], dict[str, int]] = {}
    for category_id, name, window, count in (
        offences.values("category_id", "category__name", "window")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("category_id", "category__name", "window", "count")
    ):
        if window is not None:
            by_category.setdefault((category_id, name), {})[window] = count
    offenders = {"before": 0, "after": 0}
    for window, count in (
        offences.values("window")
        .annotate(people=Count("nominal_id", distinct=True))
        .order_by()
        .values_list("window", "people")
    ):
        if window is not None:
            offenders[window] = count
    unit_costs = {cost.category_id: cost for cost in CrimeUnitCost.objects.all()}
    return [_section(scope, people, offenders, by_category, unit_costs)]


def _first_entry_of(nominal: str) -> Subquery:
    """The person's first entry to IOM: the earliest entry date of a membership that began."""
    return Subquery(
        CohortMembership.objects.filter(nominal=OuterRef(nominal), status__in=BEGAN)
        .values("nominal_id")
        .annotate(first=Min("entry_date"))
        .values("first")[:1]
    )


def _window_of_offence(entered_by: date) -> Subquery:
    """ "before" or "after" for an offence in the 12 months either side of its person's first entry,
    when that entry was on or before `entered_by`; else NULL."""
    occurred_on = OuterRef("occurred_on")
    # MIN as a plain function, not an aggregate: one row per person with no GROUP BY, which could
    # not name the offence's date.
    entry = Func(F("entry_date"), function="MIN", output_field=DateField())
    counted = LessThanOrEqual(entry, entered_by)
    return Subquery(
        CohortMembership.objects.filter(nominal=OuterRef("nominal_id"), status__in=BEGAN)
        .order_by()
        .annotate(
            window=Case(
                When(
                    counted
                    & GreaterThanOrEqual(occurred_on, MonthsLater(entry, -WINDOW_MONTHS))
                    & LessThan(occurred_on, entry),
                    then=Value("before"),
                ),
                When(
                    counted
                    & GreaterThanOrEqual(occurred_on, entry)
                    & LessThan(occurred_on, MonthsLater(entry, WINDOW_MONTHS)),
                    then=Value("after"),
                ),
                output_field=CharField(),
            )
        )
        .values("window")[:1],
        output_field=CharField(),
    )


def _pounds(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1)))


def _section(
    scope: PackScope,
    people: int,
    offenders: dict[str, int],
    by_category: dict[tuple[int, str], dict[str, int]],
    unit_costs: dict[int, CrimeUnitCost],
) -> Section:
    rows: list[list[Cell]] = []
    before_total = after_total = 0
    cost_before = cost_after = Decimal(0)
    uncosted: list[str] = []
    hidden_costs = False
    for (category_id, name), windows in sorted(by_category.items(), key=lambda item: item[0][1]):
        before, after = windows.get("before", 0), windows.get("after", 0)
        before_total += before
        after_total += after
        unit = unit_costs.get(category_id)
        if unit is None:
            uncosted.append(name)
            rows.append([name, before, after, NO_UNIT_COST, NO_UNIT_COST, NO_UNIT_COST, NO_UNIT_COST])
            continue
        cost_before += unit.cost * before
        cost_after += unit.cost * after
        # A cost would show the count it is made of: where that count is suppressed, so is its cost.
        small = any(0 < count < SUPPRESSION_THRESHOLD for count in (before, after))
        hidden_costs = hidden_costs or small
        rows.append(
            [
                name,
                before,
                after,
                _pounds(unit.cost),
                None if small else _pounds(unit.cost * before),
                None if small else _pounds(unit.cost * after),
                None if small else _pounds(unit.cost * (after - before)),
            ]
        )

    sources = sorted({(cost.source, cost.price_year) for cost in unit_costs.values()})
    notes = [
        "Costs in pounds: offences multiplied by the estimated cost to society of one offence of "
        "the kind. Source: "
        + "; ".join(f"{source}, {year} prices" for source, year in sources or [("none recorded", "no")])
        + "."
    ]
    if uncosted:
        notes.append(
            f"Shown as \u201c{NO_UNIT_COST}\u201d and left out of the cost totals, as the unit-cost "
            f"table holds no figure for them: {', '.join(uncosted)}."
        )
    if hidden_costs:
        notes.append(
            f"A category's costs are not shown where it had fewer than {SUPPRESSION_THRESHOLD} "
            "offences before or after, as they would show the number; they are in the totals."
        )
    by_category_table = Table(
        key="reoffending-by-category",
        title="Proven offences in the 12 months before and after entry, and their estimated cost",
        columns=[
            "Offence category",
            "Offences before",
            "Offences after",
            "Unit cost (\u00a3)",
            "Cost before (\u00a3)",
            "Cost after (\u00a3)",
            "Difference (\u00a3)",
        ],
        rows=rows,
        count_columns=frozenset({1, 2}),
        total=[
            "All categories",
            before_total,
            after_total,
            None,
            _pounds(cost_before),
            _pounds(cost_after),
            _pounds(cost_after - cost_before),
        ],
        note=" ".join(notes),
    )
    summary = Table(
        key="reoffending-summary",
        title="People and proven offences, 12 months before and after entry",
        columns=["Measure", "Number"],
        rows=[
            ["People who entered IOM at least 12 months before the period's end", people],
            ["People with a proven offence in the 12 months before entry", offenders["before"]],
            ["People with a proven offence in the 12 months after entry", offenders["after"]],
            ["Proven offences in the 12 months before entry", before_total],
            ["Proven offences in the 12 months after entry", after_total],
        ],
        count_columns=frozenset({1}),
        note=(
            "Each person's first entry to IOM; people who left within the year are counted. Before: "
            "the 12 months up to the day before entry. After: the 12 months from the entry date, "
            "which counts as after."
        ),
    )
    chart = Chart(
        kind="grouped",
        title="Proven offences before and after entry, by category",
        labels=[str(row[0]) for row in rows],
        series=[
            ("12 months before", [int(row[1]) for row in rows]),  # type: ignore[arg-type]
            ("12 months after", [int(row[2]) for row in rows]),  # type: ignore[arg-type]
        ],
        table_key=by_category_table.key,
    )
    blocks: list[Block] = [summary, chart, by_category_table, Paragraph(LIMITS)]
    if people == 0:
        blocks = [
            summary,
            Paragraph("No one in this scope entered IOM at least 12 months before the end of the period."),
            Paragraph(LIMITS),
        ]
    return Section(
        key="reoffending",
        title="Reoffending before and after entry",
        blocks=blocks,
        headlines=[
            (
                "Proven offences, 12 months before and after entry",
                f"{shown(before_total, count=True)} before, {shown(after_total, count=True)} after",
                _change(before_total, after_total),
            ),
            (
                "Estimated cost of crime, 12 months after entry",
                f"\u00a3{_pounds(cost_after):,}",
                f"\u00a3{_pounds(cost_before):,} before",
            ),
        ],
    )


def _change(before: int, after: int) -> str:
    if before < SUPPRESSION_THRESHOLD or 0 < after < SUPPRESSION_THRESHOLD:
        return ""  # a percentage of small numbers would show them
    change = round(100 * (after - before) / before)
    return "no change" if change == 0 else f"{'up' if change > 0 else 'down'} {abs(change)}%"
