"""The pack's sections on people: who is on IOM, what service users said, and data quality.

Each section runs a fixed handful of aggregate queries, whatever the number of people.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from cohorts.models import (
    CohortMembership,
    Ethnicity,
    Feedback,
    FeedbackTheme,
    Gender,
    Goal,
    Nominal,
    NominalChange,
    TimelineEvent,
)
from cohorts.periods import add_months
from reports.models import AreaBaseline
from reports.pack import (
    SUPPRESSION_THRESHOLD,
    Cell,
    Chart,
    PackScope,
    Paragraph,
    Section,
    Table,
    on_a_cohort_at,
    shown,
)
from supervision.models import Contact

# A review more than this many days past its date is stale, not merely overdue.
STALE_REVIEW_DAYS = 28
# A record with nothing recorded on it in this many days, to the period's end, has not been touched.
UNTOUCHED_DAYS = 90

NOT_RECORDED = "not_recorded"

# The ONS 2021 high-level groups, from the first word of each detailed category's value.
ETHNIC_GROUPS = [
    ("asian", "Asian or Asian British"),
    ("black", "Black, Black British, Caribbean or African"),
    ("mixed", "Mixed or multiple ethnic groups"),
    ("white", "White"),
    ("other", "Other ethnic group"),
]
ETHNIC_GROUP_OF = {value: value.split("_")[0] for value in Ethnicity.values if value != Ethnicity.NOT_SAID}

# (key, label, lowest age, highest age) at the period's end; the keys are AreaBaseline categories.
AGE_BANDS = [
    ("18-24", "18 to 24", 18, 24),
    ("25-34", "25 to 34", 25, 34),
    ("35-44", "35 to 44", 35, 44),
    ("45-54", "45 to 54", 45, 54),
    ("55+", "55 and over", 55, None),
]
UNDER_18 = "under-18"

COMPOSITION_COLUMNS = (
    "Group",
    "People on IOM",
    "Share of IOM (%)",
    "Share of the area (%)",
    "Ratio (IOM share / area share)",
)


@dataclass(frozen=True)
class Row:
    """One group of one dimension: its people, and the area baseline category it compares with."""

    key: str
    label: str
    people: int
    in_shares: bool = True  # False for "not recorded" and "prefers not to say": counted, not a share


# Who is on IOM --------------------------------------------------------------------------------------


def _on_a_cohort_at(day: date) -> Q:
    """The shared rule, for memberships the panel agreed (active or since ended)."""
    return Q(status__in=[CohortMembership.Status.ACTIVE, CohortMembership.Status.ENDED]) & on_a_cohort_at(day)


def _on_a_cohort(day: date) -> Exists:
    return Exists(CohortMembership.objects.filter(_on_a_cohort_at(day), nominal=OuterRef("pk")))


def _born_by(day: date, age: int) -> date:
    """The latest date of birth of someone `age` or older on `day` (29 February: 28th)."""
    return add_months(day, -12 * age)


def _age_band_filter(day: date, lowest: int, highest: int | None) -> Q:
    born = Q(date_of_birth__lte=_born_by(day, lowest))
    if highest is not None:
        born &= Q(date_of_birth__gt=_born_by(day, highest + 1))
    return born


def _composition_counts(scope: PackScope) -> dict[str, int]:
    """Every count of the composition tables in one pass over the scope's people. One query."""
    day = scope.period_end
    counts: dict[str, Count] = {"total": Count("id")}
    for value in [*Ethnicity.values, ""]:
        counts[f"ethnicity:{value}"] = Count("id", filter=Q(ethnicity=value))
    for value in [*Gender.values, ""]:
        counts[f"gender:{value}"] = Count("id", filter=Q(gender=value))
    for key, _, lowest, highest in AGE_BANDS:
        counts[f"age:{key}"] = Count("id", filter=_age_band_filter(day, lowest, highest))
    counts[f"age:{UNDER_18}"] = Count("id", filter=Q(date_of_birth__gt=_born_by(day, 18)))
    counts[f"age:{NOT_RECORDED}"] = Count("id", filter=Q(date_of_birth__isnull=True))
    return Nominal.objects.filter(_on_a_cohort(day), team_id__in=scope.team_ids).aggregate(**counts)


