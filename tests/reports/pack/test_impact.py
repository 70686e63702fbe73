"""The pack's reoffending section against hand-built data whose answers are written here.

The period is October 2026, so the people counted entered IOM on or before 31 October 2025. Unit
costs are the ones migration reports 0003 seeds from the Home Office's Research Report 99 (2015/16
prices): theft of a vehicle £10,290, theft from a vehicle £870; burglary has none.
"""

from datetime import date

import pytest

from cohorts.factories import NominalFactory
from cohorts.models import CohortMembership, Nominal, Offence, OffenceCategory
from iom.core.factories import UserFactory
from iom.core.models import Team, User
from reports.models import CrimeUnitCost
from reports.pack import Chart, PackScope, Paragraph, Section, Table, impact
from tests.actors import World, build_world

pytestmark = pytest.mark.django_db

START, END, TODAY = date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 2)
Status = CohortMembership.Status
VEHICLE_THEFT = "Theft of a vehicle"
FROM_VEHICLE = "Theft from a vehicle"
BURGLARY = "Burglary (dwelling)"
SOURCE = (
    "Home Office, The economic and social costs of crime, second edition, Research Report 99 (2018), Table 1"
)


def team_scope(team: Team) -> PackScope:
    return PackScope(team.name, f"team-{team.pk}", (team.pk,), START, END, TODAY)


def region_scope(world: World) -> PackScope:
    teams = (world.own_team.pk, world.other_team.pk)
    return PackScope("Northshire (all teams)", "region", teams, START, END, TODAY, world.region.pk)


def recorder() -> User:
    return UserFactory.create()


def entered(
    team: Team,
    on: date | None,
    *,
    status: str = Status.ACTIVE,
    exit_date: date | None = None,
    nominal: Nominal | None = None,
) -> Nominal:
    """A person whose membership entered IOM on `on` (none for one still proposed or refused)."""
    nominal = nominal or NominalFactory.create(team=team)
    CohortMembership.objects.create(
        nominal=nominal,
        cohort="fixed",
        status=status,
        proposed_by=recorder(),
        proposed_on=on or date(2025, 1, 1),
        proposal_reason="Prolific vehicle crime",
        entry_date=on,
        review_due=on and date(2026, 12, 1),
        exit_date=exit_date,
        exit_reason="completed" if exit_date else "",
    )
    return nominal


def offences(nominal: Nominal, category: str, *days: date, kind: str = Offence.Kind.PROVEN) -> None:
    kind_of = OffenceCategory.objects.get(name=category)
    user = recorder()
    for day in days:
        Offence.objects.create(
            nominal=nominal, kind=kind, category=kind_of, occurred_on=day, recorded_by=user
        )


def the_section(scope: PackScope) -> Section:
    [section] = impact.sections(scope)
    assert (section.key, section.title) == ("reoffending", "Reoffending before and after entry")
    return section


def table(section: Section, key: str) -> Table:
    return next(t for t in section.tables() if t.key == key)


def summary(section: Section) -> list[int]:
    return [int(row[1]) for row in table(section, "reoffending-summary").rows]  # type: ignore[arg-type]


def test_three_offences_before_and_one_after_cost_what_the_unit_costs_say():
    world = build_world()
    # Entered 14 months before the period's end: before is 31 Aug 2024 to 30 Aug 2025.
    person = entered(world.own_team, date(2025, 8, 31))
    offences(person, VEHICLE_THEFT, date(2024, 9, 1), date(2025, 3, 5), date(2025, 8, 30))
    offences(person, VEHICLE_THEFT, date(2026, 2, 1))
    offences(person, VEHICLE_THEFT, date(2024, 8, 30))  # more than 12 months before: not counted
    offences(person, VEHICLE_THEFT, date(2026, 8, 31))  # 12 months after entry: not counted
    offences(person, VEHICLE_THEFT, date(2025, 5, 1), date(2026, 1, 1), kind=Offence.Kind.ARREST)

    section = the_section(team_scope(world.own_team))

    # People counted, offending before, after; offences before, after.
    assert summary(section) == [1, 1, 1, 3, 1]
    by_category = table(section, "reoffending-by-category")
    # Fewer than 5 offences: the counts print as "<5" and the category's costs are left out ...
    assert by_category.rows == [[VEHICLE_THEFT, 3, 1, 10290, None, None, None]]
    assert by_category.shown_rows() == [[VEHICLE_THEFT, "<5", "<5", "10,290", "\u2013", "\u2013", "\u2013"]]
    # ... but the totals hold them: 3 x £10,290 = £30,870 before, £10,290 after, £20,580 less.
    assert by_category.total == ["All categories", 3, 1, None, 30870, 10290, -20580]
    assert by_category.count_columns == frozenset({1, 2})
    assert f"Source: {SOURCE}, 2015/16 prices." in by_category.note
    assert "fewer than 5 offences before or after" in by_category.note
    assert section.headlines[1] == (
        "Estimated cost of crime, 12 months after entry",
        "£10,290",
        "£30,870 before",
    )


