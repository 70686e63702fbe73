"""The pack's supervision sections against hand-built data whose answers are written here.

The period is October 2026 (Thursday 1 to Saturday 31), reported on Monday 2 November. The weeks
that ended in it run Monday 28 September to Sunday 25 October: four weeks. The week of
26 October ends on 1 November, so it belongs to November's pack.
"""

from datetime import date

import pytest

from cohorts.factories import NominalFactory
from cohorts.models import Allocation, CohortMembership, Nominal
from iom.core.factories import UserFactory
from iom.core.models import Team, User
from reports.pack import Chart, PackScope, Section, Table
from reports.pack import supervision as pack_supervision
from supervision.factories import ContactFactory
from supervision.models import ContactStandard, EnforcementAction, Kind, Outcome, Purpose
from tests.actors import World, build_world

pytestmark = pytest.mark.django_db

START, END, TODAY = date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 2)
Status = CohortMembership.Status


def team_scope(team: Team) -> PackScope:
    return PackScope(team.name, f"team-{team.pk}", (team.pk,), START, END, TODAY)


def region_scope(world: World) -> PackScope:
    teams = (world.own_team.pk, world.other_team.pk)
    return PackScope("Northshire (all teams)", "region", teams, START, END, TODAY, world.region.pk)


def staff() -> User:
    return UserFactory.create(email="staff@example.org")


def on_cohort(
    team: Team, cohort: str, entry_date: date = date(2026, 1, 5), *, exit_date: date | None = None
) -> Nominal:
    nominal = NominalFactory.create(team=team)
    joined(nominal, cohort, entry_date, exit_date=exit_date)
    return nominal


def joined(nominal: Nominal, cohort: str, entry_date: date, *, exit_date: date | None = None) -> None:
    CohortMembership.objects.create(
        nominal=nominal,
        cohort=cohort,
        status=Status.ENDED if exit_date else Status.ACTIVE,
        proposed_by=staff(),
        proposed_on=entry_date,
        proposal_reason="Prolific burglary",
        entry_date=entry_date,
        review_due=date(2027, 3, 1),
        exit_date=exit_date,
        exit_reason=CohortMembership.ExitReason.MOVED_COHORT if exit_date else "",
    )


def contact(
    nominal: Nominal,
    day: date,
    *,
    outcome: str = Outcome.ATTENDED_COMPLIED,
    kind: str = Kind.OFFICE,
    purpose: str = Purpose.MONITORING,
) -> None:
    ContactFactory.create(
        nominal=nominal, date=day, outcome=outcome, kind=kind, purpose=purpose, logged_by=staff()
    )


def sections(scope: PackScope) -> dict[str, Section]:
    found = pack_supervision.sections(scope)
    assert [(s.key, s.title) for s in found] == [
        ("compliance", "Contact and compliance"),
        ("engagement", "Engagement"),
        ("care-and-control", "Care and control"),
    ]
    return {section.key: section for section in found}


def table(section: Section, key: str) -> Table:
    return next(t for t in section.tables() if t.key == key)


def chart(section: Section, table_key: str) -> Chart:
    return next(b for b in section.blocks if isinstance(b, Chart) and b.table_key == table_key)


# Contact and compliance ------------------------------------------------------------------------


