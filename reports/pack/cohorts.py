"""The pack's cohort section: cohort sizes over 12 months, entries and exits, reviews overdue.

Three queries whatever the number of people: every figure is a filtered count over the scope's
memberships, and reviews are read once.
"""

from datetime import date, timedelta

from django.db.models import Count, Max, Min, Q

from cohorts.models import Cohort, CohortMembership, CohortReview, CohortSetting
from cohorts.periods import add_months
from reports.pack import Block, Cell, Chart, PackScope, Paragraph, Section, Table, on_a_cohort_at, shown

SERIES_MONTHS = 12
ExitReason = CohortMembership.ExitReason
DEFAULT_REVIEW_INTERVAL = CohortSetting._meta.get_field("review_interval_months").get_default()


def month_ends(period_end: date, months: int) -> list[date]:
    """The period's end and the last days of the `months - 1` months before it, oldest first."""
    first_of_month = period_end.replace(day=1)
    earlier = [first_of_month - timedelta(days=1)]
    for _ in range(months - 2):
        earlier.append(earlier[-1].replace(day=1) - timedelta(days=1))
    return [*reversed(earlier), period_end]


def _signed(change: int) -> str:
    if change == 0:
        return "no change on a year ago"
    return f"{'up' if change > 0 else 'down'} {abs(change):,} on a year ago"


def sections(scope: PackScope) -> list[Section]:
    memberships = CohortMembership.objects.filter(nominal__team_id__in=scope.team_ids)
    cohorts = list(Cohort)

    # Cohort sizes at 13 month ends: the 12 shown, and the year-ago point for the headline's trend.
    ends = month_ends(scope.period_end, SERIES_MONTHS + 1)
    sizes = memberships.filter(entry_date__lte=scope.period_end).aggregate(
        **{
            f"{cohort.value}_{index}": Count("id", filter=Q(cohort=cohort) & on_a_cohort_at(day))
            for index, day in enumerate(ends)
            for cohort in cohorts
        }
    )

    def size(cohort: Cohort, index: int) -> int:
        return int(sizes[f"{cohort.value}_{index}"])

    shown_ends = list(enumerate(ends))[1:]
    size_rows: list[list[Cell]] = [
        [day.strftime("%b %Y"), *(size(c, i) for c in cohorts), sum(size(c, i) for c in cohorts)]
        for i, day in shown_ends
    ]
    on_iom_now = sum(size(c, len(ends) - 1) for c in cohorts)
    on_iom_year_ago = sum(size(c, 0) for c in cohorts)

    # Entries and exits in the period, by cohort, and exits by reason.
    period = (scope.period_start, scope.period_end)
    flows = memberships.filter(Q(entry_date__range=period) | Q(exit_date__range=period)).aggregate(
        **{f"entries_{c.value}": Count("id", filter=Q(cohort=c, entry_date__range=period)) for c in cohorts},
        **{
            f"exits_{c.value}_{reason.value}": Count(
                "id", filter=Q(cohort=c, exit_date__range=period, exit_reason=reason)
            )
            for c in cohorts
            for reason in ExitReason
        },
    )
    entries = {c: int(flows[f"entries_{c.value}"]) for c in cohorts}
    exits = {
        (c, reason): int(flows[f"exits_{c.value}_{reason.value}"]) for c in cohorts for reason in ExitReason
    }
    exits_by_cohort = {c: sum(exits[c, reason] for reason in ExitReason) for c in cohorts}
    exit_rows: list[list[Cell]] = [
        [reason.label, *(exits[c, reason] for c in cohorts), sum(exits[c, reason] for c in cohorts)]
        for reason in ExitReason
    ]

    overdue = _reviews_overdue(scope)

    counts_1_to_4 = frozenset(range(1, len(cohorts) + 2))
    blocks: list[Block] = [
        Paragraph(
            "People are counted on a cohort at the end of each month's last day: someone who left that "
            "day is not counted, and someone who moved cohort that day counts on the new one."
        ),
        Chart(
            kind="line",
            title="People on each cohort at the end of each month",
            labels=[day.strftime("%b %Y") for _, day in shown_ends],
            series=[(c.label, [size(c, i) for i, _ in shown_ends]) for c in cohorts],
            table_key="cohort-sizes",
        ),
        Table(
            key="cohort-sizes",
            title="People on each cohort at the end of each month",
            columns=["Month end", *(c.label for c in cohorts), "Total"],
            rows=size_rows,
            count_columns=counts_1_to_4,
        ),
        Table(
            key="entries-exits",
            title="Entries and exits in the period, by cohort",
            columns=["Cohort", "Entries", "Exits"],
            rows=[[c.label, entries[c], exits_by_cohort[c]] for c in cohorts],
            count_columns=frozenset({1, 2}),
            total=["Total", sum(entries.values()), sum(exits_by_cohort.values())],
            note="A move between cohorts counts as an exit from one and an entry to the other. Proposals "
            "not accepted by the panel are not entries.",
        ),
        Chart(
            kind="bar",
            title="Exits in the period by reason",
            labels=[reason.label for reason in ExitReason],
            series=[("Exits", [sum(exits[c, reason] for c in cohorts) for reason in ExitReason])],
            table_key="exits-by-reason",
        ),
        Table(
            key="exits-by-reason",
            title="Exits in the period by reason and cohort",
            columns=["Reason", *(c.label for c in cohorts), "Total"],
            rows=exit_rows,
            count_columns=counts_1_to_4,
            total=["Total", *(exits_by_cohort[c] for c in cohorts), sum(exits_by_cohort.values())],
        ),
        Paragraph(
            "A review is overdue when the person was on the cohort at the end of the period and the "
            "date their review was due, as it stood then, had passed without a review: the rule the "
            "team dashboard uses today."
        ),
        Table(
            key="reviews-overdue",
            title="Reviews overdue at the end of the period, by cohort",
            columns=["Cohort", "People on the cohort", "Reviews overdue"],
            rows=[[c.label, size(c, len(ends) - 1), overdue[c]] for c in cohorts],
            count_columns=frozenset({1, 2}),
            total=["Total", on_iom_now, sum(overdue.values())],
        ),
    ]
    return [
        Section(
            key="cohorts",
            title="Cohorts",
            blocks=blocks,
            headlines=[
                (
                    "People on IOM at the end of the period",
                    shown(on_iom_now, count=True),
                    _signed(on_iom_now - on_iom_year_ago),
                ),
                ("Entries in the period", shown(sum(entries.values()), count=True), ""),
                ("Exits in the period", shown(sum(exits_by_cohort.values()), count=True), ""),
            ],
        )
    ]


