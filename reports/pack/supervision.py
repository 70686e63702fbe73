"""The pack's supervision sections: contact and compliance, engagement, care and control.

Compliance comes from `supervision.selectors.week_compliance_for`, the function behind the
manager dashboard and the person page (docs/decisions/0007-contact-standards.md), one call per
week; the rest are filtered counts. A fixed number of queries whatever the number of people.
"""

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from cohorts.models import Cohort, CohortMembership, Nominal
from cohorts.periods import add_months
from reports.pack import Cell, Chart, PackScope, Paragraph, Section, Table, is_small, on_a_cohort_at, shown
from supervision.compliance import week_starting
from supervision.models import (
    CONTROL_PURPOSES,
    COUNTS_TOWARDS_STANDARD,
    SUPPORT_PURPOSES,
    Contact,
    EnforcementAction,
    Kind,
    Outcome,
    Purpose,
)
from supervision.selectors import week_compliance_for

NOT_ON_A_COHORT = "Not on a cohort"
COHORTS = list(Cohort)
# Contacts are grouped by the cohort the person was on that day; some are with people who were not.
COHORT_COLUMNS = [*(c.label for c in COHORTS), NOT_ON_A_COHORT]
CONTINUITY_MONTHS = 12


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def shown_percent(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.1f}%"


def ended_weeks(scope: PackScope) -> list[date]:
    """The Mondays of the weeks (Monday to Sunday) whose Sunday falls in the period and has passed."""
    last_sunday = min(scope.period_end, scope.today - timedelta(days=1))
    monday = week_starting(scope.period_start)
    if monday + timedelta(days=6) < scope.period_start:
        monday += timedelta(weeks=1)
    weeks = []
    while monday + timedelta(days=6) <= last_sunday:
        weeks.append(monday)
        monday += timedelta(weeks=1)
    return weeks


def _cohort_on_contact_day() -> Subquery:
    """The cohort the person was on the day of the contact: the latest entered membership that
    covers the day, as compliance picks it (`supervision.compliance.required_in_week`)."""
    return Subquery(
        CohortMembership.objects.filter(nominal_id=OuterRef("nominal_id"), entry_date__lte=OuterRef("date"))
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=OuterRef("date")))
        .order_by("-entry_date", "-id")
        .values("cohort")[:1]
    )


def _cohort_column(value: str | None) -> str:
    return Cohort(value).label if value in Cohort.values else NOT_ON_A_COHORT


def sections(scope: PackScope) -> list[Section]:
    people = Nominal.objects.filter(team_id__in=scope.team_ids)
    contacts = Contact.objects.filter(
        nominal__team_id__in=scope.team_ids, date__range=(scope.period_start, scope.period_end)
    )
    # Contacts that took place: the person attended (the contacts that count towards the standard).
    held = _held_contacts(contacts)
    return [
        _compliance(scope, people, contacts),
        _engagement(scope, people, held),
        _care_and_control(held),
    ]


def _held_contacts(contacts: QuerySet[Contact]) -> dict[tuple[str, str, str], int]:
    """Contacts the person attended, by (cohort that day, kind, purpose). One query."""
    rows = (
        contacts.filter(outcome__in=COUNTS_TOWARDS_STANDARD)
        .annotate(cohort_then=_cohort_on_contact_day())
        .values("cohort_then", "kind", "purpose")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("cohort_then", "kind", "purpose", "count")
    )
    held: Counter[tuple[str, str, str]] = Counter()
    for cohort, kind, purpose, count in rows:
        held[_cohort_column(cohort), kind, purpose] += count
    return dict(held)


# Contact and compliance ---------------------------------------------------------------------


