"""The team dashboard's figures, each against hand-built data whose answer is written here.

TODAY is Wednesday 18 November 2026: its week began on Monday 16 November, so the 12 weeks
of flows run from Monday 31 August; the 13th week back (24 to 30 August) is outside.
"""

from datetime import date, timedelta

import pytest

from cohorts.factories import NominalFactory
from cohorts.models import CohortMembership, Need, NeedStatus, Nominal, Pathway, UnmetReason
from iom.core.factories import TeamFactory, UserFactory
from iom.core.models import Role, Team, User
from reports import metrics
from reports.metrics import (
    BelowStandard,
    CohortSizes,
    EnforcementDue,
    PathwayNeeds,
    ReviewsDue,
    WorkerCaseload,
)
from supervision.factories import ContactFactory
from supervision.models import ContactStandard, EnforcementAction, Outcome
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)
FIRST_MONDAY = date(2026, 8, 31)
LAST_WEEK = date(2026, 11, 9)  # the last complete week: Monday 9 to Sunday 15 November
Status = CohortMembership.Status
ExitReason = CohortMembership.ExitReason


def proposer() -> User:
    return UserFactory.create(email="proposer@example.org", full_name="Pat Proposer")


def on_cohort(
    nominal: Nominal,
    *,
    cohort: str = "fixed",
    status: str = Status.ACTIVE,
    entry_date: date | None = date(2026, 6, 1),
    review_due: date | None = date(2027, 3, 1),
    exit_date: date | None = None,
    exit_reason: str = "",
) -> CohortMembership:
    """A cohort membership; a proposal has no entry or review dates, an ended one an exit."""
    if status in (Status.PROPOSED, Status.NOT_ACCEPTED):
        entry_date = review_due = None
    if status == Status.ENDED:
        exit_date = exit_date or date(2026, 7, 1)
        exit_reason = exit_reason or ExitReason.COMPLETED
    return CohortMembership.objects.create(
        nominal=nominal,
        cohort=cohort,
        status=status,
        proposed_by=proposer(),
        proposed_on=date(2026, 5, 1),
        proposal_reason="Prolific burglary",
        entry_date=entry_date,
        review_due=review_due,
        exit_date=exit_date,
        exit_reason=exit_reason,
    )


def person(team: Team, **fields) -> Nominal:
    return NominalFactory.create(team=team, **fields)


def unmet(nominal: Nominal, pathway: str, reason: str = UnmetReason.NO_SERVICE) -> Need:
    return Need.objects.create(
        nominal=nominal, pathway=pathway, status=NeedStatus.UNMET, unmet_reason=reason, updated_on=TODAY
    )


def test_cohort_sizes_count_active_memberships_by_cohort_and_proposals_awaiting_panel():
    world = build_world()
    team = world.own_team
    on_cohort(person(team), cohort="fixed")
    on_cohort(person(team), cohort="fixed")
    on_cohort(person(team), cohort="flex")
    on_cohort(person(team), cohort="flex", status=Status.PROPOSED)
    on_cohort(person(team), cohort="free", status=Status.PROPOSED)
    on_cohort(person(team), cohort="fixed", status=Status.ENDED)
    on_cohort(person(team), cohort="free", status=Status.NOT_ACCEPTED)
    on_cohort(person(world.other_team), cohort="free")

    sizes = metrics.cohort_sizes(team_id=team.pk)

    assert sizes == CohortSizes(fixed=2, flex=1, free=0, proposed=2)
    assert sizes.active == 3