def _ethnicity_rows(counts: dict[str, int]) -> list[Row]:
    groups: Counter[str] = Counter()
    for value, group in ETHNIC_GROUP_OF.items():
        groups[group] += counts[f"ethnicity:{value}"]
    return [
        *(Row(key, label, groups[key]) for key, label in ETHNIC_GROUPS),
        Row(NOT_RECORDED, "Not recorded", counts["ethnicity:"], in_shares=False),
        Row(Ethnicity.NOT_SAID, "Prefers not to say", counts[f"ethnicity:{Ethnicity.NOT_SAID}"], False),
    ]


def _age_rows(counts: dict[str, int]) -> list[Row]:
    rows = [Row(key, label, counts[f"age:{key}"]) for key, label, _, _ in AGE_BANDS]
    if counts[f"age:{UNDER_18}"]:
        # IOM is for adults: anyone under 18 is shown, as a record to check, not hidden in a band.
        rows.insert(0, Row(UNDER_18, "Under 18", counts[f"age:{UNDER_18}"]))
    rows.append(Row(NOT_RECORDED, "Not recorded", counts[f"age:{NOT_RECORDED}"], in_shares=False))
    return rows


def _gender_rows(counts: dict[str, int]) -> list[Row]:
    return [
        *(
            Row(value, label, counts[f"gender:{value}"], in_shares=value != Gender.NOT_SAID)
            for value, label in Gender.choices
        ),
        Row(NOT_RECORDED, "Not recorded", counts["gender:"], in_shares=False),
    ]


def _baselines(scope: PackScope) -> tuple[dict[str, dict[str, float]], list[tuple[str, int]]]:
    """The single team's area shares by dimension and category, ethnicity summed into the high-level
    groups (a table may hold either), and the sources they come from. One query; none for a
    scope of several teams, which is not compared (see the section's words)."""
    shares: dict[str, dict[str, float]] = {dimension: {} for dimension in AreaBaseline.Dimension.values}
    if len(scope.team_ids) != 1:
        return shares, []
    sources: set[tuple[str, int]] = set()
    for dimension, category, share, source, year in AreaBaseline.objects.filter(
        team_id=scope.team_ids[0]
    ).values_list("dimension", "category", "share", "source", "year"):
        if dimension == AreaBaseline.Dimension.ETHNICITY:
            category = ETHNIC_GROUP_OF.get(category, category)
        shares[dimension][category] = shares[dimension].get(category, 0.0) + float(share)
        sources.add((source, year))
    return shares, sorted(sources)


def _composition_table(
    key: str, title: str, rows: Sequence[Row], area: dict[str, float], note: str
) -> tuple[Table, list[float | None], list[float | None]]:
    recorded = sum(row.people for row in rows if row.in_shares)
    table_rows: list[list[Cell]] = []
    iom_shares: list[float | None] = []
    area_shares: list[float | None] = []
    for row in rows:
        # A share of a group under 5 would give its count away beside the total: neither it nor a
        # ratio is shown (0 is shown: it gives nobody away).
        small = 0 < row.people < SUPPRESSION_THRESHOLD
        exact = 100 * row.people / recorded if row.in_shares and recorded and not small else None
        iom_share = None if exact is None else round(exact, 1)
        area_share = area.get(row.key) if row.in_shares else None
        ratio = round(exact / area_share, 2) if exact and area_share else None
        table_rows.append([row.label, row.people, iom_share, area_share, ratio])
        iom_shares.append(iom_share)
        area_shares.append(area_share)
    total: list[Cell] = ["All people on IOM", sum(row.people for row in rows), None, None, None]
    table = Table(key, title, COMPOSITION_COLUMNS, table_rows, frozenset({1}), total, note)
    return table, iom_shares, area_shares