def build_compliance(world: World) -> None:
    team = world.own_team
    # Fixed (3 a week by default): met in the weeks of 28 September and 12 October, short in the others.
    fixed = on_cohort(team, "fixed")
    for day in (date(2026, 9, 28), date(2026, 10, 1), date(2026, 10, 4)):  # the first week's Monday to Sunday
        contact(fixed, day)
    contact(fixed, date(2026, 10, 5))
    contact(fixed, date(2026, 10, 11), outcome=Outcome.ATTENDED_FAILED)  # attended: counts
    for day in (date(2026, 10, 12), date(2026, 10, 13), date(2026, 10, 14)):
        contact(fixed, day)
    contact(fixed, date(2026, 10, 15), outcome=Outcome.UNACCEPTABLE_ABSENCE)  # does not count
    contact(fixed, date(2026, 10, 19), outcome=Outcome.RESCHEDULED)  # does not count
    for day in (date(2026, 10, 26), date(2026, 10, 27), date(2026, 10, 28)):  # the week ending 1 November
        contact(fixed, day)
    # Flex with no standard set: four weeks not assessed.
    on_cohort(team, "flex")
    # Free with a standard of one a week set after entry: met every week.
    free = on_cohort(team, "free")
    ContactStandard.objects.create(
        nominal=free, contacts_per_week=1, reason="Stable", set_on=date(2026, 2, 1), set_by=staff()
    )
    for day in (date(2026, 10, 2), date(2026, 10, 9), date(2026, 10, 16), date(2026, 10, 25)):
        contact(free, day)
    # Fixed from Thursday 15 October: that week needs ceil(3 x 4 / 7) = 2 and has 2; the next is short.
    joiner = on_cohort(team, "fixed", date(2026, 10, 15))
    contact(joiner, date(2026, 10, 16))
    contact(joiner, date(2026, 10, 17))
    # Left on 30 September: only the first week counts, and needs ceil(3 x 3 / 7) = 2 (has none).
    on_cohort(team, "fixed", date(2026, 1, 5), exit_date=date(2026, 9, 30))
    NominalFactory.create(team=team)  # never on a cohort: no weeks
    on_cohort(world.other_team, "fixed")  # another team's: four weeks short


def test_person_weeks_meeting_the_contact_standard_by_cohort():
    world = build_world()
    build_compliance(world)

    section = sections(team_scope(world.own_team))["compliance"]

    compliance = table(section, "contact-compliance")
    assert compliance.columns == [
        "Cohort",
        "Person-weeks assessed",
        "Met the standard",
        "Short",
        "Met (%)",
        "No standard set",
    ]
    assert compliance.rows == [
        ["Fixed", 7, 3, 4, 42.9, 0],  # 2 of 4, 1 of 2 for the joiner, 0 of 1 for the leaver
        ["Flex", 0, 0, 0, None, 4],
        ["Free", 4, 4, 0, 100.0, 0],
    ]
    assert compliance.total == ["Total", 11, 7, 4, 63.6, 4]
    assert compliance.count_columns == frozenset({1, 2, 3, 5})
    assert compliance.note == "4 weeks (Monday to Sunday) ended in the period."
    assert section.headlines[0] == ("Person-weeks meeting the contact standard", "63.6%", "of 11 assessed")
    assert chart(section, "contact-compliance").series == [("Met", [3, 0, 4]), ("Short", [4, 0, 0])]


def test_a_region_assesses_every_team():
    world = build_world()
    build_compliance(world)

    region = table(sections(region_scope(world))["compliance"], "contact-compliance")
    other = table(sections(team_scope(world.other_team))["compliance"], "contact-compliance")

    assert other.total == ["Total", 4, 0, 4, 0.0, 0]
    assert region.rows[0] == ["Fixed", 11, 3, 8, 27.3, 0]


def test_weeks_ended_in_the_period():
    def mondays(start: date, end: date, today: date) -> list[date]:
        return pack_supervision.ended_weeks(PackScope("", "", (), start, end, today))

    assert mondays(START, END, TODAY) == [
        date(2026, 9, 28),
        date(2026, 10, 5),
        date(2026, 10, 12),
        date(2026, 10, 19),
    ]
    # November 2026 begins on a Sunday: the week of 26 October ends in it.
    assert mondays(date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1))[0] == date(2026, 10, 26)
    assert mondays(date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1))[-1] == date(2026, 11, 23)
    # A week is assessed once it is over: the week ending today is not.
    assert mondays(START, END, date(2026, 10, 25)) == [
        date(2026, 9, 28),
        date(2026, 10, 5),
        date(2026, 10, 12),
    ]