def test_flows_count_entries_and_exits_in_each_of_the_last_12_weeks():
    world = build_world()
    team = world.own_team
    # Entries: the first day of week 1 counts, the last day of week 13 does not.
    on_cohort(person(team), entry_date=FIRST_MONDAY)
    on_cohort(person(team), entry_date=FIRST_MONDAY - timedelta(days=1))
    on_cohort(person(team), entry_date=date(2026, 11, 15))  # Sunday: the week of 9 November
    on_cohort(person(team), entry_date=TODAY)
    on_cohort(person(team), entry_date=TODAY + timedelta(days=1))  # recorded ahead: not yet
    # Exits: an ended membership's entry long before the window is not an entry in it.
    exits = [
        (FIRST_MONDAY - timedelta(days=1), ExitReason.COMPLETED),  # week 13: outside
        (FIRST_MONDAY, ExitReason.RISK_REDUCED),
        (date(2026, 10, 7), ExitReason.LONG_CUSTODY),
        (date(2026, 10, 9), ExitReason.LONG_CUSTODY),
        (TODAY, ExitReason.MOVED_AREA),
    ]
    for exit_date, reason in exits:
        on_cohort(
            person(team),
            status=Status.ENDED,
            entry_date=date(2025, 1, 6),
            exit_date=exit_date,
            exit_reason=reason,
        )
    on_cohort(person(world.other_team), entry_date=TODAY)

    flows = metrics.cohort_flows(team_id=team.pk, today=TODAY)

    assert [week.week_start for week in flows.weeks] == [FIRST_MONDAY + timedelta(weeks=n) for n in range(12)]
    assert {
        week.week_start: (week.entries, week.exits) for week in flows.weeks if week.entries or week.exits
    } == {
        date(2026, 8, 31): (1, 1),
        date(2026, 10, 5): (0, 2),
        date(2026, 11, 9): (1, 0),
        date(2026, 11, 16): (1, 1),
    }
    assert (flows.entries, flows.exits, flows.period_start) == (3, 4, FIRST_MONDAY)
    assert {reason.reason: reason.exits for reason in flows.exits_by_reason} == {
        "risk_reduced": 1,
        "completed": 0,
        "long_custody": 2,
        "moved_area": 1,
        "died": 0,
        "moved_cohort": 0,
        "other": 0,
    }


def test_reviews_overdue_are_before_today_and_due_soon_are_today_to_14_days_ahead():
    world = build_world()
    team = world.own_team
    on_cohort(person(team), review_due=TODAY - timedelta(days=30))
    on_cohort(person(team), review_due=TODAY - timedelta(days=1))
    on_cohort(person(team), review_due=TODAY)  # due today: not yet overdue
    on_cohort(person(team), review_due=TODAY + timedelta(days=14))
    on_cohort(person(team), review_due=TODAY + timedelta(days=15))
    on_cohort(person(team), status=Status.ENDED, review_due=TODAY - timedelta(days=1))
    on_cohort(person(team), status=Status.PROPOSED)
    on_cohort(person(world.other_team), review_due=TODAY - timedelta(days=1))

    assert metrics.reviews_due(team_id=team.pk, today=TODAY) == ReviewsDue(overdue=2, due_soon=2)


def test_releases_due_are_people_in_custody_out_within_8_weeks_inclusive():
    world = build_world()
    team = world.own_team
    eight_weeks = TODAY + timedelta(weeks=8)
    for release in (TODAY, TODAY + timedelta(days=20), eight_weeks):
        person(team, in_custody=True, conditional_release_date=release)
    person(team, in_custody=True, conditional_release_date=eight_weeks + timedelta(days=1))
    person(team, in_custody=True, conditional_release_date=TODAY - timedelta(days=1))
    person(team, in_custody=False, conditional_release_date=TODAY + timedelta(days=3))
    person(team, in_custody=True, conditional_release_date=None)
    person(world.other_team, in_custody=True, conditional_release_date=TODAY)

    assert metrics.releases_due(team_id=team.pk, today=TODAY) == 3
    # The same rule as the person page's pre-release flag.
    assert sum(n.due_out_within(TODAY) for n in Nominal.objects.filter(team=team)) == 3


def test_unallocated_are_people_on_or_proposed_for_a_cohort_with_no_case_team():
    world = build_world()
    team = world.own_team
    worker = member(Role.SUPPORT_WORKER, team=team)
    on_cohort(person(team))
    on_cohort(person(team), status=Status.PROPOSED)
    on_cohort(person(team, support_worker=worker))
    on_cohort(person(team, police_offender_manager=worker))
    on_cohort(person(team, probation_practitioner=worker), status=Status.PROPOSED)
    on_cohort(person(team), status=Status.ENDED)  # left: no longer anyone's to allocate
    person(team)  # not on or proposed for a cohort
    on_cohort(person(world.other_team))

    assert metrics.unallocated(team_id=team.pk) == 2