def _composition(scope: PackScope) -> Section:
    counts = _composition_counts(scope)
    area, sources = _baselines(scope)
    day = f"{scope.period_end:%-d %B %Y}"
    ethnicity, iom_shares, area_shares = _composition_table(
        "composition-ethnicity",
        f"People on IOM on {day} by ethnicity",
        _ethnicity_rows(counts),
        area[AreaBaseline.Dimension.ETHNICITY],
        "High-level groups of the ONS 2021 census categories.",
    )
    age, _, _ = _composition_table(
        "composition-age",
        f"People on IOM on {day} by age",
        _age_rows(counts),
        area[AreaBaseline.Dimension.AGE_BAND],
        "Age on the last day of the period.",
    )
    gender, _, _ = _composition_table(
        "composition-gender",
        f"People on IOM on {day} by gender",
        _gender_rows(counts),
        area[AreaBaseline.Dimension.GENDER],
        "",
    )
    shown_rows = [index for index, share in enumerate(iom_shares) if share is not None]
    labels = [str(ethnicity.rows[index][0]) for index in shown_rows]
    if len(scope.team_ids) == 1 and any(area_shares[index] is not None for index in shown_rows):
        chart = Chart(
            "grouped",
            "Share of IOM and of the area by ethnicity (%)",
            labels,
            [
                ("IOM", [iom_shares[index] or 0.0 for index in shown_rows]),
                ("Area", [area_shares[index] or 0.0 for index in shown_rows]),
            ],
            ethnicity.key,
        )
    else:
        chart = Chart(
            "bar",
            "Share of IOM by ethnicity (%)",
            labels,
            [("IOM", [iom_shares[index] or 0.0 for index in shown_rows])],
            ethnicity.key,
        )
    return Section(
        "composition",
        "Who is on IOM",
        [
            Paragraph(
                "These tables set the people on IOM at the end of the period beside the population of "
                "the area the team covers. If a group's share of IOM is much larger than its share of "
                "the area, IOM may be drawing that group in more than others (disproportionality); if "
                "IOM keeps growing to take in people at lower risk, it may be widening the net of "
                "supervision. The ratio divides the share of IOM by the share of the area: 1 means the "
                "same, above 1 over-represented (2 is twice the area's share), below 1 under-represented. "
                "Where a group has fewer than 5 people its count is shown as <5 and neither its share "
                "nor a ratio is shown: they would give the number away, and a ratio would swing on one "
                "person. No ratio is shown for a group with nobody on IOM either. A ratio shows a "
                "difference, not its cause: who is offending, policing and "
                "referral decisions all play a part."
            ),
            Paragraph(_baseline_words(scope, sources)),
            Paragraph(
                "Shares are of the people whose ethnicity, age or gender is recorded; people with "
                "none recorded, or who prefer not to say, are counted but left out of the shares. "
                "The chart leaves out groups of fewer than 5 people."
            ),
            ethnicity,
            chart,
            age,
            gender,
        ],
        # No headline: "people on IOM" is the cohorts section's, and the ratios need their table.
    )


def _baseline_words(scope: PackScope, sources: list[tuple[str, int]]) -> str:
    if len(scope.team_ids) != 1:
        return (
            "Across several teams no area share or ratio is shown: each team's area has its own "
            "population, and the reference table holds each area's shares, not its size, so they "
            "cannot honestly be combined. Each team's own part of the pack compares it with its area."
        )
    if not sources:
        return (
            "No area population is recorded for this team, so no area share or ratio is shown. "
            "An administrator can add the area's shares in the area baseline table."
        )
    cited = "; ".join(f"{source} ({year})" for source, year in sources)
    return f"Area shares: {cited}."


# What service users said ----------------------------------------------------------------------------