def _reviews_overdue(scope: PackScope) -> dict[Cohort, int]:
    """Memberships on a cohort at the period's end whose review date, as it stood then, was
    before the end: the team dashboard's rule (`metrics.reviews_due`) as at another day.

    A review recorded to continue moves `review_due` on, so for a membership continued after
    the period the date that stood at its end is worked back: the interval after the last review
    on or before the end, or after entry. Other outcomes end the membership and leave
    `review_due` as it was. Two queries."""
    end = scope.period_end
    continue_ = CohortReview.Outcome.CONTINUE
    intervals = dict(CohortSetting.objects.values_list("cohort", "review_interval_months"))
    rows = (
        CohortMembership.objects.filter(
            on_a_cohort_at(end), nominal__team_id__in=scope.team_ids, review_due__isnull=False
        )
        .annotate(
            continued_after=Min(
                "reviews__reviewed_on", filter=Q(reviews__reviewed_on__gt=end, reviews__outcome=continue_)
            ),
            reviewed_before=Max("reviews__reviewed_on", filter=Q(reviews__reviewed_on__lte=end)),
        )
        # Only the memberships that could be overdue: due before the end now, or reviewed since.
        .filter(Q(review_due__lt=end) | Q(continued_after__isnull=False))
        .values_list("cohort", "entry_date", "review_due", "continued_after", "reviewed_before")
    )
    overdue = dict.fromkeys(Cohort, 0)
    for cohort, entry_date, review_due, continued_after, reviewed_before in rows:
        due, last_set = review_due, reviewed_before or entry_date
        if continued_after is not None and last_set is not None:
            due = add_months(last_set, intervals.get(cohort, DEFAULT_REVIEW_INTERVAL))
        if due is not None and due < end:
            overdue[Cohort(cohort)] += 1
    return overdue