def _compliance(scope: PackScope, people: QuerySet[Nominal], contacts: QuerySet[Contact]) -> Section:
    weeks = ended_weeks(scope)
    met: Counter[str] = Counter()
    short: Counter[str] = Counter()
    no_standard: Counter[str] = Counter()
    if weeks:
        # Only people on a cohort at some time in those weeks can have a week assessed.
        on_a_cohort = people.filter(
            Exists(
                CohortMembership.objects.filter(
                    Q(exit_date__isnull=True) | Q(exit_date__gte=weeks[0]),
                    nominal=OuterRef("pk"),
                    entry_date__lte=weeks[-1] + timedelta(days=6),
                )
            )
        )
        for monday in weeks:
            for week in week_compliance_for(on_a_cohort, week_starts=monday, today=scope.today).values():
                if week.assessed:
                    (met if week.met else short)[week.cohort] += 1
                elif week.cohort:
                    no_standard[week.cohort] += 1
    assessed = {c: met[c] + short[c] for c in Cohort.values}
    compliance_rows = [
        [c.label, assessed[c], met[c], short[c], percent(met[c], assessed[c]), no_standard[c]]
        for c in COHORTS
    ]
    all_met, all_assessed = sum(met.values()), sum(assessed.values())
    compliance = Table(
        key="contact-compliance",
        title="Person-weeks meeting the contact standard, by cohort",
        columns=[
            "Cohort",
            "Person-weeks assessed",
            "Met the standard",
            "Short",
            "Met (%)",
            "No standard set",
        ],
        rows=compliance_rows,
        count_columns=frozenset({1, 2, 3, 5}),
        share_of=((4, 2),),
        total=[
            "Total",
            all_assessed,
            all_met,
            sum(short.values()),
            percent(all_met, all_assessed),
            sum(no_standard.values()),
        ],
        note=f"{len(weeks)} weeks (Monday to Sunday) ended in the period.",
    )

    outcome_counts = contacts.aggregate(
        **{outcome.value: Count("id", filter=Q(outcome=outcome)) for outcome in Outcome},
        not_recorded=Count("id", filter=Q(outcome="", date__lt=scope.today)),
    )
    recorded = sum(outcome_counts[outcome.value] for outcome in Outcome)
    outcomes = Table(
        key="attendance-outcomes",
        title="Appointments in the period by outcome",
        columns=["Outcome", "Appointments", "Share of outcomes (%)"],
        share_of=((2, 1),),
        rows=[
            [outcome.label, outcome_counts[outcome.value], percent(outcome_counts[outcome.value], recorded)]
            for outcome in Outcome
        ]
        + [["Outcome not yet recorded", outcome_counts["not_recorded"], None]],
        count_columns=frozenset({1}),
        total=["Total with an outcome", recorded, 100.0 if recorded else None],
    )

    actions = EnforcementAction.objects.filter(
        nominal__team_id__in=scope.team_ids, decided_on__range=(scope.period_start, scope.period_end)
    ).aggregate(**{kind.value: Count("id", filter=Q(kind=kind)) for kind in EnforcementAction.Kind})
    all_actions = sum(actions.values())
    enforcement = Table(
        key="enforcement-actions",
        title="Enforcement decisions in the period",
        columns=["Decision", "Decisions"],
        rows=[[kind.label, actions[kind.value]] for kind in EnforcementAction.Kind],
        count_columns=frozenset({1}),
        total=["Total", all_actions],
    )
    return Section(
        key="compliance",
        title="Contact and compliance",
        blocks=[
            Paragraph(
                "Each person's weeks on a cohort are checked against their contact standard as the person "
                "page and the manager dashboard check them: contacts the person attended count, a week "
                "joined or left part-way needs its share of the standard, and Flex and Free weeks with no "
                "standard set are not assessed."
            ),
            Chart(
                kind="grouped",
                title="Person-weeks meeting the contact standard, by cohort",
                labels=[c.label for c in COHORTS],
                series=[
                    ("Met", [met[c] for c in Cohort.values]),
                    ("Short", [short[c] for c in Cohort.values]),
                ],
                table_key="contact-compliance",
            ),
            compliance,
            Chart(
                kind="bar",
                title="Appointments in the period by outcome",
                labels=[outcome.label for outcome in Outcome],
                series=[("Appointments", [outcome_counts[outcome.value] for outcome in Outcome])],
                table_key="attendance-outcomes",
            ),
            outcomes,
            enforcement,
        ],
        headlines=[
            (
                "Person-weeks meeting the contact standard",
                shown_percent(percent(all_met, all_assessed)),
                f"of {all_assessed:,} assessed",
            ),
            ("Enforcement decisions in the period", shown(all_actions, count=True), ""),
        ],
    )


# Engagement -------------------------------------------------------------------------------