def test_category_costs_show_from_five_offences_and_a_category_without_a_cost_says_so():
    world = build_world()
    first = entered(world.own_team, date(2025, 1, 15))
    second = entered(world.own_team, date(2025, 6, 1))
    offences(first, FROM_VEHICLE, *(date(2024, 6, day) for day in (1, 2, 3, 4)))
    offences(second, FROM_VEHICLE, *(date(2025, 5, day) for day in (1, 2, 3)))
    offences(first, FROM_VEHICLE, *(date(2025, 7, day) for day in (1, 2, 3, 4, 5)))
    offences(first, BURGLARY, date(2024, 12, 1), date(2025, 2, 1))
    offences(second, BURGLARY, date(2025, 9, 9))

    section = the_section(team_scope(world.own_team))

    assert summary(section) == [2, 2, 2, 8, 7]
    by_category = table(section, "reoffending-by-category")
    assert by_category.rows == [
        [BURGLARY, 1, 2, "no unit cost", "no unit cost", "no unit cost", "no unit cost"],
        # 7 x £870 = £6,090 before; 5 x £870 = £4,350 after.
        [FROM_VEHICLE, 7, 5, 870, 6090, 4350, -1740],
    ]
    # Burglary's offences count, but its cost is not in the sums.
    assert by_category.total == ["All categories", 8, 7, None, 6090, 4350, -1740]
    assert f"left out of the cost totals, as the unit-cost table holds no figure for them: {BURGLARY}." in (
        by_category.note
    )
    chart = next(block for block in section.blocks if isinstance(block, Chart))
    assert (chart.kind, chart.table_key) == ("grouped", "reoffending-by-category")
    assert chart.labels == [BURGLARY, FROM_VEHICLE]
    assert chart.series == [("12 months before", [1, 7]), ("12 months after", [2, 5])]


def test_the_windows_edges_entry_twelve_months_back_and_the_entry_date_counts_after():
    world = build_world()
    # Entered exactly 12 months before the period's end: counted.
    on_the_day = entered(world.own_team, date(2025, 10, 31))
    offences(on_the_day, VEHICLE_THEFT, date(2024, 10, 31))  # first day of before
    offences(on_the_day, VEHICLE_THEFT, date(2024, 10, 30))  # a day too early
    offences(on_the_day, VEHICLE_THEFT, date(2025, 10, 30))  # last day of before
    offences(on_the_day, VEHICLE_THEFT, date(2025, 10, 31))  # the entry date: after
    offences(on_the_day, VEHICLE_THEFT, date(2026, 10, 30))  # last day of after
    offences(on_the_day, VEHICLE_THEFT, date(2026, 10, 31))  # 12 months on: outside
    # Entered a day later, not yet 12 months on IOM: left out, offences and all.
    too_recent = entered(world.own_team, date(2025, 11, 1))
    offences(too_recent, VEHICLE_THEFT, date(2025, 6, 1), date(2026, 6, 1))

    section = the_section(team_scope(world.own_team))

    assert summary(section) == [1, 1, 1, 2, 2]


def test_a_month_end_entry_looks_back_to_the_shorter_months_last_day():
    world = build_world()
    # 29 February 2024 + 12 months is 28 February 2025; 12 months back is 28 February 2023.
    person = entered(world.own_team, date(2024, 2, 29))
    offences(person, VEHICLE_THEFT, date(2023, 2, 27), date(2023, 2, 28))
    offences(person, VEHICLE_THEFT, date(2025, 2, 27), date(2025, 2, 28))

    assert summary(the_section(team_scope(world.own_team))) == [1, 1, 1, 1, 1]