def test_caseload_by_worker_counts_each_person_once_and_shows_idle_workers():
    world = build_world()
    team = world.own_team
    police = member(Role.POLICE_OFFENDER_MANAGER, team=team, full_name="Pat Police")
    probation = member(Role.PROBATION_PRACTITIONER, team=team, full_name="Quinn Probation")
    member(Role.SUPPORT_WORKER, team=team, full_name="Sam Support")
    member(Role.YOUNG_ADULT_SUPPORT_WORKER, team=team, full_name="Ivy Idle")
    member(Role.MANAGER, team=team, full_name="Mo Manager")
    outsider = member(Role.SUPPORT_WORKER, team=world.other_team, full_name="Olly Outsider")
    on_cohort(
        person(
            team, police_offender_manager=police, probation_practitioner=probation, support_worker=outsider
        )
    )
    # The same worker in two roles on one person counts once.
    on_cohort(person(team, police_offender_manager=police, support_worker=police), status=Status.PROPOSED)
    on_cohort(person(team, police_offender_manager=police), status=Status.ENDED)
    person(team, probation_practitioner=probation)  # on no cohort
    on_cohort(person(world.other_team, police_offender_manager=police))

    # Everyone allocated in this team, whatever their cohort status: the people the caseload lists
    # for ?team=&worker=, so the figure and its list agree.
    assert metrics.caseload_by_worker(team_id=team.pk) == [
        WorkerCaseload(police.pk, "Pat Police", "Police offender manager", 3),
        WorkerCaseload(probation.pk, "Quinn Probation", "Probation practitioner", 2),
        WorkerCaseload(outsider.pk, "Olly Outsider", "", 1),
        WorkerCaseload(
            User.objects.get(full_name="Ivy Idle").pk, "Ivy Idle", "Young adult support worker", 0
        ),
        WorkerCaseload(User.objects.get(full_name="Sam Support").pk, "Sam Support", "Support worker", 0),
    ]


def test_unmet_needs_by_pathway_with_those_no_service_can_meet():
    world = build_world()
    team = world.own_team
    first, second, third = person(team), person(team), person(team)
    unmet(first, Pathway.ACCOMMODATION)
    unmet(second, Pathway.ACCOMMODATION)
    unmet(third, Pathway.ACCOMMODATION, UnmetReason.WAITING_LIST)
    unmet(first, Pathway.HEALTH)
    unmet(second, Pathway.DRUGS_ALCOHOL, UnmetReason.DECLINED)
    Need.objects.create(
        nominal=third, pathway=Pathway.EDUCATION_EMPLOYMENT, status="identified", updated_on=TODAY
    )
    unmet(person(world.other_team), Pathway.ACCOMMODATION)

    assert metrics.unmet_needs(team_id=team.pk) == [
        PathwayNeeds("accommodation", "Accommodation", unmet=3, no_service=2),
        PathwayNeeds("ete", "Education, training and employment", unmet=0, no_service=0),
        PathwayNeeds("health", "Health, including mental health", unmet=1, no_service=1),
        PathwayNeeds("drugs_alcohol", "Drugs and alcohol", unmet=1, no_service=0),
        PathwayNeeds("finance", "Finance, benefit and debt", unmet=0, no_service=0),
        PathwayNeeds("families", "Children and families", unmet=0, no_service=0),
        PathwayNeeds("attitudes", "Attitudes, thinking and behaviour", unmet=0, no_service=0),
    ]


