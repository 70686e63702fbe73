"""The pack's cohort section against hand-built data whose answers are written here.

The period is October 2026 (Thursday 1 to Saturday 31), reported on Monday 2 November. The
12-month series runs from the end of November 2025 to 31 October 2026; the year-ago point for
the headline is 31 October 2025.
"""

from datetime import date

import pytest

from cohorts.factories import NominalFactory
from cohorts.models import CohortMembership, CohortReview, Nominal
from iom.core.factories import UserFactory
from iom.core.models import Team, User
from reports import metrics
from reports.pack import Chart, PackScope, Section, Table
from reports.pack import cohorts as pack_cohorts
from tests.actors import World, build_world

pytestmark = pytest.mark.django_db

START, END, TODAY = date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 2)
Status = CohortMembership.Status
ExitReason = CohortMembership.ExitReason


def team_scope(team: Team) -> PackScope:
    return PackScope(team.name, f"team-{team.pk}", (team.pk,), START, END, TODAY)


def region_scope(world: World) -> PackScope:
    teams = (world.own_team.pk, world.other_team.pk)
    return PackScope("Northshire (all teams)", "region", teams, START, END, TODAY, world.region.pk)


def the_proposer() -> User:
    return UserFactory.create(email="proposer@example.org")


def joined(
    team: Team,
    cohort: str,
    entry_date: date,
    *,
    exit_date: date | None = None,
    exit_reason: str = ExitReason.COMPLETED,
    review_due: date = date(2027, 3, 1),
    nominal: Nominal | None = None,
) -> CohortMembership:
    """A membership that entered on `entry_date`; ended when it has an exit date."""
    return CohortMembership.objects.create(
        nominal=nominal or NominalFactory.create(team=team),
        cohort=cohort,
        status=Status.ENDED if exit_date else Status.ACTIVE,
        proposed_by=the_proposer(),
        proposed_on=entry_date,
        proposal_reason="Prolific burglary",
        entry_date=entry_date,
        review_due=review_due,
        exit_date=exit_date,
        exit_reason=exit_reason if exit_date else "",
    )


def proposed(team: Team, cohort: str, status: str = Status.PROPOSED) -> CohortMembership:
    return CohortMembership.objects.create(
        nominal=NominalFactory.create(team=team),
        cohort=cohort,
        status=status,
        proposed_by=the_proposer(),
        proposed_on=date(2026, 5, 1),
        proposal_reason="Prolific burglary",
    )


def the_section(scope: PackScope) -> Section:
    (section,) = pack_cohorts.sections(scope)
    assert (section.key, section.title) == ("cohorts", "Cohorts")
    return section


def table(section: Section, key: str) -> Table:
    return next(t for t in section.tables() if t.key == key)


def build_flows(world: World) -> None:
    """Memberships whose sizes at each month end, entries and exits are worked out in the tests."""
    team = world.own_team
    joined(team, "fixed", date(2025, 6, 1))  # A: on throughout
    joined(team, "flex", date(2026, 3, 15), exit_date=date(2026, 7, 10))  # B: starts and ends mid-way
    joined(team, "free", START)  # C: enters on the period's first day
    joined(team, "fixed", date(2026, 1, 10), exit_date=END, exit_reason=ExitReason.MOVED_AREA)  # D: last day
    joined(team, "fixed", date(2025, 9, 1), exit_date=date(2026, 9, 30))  # E: leaves the day before
    joined(team, "flex", date(2026, 11, 1))  # F: enters after the period
    # G moves from Fixed to Flex on 15 October: an exit (moved cohort) and an entry.
    moved = joined(
        team, "fixed", date(2026, 2, 1), exit_date=date(2026, 10, 15), exit_reason=ExitReason.MOVED_COHORT
    )
    joined(team, "flex", date(2026, 10, 15), nominal=moved.nominal)
    proposed(team, "fixed")
    proposed(team, "flex", Status.NOT_ACCEPTED)
    # Another team of the region: on Fixed since 2025, and an entry and an exit in October.
    other = world.other_team
    joined(other, "fixed", date(2025, 1, 1))
    joined(other, "free", date(2026, 10, 20))
    joined(other, "flex", date(2026, 1, 1), exit_date=date(2026, 10, 5), exit_reason=ExitReason.DIED)