def test_attendance_outcomes_of_appointments_dated_in_the_period():
    world = build_world()
    person = on_cohort(world.own_team, "fixed")
    contact(person, date(2026, 9, 30))  # before the period
    contact(person, START)
    contact(person, date(2026, 10, 15), outcome=Outcome.ACCEPTABLE_ABSENCE)
    contact(person, date(2026, 10, 20), outcome=Outcome.CANCELLED_BY_SERVICE)
    contact(person, END, outcome=Outcome.UNACCEPTABLE_ABSENCE)
    contact(person, date(2026, 10, 30), outcome="")  # its time has passed with no outcome
    contact(person, date(2026, 11, 1))  # after the period
    contact(on_cohort(world.other_team, "fixed"), date(2026, 10, 10))

    section = sections(team_scope(world.own_team))["compliance"]

    outcomes = table(section, "attendance-outcomes")
    assert outcomes.rows == [
        ["Attended and complied", 1, 25.0],
        ["Attended and failed to comply", 0, 0.0],
        ["Acceptable absence", 1, 25.0],
        ["Unacceptable absence", 1, 25.0],
        ["Rescheduled", 0, 0.0],
        ["Cancelled by the service", 1, 25.0],
        ["Outcome not yet recorded", 1, None],
    ]
    assert outcomes.total == ["Total with an outcome", 4, 100.0]
    assert outcomes.count_columns == frozenset({1})
    region = table(sections(region_scope(world))["compliance"], "attendance-outcomes")
    assert region.rows[0] == ["Attended and complied", 2, 40.0]


def test_enforcement_decisions_in_the_period_by_kind():
    world = build_world()
    person = on_cohort(world.own_team, "fixed")
    Decision = EnforcementAction.Kind
    for kind, day, nominal in [
        (Decision.FIRST_WARNING, date(2026, 9, 30), person),  # before the period
        (Decision.FIRST_WARNING, START, person),
        (Decision.NO_FURTHER_ACTION, date(2026, 10, 15), person),
        (Decision.FINAL_WARNING, END, person),
        (Decision.RECALL_REFERRAL, date(2026, 11, 1), person),  # after
        (Decision.BREACH_REFERRAL, date(2026, 10, 10), world.other_nominal),
    ]:
        EnforcementAction.objects.create(
            nominal=nominal, kind=kind, reason="Absences", decided_on=day, recorded_by=staff()
        )

    section = sections(team_scope(world.own_team))["compliance"]
    region = sections(region_scope(world))["compliance"]

    actions = table(section, "enforcement-actions")
    assert actions.rows == [
        ["First warning", 1],
        ["Final warning", 1],
        ["Breach referral", 0],
        ["Recall referral", 0],
        ["Considered: no further action", 1],
    ]
    assert actions.total == ["Total", 3]
    assert actions.count_columns == frozenset({1})
    assert section.headlines[1] == ("Enforcement decisions in the period", "<5", "")
    assert table(region, "enforcement-actions").total == ["Total", 4]


# Engagement, care and control --------------------------------------------------------------------


def build_contacts(world: World) -> None:
    team = world.own_team
    fixed = on_cohort(team, "fixed")
    contact(fixed, date(2026, 9, 30), kind=Kind.JOINT_VISIT)  # before the period
    contact(fixed, START, kind=Kind.JOINT_VISIT, purpose=Purpose.MONITORING)
    contact(fixed, date(2026, 10, 3), purpose=Purpose.PRACTICAL_SUPPORT)
    contact(fixed, date(2026, 10, 4), kind=Kind.CUSTODY_VISIT, purpose=Purpose.RELATIONAL_SUPPORT)
    contact(fixed, date(2026, 10, 5), kind=Kind.HOME_VISIT, outcome=Outcome.UNACCEPTABLE_ABSENCE)  # not held
    contact(fixed, date(2026, 10, 6), outcome=Outcome.ATTENDED_FAILED, purpose=Purpose.ENFORCEMENT)
    contact(fixed, date(2026, 10, 8), outcome="")  # planned: not held
    # Proposed, not yet on a cohort.
    proposed = NominalFactory.create(team=team)
    CohortMembership.objects.create(
        nominal=proposed, cohort="flex", proposed_by=staff(), proposed_on=START, proposal_reason="Burglary"
    )
    contact(proposed, date(2026, 10, 7), purpose=Purpose.INTERVENTION)
    # Moved from Fixed to Flex on 15 October: the contact that day counts for Flex.
    mover = on_cohort(team, "fixed", exit_date=date(2026, 10, 15))
    joined(mover, "flex", date(2026, 10, 15))
    contact(mover, date(2026, 10, 14), purpose=Purpose.PRACTICAL_SUPPORT)
    contact(mover, date(2026, 10, 15), kind=Kind.JOINT_VISIT, purpose=Purpose.MONITORING)
    contact(mover, END, kind=Kind.CUSTODY_VISIT, outcome=Outcome.RESCHEDULED)  # not held
    # Another team's.
    other = on_cohort(world.other_team, "free")
    contact(other, date(2026, 10, 9), kind=Kind.JOINT_VISIT, purpose=Purpose.PRACTICAL_SUPPORT)