def test_an_empty_team_has_zero_everywhere():
    world = build_world()
    empty = TeamFactory.create(name="Empty IOM", region=world.region)

    figures = metrics.team_dashboard(team_id=empty.pk, today=TODAY)

    assert figures.people == 0
    assert figures.cohorts == CohortSizes(0, 0, 0, 0)
    assert (figures.flows.entries, figures.flows.exits, len(figures.flows.weeks)) == (0, 0, 12)
    assert figures.reviews == ReviewsDue(0, 0)
    assert (figures.releases_due, figures.unallocated, figures.unmet_needs) == (0, 0, 0)
    assert figures.workers == []
    assert (figures.last_week, figures.below_standard, figures.enforcement_due) == (LAST_WEEK, [], [])


def contacts(nominal: Nominal, *days: date, outcome: str = Outcome.ATTENDED_COMPLIED) -> None:
    for day in days:
        ContactFactory.create(nominal=nominal, date=day, outcome=outcome)


def test_below_standard_lists_people_short_in_the_last_complete_week_most_short_first():
    world = build_world()
    team = world.own_team
    fixed_short = person(team, given_name="Al", family_name="Adams")
    on_cohort(fixed_short, cohort="fixed")
    contacts(fixed_short, date(2026, 11, 10))
    contacts(fixed_short, date(2026, 11, 11), outcome=Outcome.UNACCEPTABLE_ABSENCE)  # did not attend
    met = person(team)
    on_cohort(met, cohort="fixed")
    contacts(met, date(2026, 11, 9), date(2026, 11, 12), date(2026, 11, 15))
    flex_own_standard = person(team, given_name="Cy", family_name="Carter")
    on_cohort(flex_own_standard, cohort="flex")
    ContactStandard.objects.create(
        nominal=flex_own_standard,
        contacts_per_week=4,
        reason="High risk",
        set_on=date(2026, 10, 1),
        set_by=proposer(),
    )
    contacts(flex_own_standard, date(2026, 11, 14))
    on_cohort(person(team), cohort="flex")  # no standard set: not assessed, not listed
    only_this_week = person(team, given_name="Ed", family_name="Evans")
    on_cohort(only_this_week, cohort="fixed")
    contacts(
        only_this_week, date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)
    )  # this week: too late
    joined_thursday = person(team, given_name="Gil", family_name="Green")
    on_cohort(joined_thursday, cohort="fixed", entry_date=date(2026, 11, 12))  # 4 days of 7: 2 needed
    contacts(joined_thursday, date(2026, 11, 13))
    on_cohort(person(world.other_team), cohort="fixed")

    rows = metrics.below_standard(team_id=team.pk, today=TODAY)

    assert rows == [
        BelowStandard(flex_own_standard.pk, "Cy Carter", "Flex", required=4, contacts=1),
        BelowStandard(only_this_week.pk, "Ed Evans", "Fixed", required=3, contacts=0),
        BelowStandard(fixed_short.pk, "Al Adams", "Fixed", required=3, contacts=1),
        BelowStandard(joined_thursday.pk, "Gil Green", "Fixed", required=2, contacts=1),
    ]
    assert [row.short for row in rows] == [3, 3, 2, 1]


def test_enforcement_due_lists_people_at_the_threshold_with_no_decision_since():
    world = build_world()
    team = world.own_team
    absent = Outcome.UNACCEPTABLE_ABSENCE

    def decided(nominal: Nominal, on: date) -> None:
        EnforcementAction.objects.create(
            nominal=nominal, kind="first_warning", reason="Missed", decided_on=on, recorded_by=proposer()
        )

    at_threshold = person(team, given_name="Al", family_name="Adams")
    on_cohort(at_threshold, cohort="fixed")
    contacts(at_threshold, date(2026, 10, 1), date(2026, 11, 1), outcome=absent)
    answered = person(team)
    on_cohort(answered)
    contacts(answered, date(2026, 10, 1), date(2026, 11, 1), outcome=absent)
    decided(answered, date(2026, 11, 2))
    below = person(team)
    on_cohort(below)
    contacts(below, date(2026, 11, 1), outcome=absent)  # one: below the threshold
    one_too_old = person(team, given_name="Bo", family_name="Brown")
    on_cohort(one_too_old)
    contacts(one_too_old, date(2025, 11, 1), date(2026, 9, 1), date(2026, 11, 10), outcome=absent)
    again_since = person(team, given_name="Cy", family_name="Carter")
    on_cohort(again_since)
    contacts(again_since, date(2026, 10, 1), date(2026, 11, 1), date(2026, 11, 10), outcome=absent)
    decided(again_since, date(2026, 11, 5))
    contacts(person(world.other_team), date(2026, 10, 1), date(2026, 11, 1), outcome=absent)
    left = person(team)  # absent twice, but no longer on IOM: not the case team's to decide
    on_cohort(left, status=Status.ENDED)
    contacts(left, date(2026, 10, 1), date(2026, 11, 1), outcome=absent)

    assert metrics.enforcement_due(team_id=team.pk, today=TODAY) == [
        EnforcementDue(at_threshold.pk, "Al Adams", absences=2, threshold=2, window_days=365),
        EnforcementDue(one_too_old.pk, "Bo Brown", absences=2, threshold=2, window_days=365),
        EnforcementDue(again_since.pk, "Cy Carter", absences=3, threshold=2, window_days=365),
    ]