def test_cohort_sizes_at_each_month_end_over_twelve_months():
    world = build_world()
    build_flows(world)

    section = the_section(team_scope(world.own_team))

    sizes = table(section, "cohort-sizes")
    assert sizes.columns == ["Month end", "Fixed", "Flex", "Free", "Total"]
    assert sizes.rows == [
        ["Nov 2025", 2, 0, 0, 2],  # A, E
        ["Dec 2025", 2, 0, 0, 2],
        ["Jan 2026", 3, 0, 0, 3],  # and D
        ["Feb 2026", 4, 0, 0, 4],  # and G on Fixed
        ["Mar 2026", 4, 1, 0, 5],  # and B on Flex
        ["Apr 2026", 4, 1, 0, 5],
        ["May 2026", 4, 1, 0, 5],
        ["Jun 2026", 4, 1, 0, 5],
        ["Jul 2026", 4, 0, 0, 4],  # B left on 10 July
        ["Aug 2026", 4, 0, 0, 4],
        ["Sep 2026", 3, 0, 0, 3],  # E left on 30 September: off at the end of that day
        ["Oct 2026", 1, 1, 1, 3],  # A; G now on Flex; C on Free (D left on the 31st)
    ]
    assert sizes.count_columns == frozenset({1, 2, 3, 4})
    (line,) = [b for b in section.blocks if isinstance(b, Chart) and b.table_key == "cohort-sizes"]
    assert line.kind == "line"
    assert (line.labels[0], line.labels[-1]) == ("Nov 2025", "Oct 2026")
    assert dict(line.series) == {
        "Fixed": [2, 2, 3, 4, 4, 4, 4, 4, 4, 4, 3, 1],
        "Flex": [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1],
        "Free": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    }


def test_entries_and_exits_in_the_period_by_cohort_and_reason():
    world = build_world()
    build_flows(world)

    section = the_section(team_scope(world.own_team))

    flows = table(section, "entries-exits")
    # Entries: C on the first day, G onto Flex. Exits: D on the last day, G off Fixed; E (30 September)
    # and F (enters 1 November) are outside.
    assert flows.rows == [["Fixed", 0, 2], ["Flex", 1, 0], ["Free", 1, 0]]
    assert flows.total == ["Total", 2, 2]
    assert flows.count_columns == frozenset({1, 2})
    reasons = table(section, "exits-by-reason")
    assert {row[0]: row[1:] for row in reasons.rows if row[-1]} == {
        "Moved out of the area": [1, 0, 0, 1],
        "Moved to another cohort": [1, 0, 0, 1],
    }
    assert len(reasons.rows) == len(ExitReason)
    assert reasons.total == ["Total", 2, 0, 0, 2]
    assert reasons.count_columns == frozenset({1, 2, 3, 4})


def test_headlines_are_people_on_iom_against_a_year_ago_entries_and_exits():
    world = build_world()
    build_flows(world)

    section = the_section(team_scope(world.own_team))

    # 31 October 2025: A and E. 31 October 2026: A, C and G. Headline counts are suppressed too.
    assert section.headlines == [
        ("People on IOM at the end of the period", "<5", "up 1 on a year ago"),
        ("Entries in the period", "<5", ""),
        ("Exits in the period", "<5", ""),
    ]


def test_a_region_counts_every_team_and_a_team_only_its_own():
    world = build_world()
    build_flows(world)

    region = the_section(region_scope(world))
    other = the_section(team_scope(world.other_team))

    assert table(other, "cohort-sizes").rows[-1] == ["Oct 2026", 1, 0, 1, 2]
    assert table(other, "entries-exits").rows == [["Fixed", 0, 0], ["Flex", 0, 1], ["Free", 1, 0]]
    assert table(region, "cohort-sizes").rows[-1] == ["Oct 2026", 2, 1, 2, 5]
    assert table(region, "cohort-sizes").rows[0] == ["Nov 2025", 3, 0, 0, 3]
    assert table(region, "entries-exits").total == ["Total", 3, 3]
    # A year ago: A, E and the other team's Fixed; now 5.
    assert region.headlines[0] == ("People on IOM at the end of the period", "5", "up 2 on a year ago")