def _engagement(
    scope: PackScope, people: QuerySet[Nominal], held: dict[tuple[str, str, str], int]
) -> Section:
    def count(column: str, kind: str | None = None) -> int:
        return sum(n for (c, k, _), n in held.items() if c == column and (kind is None or k == kind))

    visit_rows: list[list[Cell]] = []
    joint_shares: list[int | float | None] = []
    custody_shares: list[int | float | None] = []
    all_held = all_joint = all_custody = 0
    for column in COHORT_COLUMNS:
        total, joint, custody = (
            count(column),
            count(column, Kind.JOINT_VISIT),
            count(column, Kind.CUSTODY_VISIT),
        )
        visit_rows.append([column, total, joint, percent(joint, total), custody, percent(custody, total)])
        # A share of a count under 5 would give the count away: not drawn, as not shown.
        joint_shares.append(None if is_small(joint) else percent(joint, total) or 0.0)
        custody_shares.append(None if is_small(custody) else percent(custody, total) or 0.0)
        all_held, all_joint, all_custody = all_held + total, all_joint + joint, all_custody + custody
    visits = Table(
        key="joint-and-custody-visits",
        title="Joint visits and custody visits as a share of contacts, by cohort",
        columns=[
            "Cohort on the day",
            "Contacts",
            "Joint visits",
            "Joint visits (%)",
            "Custody visits",
            "Custody visits (%)",
        ],
        rows=visit_rows,
        count_columns=frozenset({1, 2, 4}),
        share_of=((3, 2), (5, 4)),
        total=[
            "Total",
            all_held,
            all_joint,
            percent(all_joint, all_held),
            all_custody,
            percent(all_custody, all_held),
        ],
    )

    continuity_rows, steady, through, mean_workers = _continuity(scope, people)
    continuity = Table(
        key="worker-continuity",
        title="Worker continuity for people on IOM through the period, by cohort at its end",
        columns=[
            "Cohort",
            "People on IOM through the period",
            "No change of worker",
            "No change of worker (%)",
            "Mean different workers in 12 months",
        ],
        rows=continuity_rows,
        count_columns=frozenset({1, 2}),
        share_of=((3, 2),),
        total=["Total", through, steady, percent(steady, through), mean_workers],
    )
    return Section(
        key="engagement",
        title="Engagement",
        blocks=[
            Paragraph(
                "Contacts are those the person attended in the period, counted against the cohort they "
                "were on that day. A joint visit is staff of two agencies together, such as police and "
                "probation; a custody visit is a visit before release to a person still in custody."
            ),
            Chart(
                kind="grouped",
                title="Joint visits and custody visits as a share of contacts (%)",
                labels=COHORT_COLUMNS,
                series=[
                    ("Joint visits", joint_shares),
                    ("Custody visits", custody_shares),
                ],
                table_key="joint-and-custody-visits",
            ),
            visits,
            Paragraph(
                "Worker continuity covers people on a cohort on the period's first day and at its end. "
                "A change of worker is any case-team allocation (police offender manager, probation "
                "practitioner or support worker) that started or ended in the period. Different workers "
                f"counts everyone allocated to the person in any of those roles at some time in the "
                f"{CONTINUITY_MONTHS} months to the period's end; a full case team is up to three."
            ),
            continuity,
        ],
        headlines=[
            ("Joint visits as a share of contacts", shown_percent(percent(all_joint, all_held)), ""),
            (
                "People with no change of worker in the period",
                shown_percent(percent(steady, through)),
                f"of {through:,} on IOM through the period",
            ),
        ],
    )