def test_joint_and_custody_visits_as_a_share_of_contacts_held():
    world = build_world()
    build_contacts(world)

    section = sections(team_scope(world.own_team))["engagement"]

    visits = table(section, "joint-and-custody-visits")
    assert visits.rows == [
        ["Fixed", 5, 1, 20.0, 1, 20.0],
        ["Flex", 1, 1, 100.0, 0, 0.0],
        ["Free", 0, 0, None, 0, None],
        ["Not on a cohort", 1, 0, 0.0, 0, 0.0],
    ]
    assert visits.total == ["Total", 7, 2, 28.6, 1, 14.3]
    assert visits.count_columns == frozenset({1, 2, 4})
    assert section.headlines[0] == ("Joint visits as a share of contacts", "28.6%", "")
    # A share of a count under 5 would give the count away: not shown, not drawn.
    assert visits.shown_rows()[:2] == [
        ["Fixed", "5", "<5", "\u2013", "<5", "\u2013"],
        ["Flex", "<5", "<5", "\u2013", "0", "0.0"],
    ]
    assert chart(section, "joint-and-custody-visits").series == [
        ("Joint visits", [None, None, 0.0, 0.0]),
        ("Custody visits", [None, 0.0, 0.0, 0.0]),
    ]
    region = table(sections(region_scope(world))["engagement"], "joint-and-custody-visits")
    assert region.rows[2] == ["Free", 1, 1, 100.0, 0, 0.0]
    assert region.total == ["Total", 8, 3, 37.5, 1, 12.5]


def test_contacts_by_purpose_support_against_monitoring_and_enforcement():
    world = build_world()
    build_contacts(world)

    section = sections(team_scope(world.own_team))["care-and-control"]

    purposes = table(section, "contacts-by-purpose")
    assert purposes.columns == ["Purpose", "Group", "Fixed", "Flex", "Free", "Not on a cohort", "Total"]
    assert purposes.rows == [
        ["Practical support", "Support", 2, 0, 0, 0, 2],
        ["Relational support", "Support", 1, 0, 0, 0, 1],
        ["Intervention", "Support", 0, 0, 0, 1, 1],
        ["Monitoring and compliance", "Monitoring and enforcement", 1, 1, 0, 0, 2],
        ["Enforcement", "Monitoring and enforcement", 1, 0, 0, 0, 1],
        ["All support", "Support", 3, 0, 0, 1, 4],
        ["All monitoring and enforcement", "Monitoring and enforcement", 2, 1, 0, 0, 3],
    ]
    assert purposes.total == ["Total", "", 5, 1, 0, 1, 7]
    assert purposes.count_columns == frozenset({2, 3, 4, 5, 6})
    grouped = chart(section, "contacts-by-purpose")
    assert (grouped.kind, grouped.labels) == ("grouped", ["Fixed", "Flex", "Free", "Not on a cohort"])
    assert grouped.series == [("Support", [3, 0, 0, 1]), ("Monitoring and enforcement", [2, 1, 0, 0])]
    assert section.headlines == [("Contacts for support", "57.1%", "of 7 contacts in the period")]
    paragraph = section.blocks[0]
    assert "Support is practical support, relational support, intervention" in paragraph.text  # type: ignore[union-attr]
    assert "monitoring and enforcement is monitoring and compliance, enforcement" in paragraph.text  # type: ignore[union-attr]