def test_a_fall_and_no_change_read_as_such():
    world = build_world()
    team = world.own_team
    joined(team, "fixed", date(2025, 1, 1), exit_date=date(2026, 5, 1))
    joined(team, "fixed", date(2025, 1, 1), exit_date=date(2026, 5, 1))
    joined(team, "flex", date(2025, 1, 1))

    assert the_section(team_scope(team)).headlines[0][1:] == ("<5", "down 2 on a year ago")
    assert the_section(team_scope(world.other_team)).headlines[0][1:] == ("0", "no change on a year ago")


def review(
    membership: CohortMembership, reviewed_on: date, outcome: str = CohortReview.Outcome.CONTINUE
) -> None:
    CohortReview.objects.create(
        membership=membership,
        reviewed_on=reviewed_on,
        outcome=outcome,
        rationale="Reviewed at panel",
        reviewed_by=the_proposer(),
    )


def test_reviews_overdue_at_the_period_end_by_cohort():
    world = build_world()
    team = world.own_team
    joined(team, "fixed", date(2026, 5, 1), review_due=date(2026, 10, 30))  # overdue
    joined(team, "flex", date(2026, 5, 1), review_due=END)  # due on the last day: not yet overdue
    # Continued on 1 November, after the period: at its end the review was due on 1 October
    # (three months after entry), so it was overdue then, though it is not now.
    late = joined(team, "fixed", date(2026, 7, 1), review_due=date(2027, 2, 1))
    review(late, date(2026, 11, 1))
    # Continued on 15 August (due 15 November) and again early on 1 November: not overdue at the end.
    early = joined(team, "free", date(2026, 4, 1), review_due=date(2027, 2, 1))
    review(early, date(2026, 8, 15))
    review(early, date(2026, 11, 1))
    # Left on 20 October with a review long overdue: no longer on the cohort at the end.
    joined(team, "fixed", date(2026, 1, 1), review_due=date(2026, 9, 1), exit_date=date(2026, 10, 20))
    joined(world.other_team, "fixed", date(2026, 1, 1), review_due=date(2026, 4, 1))  # another team

    overdue = table(the_section(team_scope(team)), "reviews-overdue")
    region = table(the_section(region_scope(world)), "reviews-overdue")

    assert overdue.columns == ["Cohort", "People on the cohort", "Reviews overdue"]
    assert overdue.rows == [["Fixed", 2, 2], ["Flex", 1, 0], ["Free", 1, 0]]
    assert overdue.total == ["Total", 4, 2]
    assert overdue.count_columns == frozenset({1, 2})
    assert region.rows[0] == ["Fixed", 3, 3]


def test_reviews_overdue_as_at_today_agree_with_the_team_dashboard():
    world = build_world()
    team = world.own_team
    joined(team, "fixed", date(2026, 5, 1), review_due=date(2026, 10, 30))
    joined(team, "free", date(2026, 5, 1), review_due=date(2026, 11, 3))
    scope = PackScope(team.name, "team", (team.pk,), date(2026, 11, 1), TODAY, TODAY)

    overdue = table(the_section(scope), "reviews-overdue")

    assert overdue.total == ["Total", 2, 1]
    assert metrics.reviews_due(team_id=team.pk, today=TODAY).overdue == 1


def build_people(team: Team, size: int) -> None:
    for index in range(size):
        membership = joined(
            team,
            ("fixed", "flex", "free")[index % 3],
            date(2025, 1 + index % 12, 1),
            review_due=date(2026, 10, 1 + index % 28),
            exit_date=date(2026, 10, 1 + index % 28) if index % 2 else None,
        )
        if index % 3 == 0:
            review(membership, date(2026, 11, 1))


@pytest.mark.parametrize("size", [3, 30])
def test_the_section_takes_four_queries_however_many_people(django_assert_num_queries, size):
    world = build_world()
    build_people(world.own_team, size)

    # sizes at each month end; entries and exits; review intervals; memberships that may be overdue
    with django_assert_num_queries(4):
        section = the_section(team_scope(world.own_team))

    assert table(section, "cohort-sizes").rows[-1][-1] == sum(1 for index in range(size) if index % 2 == 0)