def _status_at_end(day: date) -> Case:
    """A goal's status at the end of `day`: its last status change on or before it, from the timeline
    (the service writes one per change); set and not changed by then, still being worked on; with no
    change on its timeline at all, as it stands now."""
    changes = TimelineEvent.objects.filter(
        source_type__app_label="cohorts",
        source_type__model="goal",
        source_id=OuterRef("pk"),
        kind=TimelineEvent.Kind.VOICE,
        summary__startswith="Goal: ",
    )
    last_by_end = changes.filter(occurred_on__lte=day).order_by("-occurred_on", "-recorded_at", "-id")
    return Case(
        When(Exists(last_by_end), then=Subquery(last_by_end.values("summary")[:1])),
        When(Exists(changes), then=Value(_goal_summary(Goal.Status.ACTIVE))),
        *(When(status=status, then=Value(_goal_summary(status))) for status in Goal.Status),
    )


def _goal_summary(status: Goal.Status) -> str:
    """The timeline's summary for a change to `status`, as cohorts.services.set_goal_status writes it."""
    return f"Goal: {status.label.lower()}"


def _voice(scope: PackScope) -> Section:
    period = (scope.period_start, scope.period_end)
    feedback = list(
        Feedback.objects.filter(nominal__team_id__in=scope.team_ids, given_on__range=period).values_list(
            "nominal_id", "helps_themes", "does_not_help_themes"
        )
    )
    goals = (
        Goal.objects.filter(nominal__team_id__in=scope.team_ids, set_on__lte=scope.period_end)
        .annotate(
            status_at_end=_status_at_end(scope.period_end),
            still_on_iom=Exists(
                CohortMembership.objects.filter(
                    _on_a_cohort_at(scope.period_end), nominal_id=OuterRef("nominal_id")
                )
            ),
        )
        .aggregate(
            set_in_period=Count("id", filter=Q(set_on__gte=scope.period_start)),
            # Only the goals of people still on IOM at the end: a goal left open when someone left
            # is not being worked on.
            active_at_end=Count(
                "id", filter=Q(status_at_end=_goal_summary(Goal.Status.ACTIVE), still_on_iom=True)
            ),
        )
    )
    achieved = (
        TimelineEvent.objects.filter(
            nominal__team_id__in=scope.team_ids,
            source_type__app_label="cohorts",
            source_type__model="goal",
            kind=TimelineEvent.Kind.VOICE,
            summary=_goal_summary(Goal.Status.ACHIEVED),
            occurred_on__range=period,
        )
        .values("source_id")
        .distinct()
        .count()
    )
    people = len({nominal_id for nominal_id, _, _ in feedback})
    recorded = Table(
        "voice-recorded",
        "Feedback and goals recorded",
        ("Measure", "Number"),
        [
            ("Feedback recorded in the period", len(feedback)),
            ("People who gave feedback in the period", people),
            ("Goals set in the period", goals["set_in_period"]),
            ("Goals achieved in the period", achieved),
            ("Goals being worked on at the period end", goals["active_at_end"]),
        ],
        count_columns=frozenset({1}),
    )
    helps: Counter[str] = Counter()
    does_not_help: Counter[str] = Counter()
    for _, helps_themes, does_not_help_themes in feedback:
        helps.update(set(helps_themes))
        does_not_help.update(set(does_not_help_themes))
    themes = Table(
        "voice-themes",
        "What feedback in the period was about",
        ("Theme", "Said to help", "Said not to help"),
        [
            *((label, helps[value], does_not_help[value]) for value, label in FeedbackTheme.choices),
            (
                "No theme recorded",
                sum(1 for _, helps_themes, _ in feedback if not helps_themes),
                sum(1 for _, _, does_not_help_themes in feedback if not does_not_help_themes),
            ),
        ],
        count_columns=frozenset({1, 2}),
        note="Pieces of feedback naming each theme. One may name several themes, or none.",
    )
    return Section(
        "voice",
        "What service users said",
        [
            Paragraph(
                "What people on IOM told their workers helps them and does not, recorded with them, and "
                "the goals they set in their own words. Workers tick the themes each piece of feedback "
                "is about, on each side; the pack counts the themes and never prints anyone's words, "
                "which could identify them. Counts under 5 are shown as <5."
            ),
            recorded,
            # No chart: bars would show the counts under 5 that the table hides.
            themes,
            Paragraph(
                "A goal is achieved in the period when a worker marked it achieved then. Goals being "
                "worked on are those set by the period end and neither achieved nor dropped by then."
            ),
        ],
        headlines=[("Feedback recorded in the period", shown(len(feedback), count=True), "")],
    )