def _continuity(
    scope: PackScope, people: QuerySet[Nominal]
) -> tuple[list[list[Cell]], int, int, float | None]:
    """Per cohort at the period's end: people on IOM through the period, those with no change of
    worker, and the mean number of different workers over 12 months. One query, a row a person."""
    start, end = scope.period_start, scope.period_end
    since = add_months(end, -CONTINUITY_MONTHS) + timedelta(days=1)
    memberships = CohortMembership.objects.filter(nominal_id=OuterRef("pk"))
    rows = (
        people.filter(
            Exists(memberships.filter(on_a_cohort_at(start))), Exists(memberships.filter(on_a_cohort_at(end)))
        )
        .annotate(
            cohort_at_end=Subquery(
                memberships.filter(on_a_cohort_at(end)).order_by("-entry_date", "-id").values("cohort")[:1]
            ),
            workers=Count(
                "allocations__worker",
                distinct=True,
                filter=Q(allocations__started_on__lte=end)
                & (Q(allocations__ended_on__isnull=True) | Q(allocations__ended_on__gte=since)),
            ),
            allocation_changes=Count(
                "allocations",
                filter=Q(allocations__started_on__range=(start, end))
                | Q(allocations__ended_on__range=(start, end)),
            ),
        )
        .order_by()
        .values_list("cohort_at_end", "workers", "allocation_changes")
    )
    people_by: Counter[str] = Counter()
    steady_by: Counter[str] = Counter()
    workers_by: Counter[str] = Counter()
    for cohort, workers, changes in rows:
        people_by[cohort] += 1
        steady_by[cohort] += int(changes == 0)
        workers_by[cohort] += workers
    table = [
        [
            c.label,
            people_by[c],
            steady_by[c],
            percent(steady_by[c], people_by[c]),
            round(workers_by[c] / people_by[c], 1) if people_by[c] else None,
        ]
        for c in COHORTS
    ]
    through = sum(people_by.values())
    mean = round(sum(workers_by.values()) / through, 1) if through else None
    return table, sum(steady_by.values()), through, mean


# Care and control ---------------------------------------------------------------------------


def _care_and_control(held: dict[tuple[str, str, str], int]) -> Section:
    def count(column: str, purposes: frozenset[Purpose] | set[str]) -> int:
        return sum(n for (c, _, p), n in held.items() if c == column and p in purposes)

    def row(label: str, group: str, purposes: frozenset[Purpose] | set[str]) -> list[Cell]:
        counts = [count(column, purposes) for column in COHORT_COLUMNS]
        return [label, group, *counts, sum(counts)]

    support, control = "Support", "Monitoring and enforcement"
    purpose_rows = [
        row(purpose.label, support if purpose in SUPPORT_PURPOSES else control, {purpose.value})
        # Support first, then monitoring and enforcement, each in the order the form offers them.
        for purpose in sorted(Purpose, key=lambda purpose: purpose not in SUPPORT_PURPOSES)
    ]
    support_counts = [count(column, SUPPORT_PURPOSES) for column in COHORT_COLUMNS]
    control_counts = [count(column, CONTROL_PURPOSES) for column in COHORT_COLUMNS]
    all_support, all_contacts = sum(support_counts), sum(support_counts) + sum(control_counts)
    count_columns = frozenset(range(2, len(COHORT_COLUMNS) + 3))
    support_names = ", ".join(p.label.lower() for p in Purpose if p in SUPPORT_PURPOSES)
    control_names = ", ".join(p.label.lower() for p in Purpose if p in CONTROL_PURPOSES)
    return Section(
        key="care-and-control",
        title="Care and control",
        blocks=[
            Paragraph(
                f"Every contact records its main purpose. Support is {support_names}; monitoring and "
                f"enforcement is {control_names}. Contacts are those the person attended in the period, "
                "counted against the cohort they were on that day."
            ),
            Chart(
                kind="grouped",
                title="Contacts by purpose and cohort",
                labels=COHORT_COLUMNS,
                series=[
                    (support, support_counts),
                    (control, control_counts),
                ],
                table_key="contacts-by-purpose",
            ),
            Table(
                key="contacts-by-purpose",
                title="Contacts in the period by purpose and cohort",
                columns=["Purpose", "Group", *COHORT_COLUMNS, "Total"],
                rows=[
                    *purpose_rows,
                    [f"All {support.lower()}", support, *support_counts, all_support],
                    [f"All {control.lower()}", control, *control_counts, all_contacts - all_support],
                ],
                count_columns=count_columns,
                total=[
                    "Total",
                    "",
                    *(s + c for s, c in zip(support_counts, control_counts, strict=True)),
                    all_contacts,
                ],
            ),
        ],
        headlines=[
            (
                "Contacts for support",
                shown_percent(percent(all_support, all_contacts)),
                f"of {all_contacts:,} contacts in the period",
            )
        ],
    )