def allocate(
    nominal: Nominal, worker: User, role: str, started_on: date, ended_on: date | None = None
) -> None:
    Allocation.objects.create(
        nominal=nominal,
        worker=worker,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
        allocated_by=staff(),
    )


def test_worker_continuity_of_people_on_iom_through_the_period():
    world = build_world()
    team = world.own_team
    w1, w2, w3, w4, w5 = (UserFactory.create() for _ in range(5))
    police, probation = Allocation.Role.POLICE_OFFENDER_MANAGER, Allocation.Role.PROBATION_PRACTITIONER
    # Three different workers in 12 months, none changed in October.
    steady = on_cohort(team, "fixed")
    allocate(steady, w1, police, date(2026, 1, 5))
    allocate(steady, w2, probation, date(2026, 1, 5), date(2026, 6, 30))
    allocate(steady, w3, probation, date(2026, 7, 1))
    # One worker in the 12 months from 1 November 2025 (the earlier one left on 31 October 2025).
    long_standing = on_cohort(team, "fixed", date(2025, 1, 6))
    allocate(long_standing, w1, police, date(2025, 1, 6), date(2025, 10, 31))
    allocate(long_standing, w4, police, date(2025, 11, 1))
    # Worker changed on the period's first day: two workers, a change.
    changed = on_cohort(team, "flex")
    allocate(changed, w1, police, date(2026, 1, 5), START)
    allocate(changed, w5, police, date(2026, 10, 2))
    # First allocated on the period's last day: one worker, a change.
    late = on_cohort(team, "free")
    allocate(late, w2, probation, END)
    # Not on IOM through the period: joined on 10 October, left on 31 October.
    allocate(on_cohort(team, "fixed", date(2026, 10, 10)), w1, police, date(2026, 10, 10))
    allocate(on_cohort(team, "fixed", exit_date=END), w1, police, date(2026, 1, 5))
    allocate(on_cohort(world.other_team, "fixed"), w1, police, date(2026, 10, 5))

    section = sections(team_scope(team))["engagement"]

    continuity = table(section, "worker-continuity")
    assert continuity.rows == [
        ["Fixed", 2, 2, 100.0, 2.0],
        ["Flex", 1, 0, 0.0, 2.0],
        ["Free", 1, 0, 0.0, 1.0],
    ]
    assert continuity.total == ["Total", 4, 2, 50.0, 1.8]  # (3 + 1 + 2 + 1) / 4 = 1.75
    assert continuity.count_columns == frozenset({1, 2})
    assert section.headlines[1] == (
        "People with no change of worker in the period",
        "50.0%",
        "of 4 on IOM through the period",
    )
    region = table(sections(region_scope(world))["engagement"], "worker-continuity")
    assert region.rows[0] == ["Fixed", 3, 2, 66.7, 1.7]


# Queries -------------------------------------------------------------------------------------------


def build_people(team: Team, size: int) -> None:
    worker = UserFactory.create()
    for index in range(size):
        nominal = on_cohort(team, ("fixed", "flex", "free")[index % 3])
        allocate(nominal, worker, Allocation.Role.SUPPORT_WORKER, date(2026, 1 + index % 12, 1))
        for day in range(1, 31, 3):
            contact(
                nominal,
                date(2026, 10, day),
                kind=list(Kind)[index % len(Kind)],
                purpose=list(Purpose)[day % 5],
            )
        EnforcementAction.objects.create(
            nominal=nominal, kind="first_warning", reason="Absences", decided_on=START, recorded_by=staff()
        )


@pytest.mark.parametrize("size", [3, 30])
def test_the_sections_take_twenty_four_queries_however_many_people(django_assert_num_queries, size):
    world = build_world()
    build_people(world.own_team, size)

    # Contacts held by cohort, kind and purpose; then for each of the four weeks: people, cohort
    # settings, memberships, standards, contacts; outcomes; enforcement; continuity.
    with django_assert_num_queries(24):
        found = sections(team_scope(world.own_team))

    assert table(found["care-and-control"], "contacts-by-purpose").total[-1] == 10 * size  # type: ignore[index]