# Data quality ---------------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _on_the_caseload_at(day: date) -> Exists:
    """People on a cohort at the end of `day`, or proposed by then and awaiting the panel."""
    awaiting_panel = (
        Q(proposed_on__lte=day)
        & (Q(panel_date__isnull=True) | Q(panel_date__gt=day))
        & ~Q(exit_date__lte=day)
    )
    return Exists(
        CohortMembership.objects.filter(_on_a_cohort_at(day) | awaiting_panel, nominal=OuterRef("pk"))
    )


def _people_on_caseload(scope: PackScope) -> QuerySet[Nominal]:
    return Nominal.objects.filter(_on_the_caseload_at(scope.period_end), team_id__in=scope.team_ids)


def _data_quality(scope: PackScope) -> Section:
    day = scope.period_end
    since = day - timedelta(days=UNTOUCHED_DAYS - 1)
    touched = (
        Exists(Contact.objects.filter(nominal=OuterRef("pk"), date__range=(since, day)))
        | Exists(TimelineEvent.objects.filter(nominal=OuterRef("pk"), occurred_on__range=(since, day)))
        | Exists(
            NominalChange.objects.filter(
                nominal=OuterRef("pk"),
                changed_at__gte=_start_of(since),
                changed_at__lt=_start_of(day + timedelta(days=1)),
            )
        )
    )
    # The dashboard's rule (reports.metrics.reviews_due): overdue once past review_due; stale
    # when more than STALE_REVIEW_DAYS past it.
    stale = Exists(
        CohortMembership.objects.filter(
            _on_a_cohort_at(day),
            nominal=OuterRef("pk"),
            review_due__lt=day - timedelta(days=STALE_REVIEW_DAYS),
        )
    )
    counts = _people_on_caseload(scope).aggregate(
        people=Count("id"),
        no_crn=Count("id", filter=Q(crn__isnull=True) | Q(crn="")),
        no_pnc=Count("id", filter=Q(pnc_id__isnull=True) | Q(pnc_id="")),
        stale=Count("id", filter=stale),
        untouched=Count("id", filter=~touched),
    )
    table = Table(
        "data-quality",
        f"Records to put right, people on the caseload on {day:%-d %B %Y}",
        ("Problem", "People"),
        [
            ("No CRN (case reference number)", counts["no_crn"]),
            ("No PNC ID", counts["no_pnc"]),
            (f"Review more than {STALE_REVIEW_DAYS} days overdue", counts["stale"]),
            (f"Record not touched in {UNTOUCHED_DAYS} days", counts["untouched"]),
        ],
        count_columns=frozenset({1}),
        total=("People on the caseload", counts["people"]),
        note="A person may have more than one problem.",
    )
    return Section(
        "data-quality",
        "Data quality",
        [
            Paragraph(
                "The caseload here is everyone on a cohort at the period end, or proposed and awaiting "
                "the panel then. A review is stale when, at the period end, its due date had passed by "
                f"more than {STALE_REVIEW_DAYS} days; the due date is the one the record holds when the "
                "pack is built, so a review recorded since the period end takes the person off the "
                f"count. A record is not touched when, in the {UNTOUCHED_DAYS} days to the period end, "
                "it has no contact dated in them (held or planned), nothing on the person's timeline "
                "(needs, referrals, reviews, goals and every other entry) and no change to the person's "
                "details."
            ),
            table,
        ],
        headlines=[
            (f"Records not touched in {UNTOUCHED_DAYS} days", shown(counts["untouched"], count=True), "")
        ],
    )


def sections(scope: PackScope) -> list[Section]:
    return [_composition(scope), _voice(scope), _data_quality(scope)]