def test_the_first_entry_counts_and_people_who_left_are_still_counted():
    world = build_world()
    person = entered(world.own_team, date(2024, 5, 1), status=Status.ENDED, exit_date=date(2024, 9, 1))
    entered(world.own_team, date(2025, 6, 1), nominal=person)
    offences(person, VEHICLE_THEFT, date(2024, 4, 30), date(2025, 3, 1))  # before, after the first entry
    offences(person, VEHICLE_THEFT, date(2025, 7, 1))  # after the second entry only: outside
    proposed = entered(world.own_team, None, status=Status.PROPOSED)
    refused = entered(world.own_team, None, status=Status.NOT_ACCEPTED)
    offences(proposed, VEHICLE_THEFT, date(2025, 1, 1))
    offences(refused, VEHICLE_THEFT, date(2025, 1, 1))

    assert summary(the_section(team_scope(world.own_team))) == [1, 1, 1, 1, 1]


def test_a_team_counts_its_own_people_and_the_region_every_team():
    world = build_world()
    ours = entered(world.own_team, date(2025, 1, 1))
    theirs = entered(world.other_team, date(2025, 1, 1))
    offences(ours, VEHICLE_THEFT, date(2024, 6, 1))
    offences(theirs, VEHICLE_THEFT, date(2024, 6, 1), date(2024, 7, 1), date(2025, 6, 1))

    assert summary(the_section(team_scope(world.own_team))) == [1, 1, 0, 1, 0]
    assert summary(the_section(team_scope(world.other_team))) == [1, 1, 1, 2, 1]
    assert summary(the_section(region_scope(world))) == [2, 2, 1, 3, 1]


def test_the_limits_of_the_method_are_stated_in_plain_words():
    world = build_world()
    offences(entered(world.own_team, date(2025, 1, 1)), VEHICLE_THEFT, date(2024, 6, 1))

    section = the_section(team_scope(world.own_team))

    [limits] = [block.text for block in section.blocks if isinstance(block, Paragraph)]
    assert "no comparison group" in limits
    assert "regression to the mean" in limits
    assert "detection effects" in limits
    assert "Proven offences undercount offending" in limits


def test_no_one_long_enough_on_iom_says_so_and_still_states_the_limits():
    world = build_world()
    entered(world.own_team, date(2026, 1, 1))

    section = the_section(team_scope(world.own_team))

    assert summary(section) == [0, 0, 0, 0, 0]
    texts = [block.text for block in section.blocks if isinstance(block, Paragraph)]
    assert texts[0] == "No one in this scope entered IOM at least 12 months before the end of the period."
    assert "regression to the mean" in texts[1]
    assert section.headlines[0] == (
        "Proven offences, 12 months before and after entry",
        "0 before, 0 after",
        "",
    )


def test_an_administrators_new_unit_cost_is_used_with_its_price_year():
    world = build_world()
    person = entered(world.own_team, date(2025, 1, 1))
    offences(person, BURGLARY, *(date(2024, 3, day) for day in range(1, 6)))
    CrimeUnitCost.objects.create(
        category=OffenceCategory.objects.get(name=BURGLARY),
        cost=5000,
        cost_category="Domestic burglary",
        source="Local estimate",
        price_year="2024/25",
    )

    section = the_section(team_scope(world.own_team))

    by_category = table(section, "reoffending-by-category")
    assert by_category.rows == [[BURGLARY, 5, 0, 5000, 25000, 0, -25000]]
    assert "Local estimate, 2024/25 prices" in by_category.note
    assert f"{SOURCE}, 2015/16 prices" in by_category.note


def test_the_seeded_unit_costs_are_the_home_office_figures():
    seeded = {
        cost.category.name: (cost.cost, cost.cost_category, cost.source, cost.price_year)
        for cost in CrimeUnitCost.objects.select_related("category")
    }
    assert seeded == {
        "Robbery (personal)": (11320, "Robbery", SOURCE, "2015/16"),
        "Theft of a vehicle": (10290, "Theft of vehicle", SOURCE, "2015/16"),
        "Theft from a vehicle": (870, "Theft from vehicle", SOURCE, "2015/16"),
        "Sexual offence": (6520, "Other sexual offences", SOURCE, "2015/16"),
        "Criminal damage and arson": (1350, "Other criminal damage", SOURCE, "2015/16"),
    }


@pytest.mark.parametrize("people", [1, 12])
def test_the_section_takes_four_queries_however_many_people(django_assert_num_queries, people):
    world = build_world()
    for _ in range(people):
        person = entered(world.own_team, date(2025, 1, 1))
        offences(person, VEHICLE_THEFT, date(2024, 6, 1), date(2025, 6, 1))
        offences(person, BURGLARY, date(2025, 6, 1))
    # People counted, offences by category and window, people offending, unit costs.
    with django_assert_num_queries(4):
        section = the_section(team_scope(world.own_team))
    assert summary(section) == [people, people, people, people, 2 * people]