def build_busy_team(team: Team, size: int) -> None:
    workers = [
        member(Role.POLICE_OFFENDER_MANAGER, team=team),
        member(Role.PROBATION_PRACTITIONER, team=team),
        member(Role.SUPPORT_WORKER, team=team),
    ]
    for index in range(size):
        nominal = person(
            team,
            police_offender_manager=workers[index % 3] if index % 4 else None,
            in_custody=index % 5 == 0,
            conditional_release_date=TODAY + timedelta(days=index) if index % 5 == 0 else None,
        )
        on_cohort(
            nominal,
            cohort=("fixed", "flex", "free")[index % 3],
            status=(Status.ACTIVE, Status.PROPOSED, Status.ENDED)[index % 3],
            entry_date=TODAY - timedelta(days=index * 3),
            review_due=TODAY + timedelta(days=index - 10),
            exit_date=TODAY - timedelta(days=index),
        )
        unmet(nominal, list(Pathway)[index % 7])
        contacts(nominal, LAST_WEEK + timedelta(days=index % 7))
        if index % 2:
            contacts(nominal, date(2026, 10, 1), date(2026, 11, 1), outcome=Outcome.UNACCEPTABLE_ABSENCE)
    # Whatever the size, someone is below the standard and someone awaits an enforcement decision.
    below = person(team)
    on_cohort(below)
    contacts(below, date(2026, 10, 1), date(2026, 11, 1), outcome=Outcome.UNACCEPTABLE_ABSENCE)


@pytest.mark.parametrize("size", [3, 30])
def test_the_dashboard_takes_twenty_queries_however_many_people(django_assert_num_queries, size):
    world = build_world()
    build_busy_team(world.own_team, size)
    # people; cohort sizes; flows; reviews; releases; unallocated; caseload by worker; unmet needs;
    # below the standard (people, cohort settings, memberships, standards, contacts, those short);
    # enforcement (people, cohort settings, cohorts, absences, decisions, those due)
    with django_assert_num_queries(20):
        figures = metrics.team_dashboard(team_id=world.own_team.pk, today=TODAY)
    assert figures.people == size + 2  # and build_world's Dean Robson, and the one below the standard
    assert figures.below_standard
    # Absent every other person; only those on a cohort now (every third) await a decision.
    assert len(figures.enforcement_due) == 1 + sum(1 for index in range(size) if index % 2 and index % 3 == 0)


def test_records_out_of_normal_use_after_retention_review_are_not_on_the_caseload_figures():
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    kept = NominalFactory.create(team=world.own_team, police_offender_manager=worker)
    NominalFactory.create(team=world.own_team, police_offender_manager=worker, retention_status="restricted")
    NominalFactory.create(team=world.own_team, retention_status="erased")

    assert metrics.people_on_caseload(team_id=world.own_team.pk) == 2  # the world's person and `kept`
    counts = {row.worker_id: row.people for row in metrics.caseload_by_worker(team_id=world.own_team.pk)}
    assert counts[worker.pk] == 1
    assert kept.police_offender_manager == worker
