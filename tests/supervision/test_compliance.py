"""The weekly contact standard and the enforcement prompt, on hand-built weeks with known answers.

The calendar used throughout: Monday 2 November, 9 November and 16 November 2026 start the
weeks; "today" is Wednesday 18 November 2026 unless a test says otherwise.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohorts.factories import NominalFactory
from cohorts.models import CohortMembership, CohortSetting
from iom.core.factories import TeamFactory, UserFactory
from supervision import selectors
from supervision.compliance import (
    EnforcementStatus,
    MembershipSpan,
    PersonStandard,
    StandardInputs,
    WeekCompliance,
    week_starting,
    weekly_compliance,
)
from supervision.factories import ContactFactory
from supervision.models import ContactStandard, EnforcementAction, Outcome

TODAY = dt.date(2026, 11, 18)  # a Wednesday
THIS_WEEK = dt.date(2026, 11, 16)
LAST_WEEK = dt.date(2026, 11, 9)
WEEK_BEFORE = dt.date(2026, 11, 2)
DEFAULTS: dict[str, int | None] = {"fixed": 3, "flex": None, "free": None}


def nov(day: int) -> dt.date:
    return dt.date(2026, 11, day)


def person(
    *spans: MembershipSpan, standards: tuple[PersonStandard, ...] = (), in_custody: bool = False
) -> StandardInputs:
    return StandardInputs(
        memberships=list(spans), standards=list(standards), cohort_defaults=DEFAULTS, in_custody=in_custody
    )


def fixed_since(entry: dt.date, exit_date: dt.date | None = None) -> MembershipSpan:
    return MembershipSpan("fixed", entry, exit_date)


def weeks_of(
    inputs: StandardInputs, dates: list[dt.date], today: dt.date = TODAY
) -> dict[dt.date, WeekCompliance]:
    return {week.starts: week for week in weekly_compliance(inputs, dates, today=today, weeks=3)}


# The calculation on its own ------------------------------------------------------------------


def test_weeks_run_monday_to_sunday():
    assert week_starting(nov(16)) == nov(16)  # Monday
    assert week_starting(nov(22)) == nov(16)  # Sunday
    assert week_starting(nov(15)) == nov(9)  # the Sunday before belongs to the week before


def test_three_a_week_met_and_a_week_short_by_two():
    # Monday, Wednesday and Friday of last week; one on the Tuesday of the week before.
    weeks = weeks_of(person(fixed_since(dt.date(2026, 1, 5))), [nov(9), nov(11), nov(13), nov(3)])
    last, before = weeks[LAST_WEEK], weeks[WEEK_BEFORE]
    assert (last.required, last.achieved, last.met, last.short) == (3, 3, True, 0)
    assert (before.required, before.achieved, before.met, before.short) == (3, 1, False, 2)
    assert last.ends == nov(15)
    assert not last.in_progress
    assert weeks[THIS_WEEK].in_progress


def test_a_sunday_contact_counts_for_the_week_before_the_monday():
    weeks = weeks_of(person(fixed_since(dt.date(2026, 1, 5))), [nov(15), nov(15), nov(16)])
    assert weeks[LAST_WEEK].achieved == 2
    assert weeks[THIS_WEEK].achieved == 1


def test_the_newest_week_comes_first_and_the_current_week_is_in_progress():
    weeks = weekly_compliance(person(fixed_since(dt.date(2026, 1, 5))), [], today=TODAY, weeks=3)
    assert [week.starts for week in weeks] == [THIS_WEEK, LAST_WEEK, WEEK_BEFORE]
    assert [week.in_progress for week in weeks] == [True, False, False]


def test_a_week_entered_on_a_thursday_needs_its_share_rounded_up():
    weeks = weeks_of(person(fixed_since(nov(12))), [nov(13), nov(14)])
    # Thursday to Sunday is 4 days of 7: ceil(3 * 4 / 7) = 2.
    assert (weeks[LAST_WEEK].required, weeks[LAST_WEEK].met) == (2, True)
    assert (weeks[THIS_WEEK].required, weeks[THIS_WEEK].cohort) == (3, "fixed")
    assert weeks[WEEK_BEFORE].required is None
    assert weeks[WEEK_BEFORE].not_assessed_because == "Not on a cohort"


def test_a_week_left_on_a_tuesday_needs_its_share_and_the_weeks_after_are_not_assessed():
    weeks = weeks_of(person(fixed_since(dt.date(2026, 1, 5), exit_date=nov(10))), [nov(9)])
    # Monday and Tuesday are 2 days of 7: ceil(3 * 2 / 7) = 1.
    assert (weeks[LAST_WEEK].required, weeks[LAST_WEEK].achieved, weeks[LAST_WEEK].met) == (1, 1, True)
    assert (weeks[THIS_WEEK].required, weeks[THIS_WEEK].not_assessed_because) == (None, "Not on a cohort")
    assert weeks[WEEK_BEFORE].required == 3


def test_a_standard_set_after_entry_overrides_the_cohort_default_from_the_week_it_is_in_force():
    inputs = person(fixed_since(dt.date(2026, 1, 5)), standards=(PersonStandard(nov(10), 5),))
    weeks = weeks_of(inputs, [nov(9), nov(10), nov(11)])
    # In force on the week's last day, so the whole week it was set in needs 5.
    assert (weeks[LAST_WEEK].required, weeks[LAST_WEEK].short) == (5, 2)
    assert weeks[THIS_WEEK].required == 5
    assert weeks[WEEK_BEFORE].required == 3


def test_the_newest_standard_applies():
    standards = (PersonStandard(nov(10), 1), PersonStandard(nov(3), 4))  # newest first
    weeks = weeks_of(person(fixed_since(dt.date(2026, 1, 5)), standards=standards), [])
    assert [weeks[week].required for week in (THIS_WEEK, LAST_WEEK, WEEK_BEFORE)] == [1, 1, 4]


def test_a_standard_set_before_the_current_entry_does_not_follow_the_person():
    inputs = person(
        MembershipSpan("flex", dt.date(2026, 6, 1), dt.date(2026, 10, 31)),
        fixed_since(nov(2)),
        standards=(PersonStandard(dt.date(2026, 7, 1), 1),),
    )
    weeks = weeks_of(inputs, [])
    assert [weeks[week].required for week in (THIS_WEEK, LAST_WEEK, WEEK_BEFORE)] == [3, 3, 3]


def test_flex_without_a_standard_is_not_assessed():
    weeks = weeks_of(person(MembershipSpan("flex", dt.date(2026, 1, 5), None)), [nov(9)])
    week = weeks[LAST_WEEK]
    assert (week.required, week.not_assessed_because, week.cohort) == (None, "No standard set", "flex")
    assert (week.assessed, week.met, week.short, week.achieved) == (False, False, 0, 1)


def test_flex_with_a_standard_is_assessed_against_it():
    inputs = person(MembershipSpan("flex", dt.date(2026, 1, 5), None), standards=(PersonStandard(nov(1), 2),))
    week = weeks_of(inputs, [nov(9)])[LAST_WEEK]
    assert (week.required, week.short) == (2, 1)


def test_someone_not_on_a_cohort_is_not_assessed():
    weeks = weeks_of(person(), [nov(9), nov(10), nov(11)])
    assert all(week.not_assessed_because == "Not on a cohort" for week in weeks.values())
    assert not any(week.assessed for week in weeks.values())


def test_custody_leaves_only_the_current_week_unassessed():
    weeks = weeks_of(person(fixed_since(dt.date(2026, 1, 5)), in_custody=True), [])
    assert (weeks[THIS_WEEK].required, weeks[THIS_WEEK].not_assessed_because) == (None, "In custody")
    assert weeks[LAST_WEEK].required == 3


def test_the_enforcement_prompt_counts_unanswered_absences():
    absences = [nov(2), nov(9), nov(16)]
    status = EnforcementStatus(window_days=30, threshold=3, absences=absences)
    assert (status.unanswered, status.needs_decision, status.threshold_reached) == (3, True, True)
    # A decision on the day of an absence answers it and those before.
    answered_two = EnforcementStatus(window_days=30, threshold=3, absences=absences, last_decided_on=nov(9))
    assert (answered_two.unanswered, answered_two.needs_decision, answered_two.threshold_reached) == (
        1,
        True,
        True,
    )
    answered = EnforcementStatus(window_days=30, threshold=3, absences=absences, last_decided_on=nov(16))
    assert (answered.unanswered, answered.needs_decision, answered.threshold_reached) == (0, False, False)
    below = EnforcementStatus(window_days=30, threshold=3, absences=absences[:2])
    assert (below.unanswered, below.needs_decision, below.threshold_reached) == (2, True, False)


# Through the selectors, with real rows ---------------------------------------------------------


def on_cohort(nominal, cohort: str, entry: dt.date, exit_date: dt.date | None = None) -> CohortMembership:
    return CohortMembership.objects.create(
        nominal=nominal,
        cohort=cohort,
        status=CohortMembership.Status.ENDED if exit_date else CohortMembership.Status.ACTIVE,
        proposed_by=UserFactory.create(),
        proposed_on=entry,
        proposal_reason="Meets the criteria",
        entry_date=entry,
        review_due=entry + dt.timedelta(days=90),
        exit_date=exit_date,
        exit_reason=CohortMembership.ExitReason.COMPLETED if exit_date else "",
    )


def contacts(nominal, *days: dt.date, outcome: str = Outcome.ATTENDED_COMPLIED) -> None:
    for day in days:
        ContactFactory.create(nominal=nominal, date=day, outcome=outcome)


def standard(nominal, per_week: int, set_on: dt.date) -> ContactStandard:
    return ContactStandard.objects.create(
        nominal=nominal,
        contacts_per_week=per_week,
        reason="Agreed at review",
        set_on=set_on,
        set_by=UserFactory.create(),
    )


def by_week(nominal, today: dt.date = TODAY) -> dict[dt.date, WeekCompliance]:
    return {week.starts: week for week in selectors.person_compliance(nominal, today=today, weeks=3)}


@pytest.mark.django_db
def test_only_attendance_counts_towards_the_standard():
    nominal = NominalFactory.create()
    on_cohort(nominal, "fixed", dt.date(2026, 1, 5))
    contacts(nominal, nov(9), outcome=Outcome.ATTENDED_COMPLIED)
    contacts(nominal, nov(10), outcome=Outcome.ATTENDED_FAILED)
    for outcome in (
        Outcome.ACCEPTABLE_ABSENCE,
        Outcome.UNACCEPTABLE_ABSENCE,
        Outcome.RESCHEDULED,
        Outcome.CANCELLED_BY_SERVICE,
        "",  # planned, no outcome yet
    ):
        contacts(nominal, nov(11), outcome=outcome)
    week = by_week(nominal)[LAST_WEEK]
    assert (week.required, week.achieved, week.met, week.short) == (3, 2, False, 1)
    contacts(nominal, nov(15), outcome=Outcome.ATTENDED_COMPLIED)  # the Sunday
    assert by_week(nominal)[LAST_WEEK].met


@pytest.mark.django_db
def test_person_compliance_reads_the_cohort_default_from_the_settings():
    nominal = NominalFactory.create()
    on_cohort(nominal, "fixed", dt.date(2026, 1, 5))
    contacts(nominal, nov(9), nov(10), nov(11))
    assert by_week(nominal)[LAST_WEEK].met
    CohortSetting.objects.filter(cohort="fixed").update(contacts_per_week=4)
    assert (by_week(nominal)[LAST_WEEK].required, by_week(nominal)[LAST_WEEK].short) == (4, 1)


@pytest.mark.django_db
def test_person_compliance_for_a_thursday_entry_and_a_midweek_exit():
    entered = NominalFactory.create()
    on_cohort(entered, "fixed", nov(12))
    contacts(entered, nov(13))
    week = by_week(entered)[LAST_WEEK]
    assert (week.required, week.short) == (2, 1)
    assert by_week(entered)[WEEK_BEFORE].not_assessed_because == "Not on a cohort"

    left = NominalFactory.create()
    on_cohort(left, "fixed", dt.date(2026, 1, 5), exit_date=nov(10))
    weeks = by_week(left)
    assert (weeks[LAST_WEEK].required, weeks[LAST_WEEK].achieved) == (1, 0)
    assert weeks[THIS_WEEK].not_assessed_because == "Not on a cohort"


@pytest.mark.django_db
def test_person_compliance_uses_the_persons_standard_since_their_current_entry_only():
    nominal = NominalFactory.create()
    on_cohort(nominal, "flex", dt.date(2026, 3, 2), exit_date=dt.date(2026, 10, 30))
    standard(nominal, 1, dt.date(2026, 4, 1))  # under the earlier membership
    on_cohort(nominal, "fixed", nov(2))
    contacts(nominal, nov(9))
    assert by_week(nominal)[LAST_WEEK].required == 3
    standard(nominal, 1, nov(10))
    assert by_week(nominal)[LAST_WEEK].required == 1
    assert by_week(nominal)[WEEK_BEFORE].required == 3
    standard(nominal, 2, nov(25))  # not yet in force on 18 November
    assert by_week(nominal)[THIS_WEEK].required == 1


@pytest.mark.django_db
def test_person_compliance_for_flex_without_a_standard_no_cohort_and_custody():
    flex = NominalFactory.create()
    on_cohort(flex, "flex", dt.date(2026, 1, 5))
    assert by_week(flex)[LAST_WEEK].not_assessed_because == "No standard set"
    nobody = NominalFactory.create()
    contacts(nobody, nov(9))
    assert by_week(nobody)[LAST_WEEK].not_assessed_because == "Not on a cohort"
    inside = NominalFactory.create(in_custody=True)
    on_cohort(inside, "fixed", dt.date(2026, 1, 5))
    weeks = by_week(inside)
    assert (weeks[THIS_WEEK].not_assessed_because, weeks[LAST_WEEK].required) == ("In custody", 3)


@pytest.mark.django_db
def test_person_compliance_takes_four_queries(django_assert_num_queries):
    nominal = NominalFactory.create()
    on_cohort(nominal, "fixed", dt.date(2026, 1, 5))
    contacts(nominal, *(nov(day) for day in range(1, 18)))
    with django_assert_num_queries(4):
        weeks = selectors.person_compliance(nominal, today=TODAY)
    assert len(weeks) == selectors.COMPLIANCE_WEEKS


def _met(n) -> None:
    on_cohort(n, "fixed", dt.date(2026, 1, 5))
    contacts(n, nov(9), nov(11), nov(13))


def _short_by_two(n) -> None:
    on_cohort(n, "fixed", dt.date(2026, 1, 5))
    contacts(n, nov(10))


def _entered_thursday(n) -> None:
    on_cohort(n, "fixed", nov(12))
    contacts(n, nov(15))


def _own_standard(n) -> None:
    on_cohort(n, "flex", dt.date(2026, 1, 5))
    standard(n, 2, nov(1))
    contacts(n, nov(9))


def _flex_without_standard(n) -> None:
    on_cohort(n, "flex", dt.date(2026, 1, 5))


def _not_on_a_cohort(n) -> None:
    contacts(n, nov(9))


def _in_custody_seen_this_week(n) -> None:
    on_cohort(n, "fixed", dt.date(2026, 1, 5))
    contacts(n, nov(17))


CASES = [
    _met,
    _short_by_two,
    _entered_thursday,
    _own_standard,
    _flex_without_standard,
    _not_on_a_cohort,
    _in_custody_seen_this_week,
]


def _team_of(size: int):
    """A team whose people cover every case above, repeated until it has `size` people."""
    team = TeamFactory.create()
    for i in range(size):
        case = CASES[i % len(CASES)]
        case(NominalFactory.create(team=team, in_custody=case is _in_custody_seen_this_week))
    return team


@pytest.mark.django_db
@pytest.mark.parametrize("week_starts", [LAST_WEEK, THIS_WEEK])
def test_a_teams_compliance_matches_each_persons_and_takes_five_queries_whatever_its_size(week_starts):
    counts = []
    for size in (3, 20):
        team = _team_of(size)
        nominals = team.nominals.all()
        with CaptureQueriesContext(connection) as queries:
            weeks = selectors.week_compliance_for(nominals, week_starts=week_starts, today=TODAY)
        counts.append(len(queries))
        assert len(weeks) == size
        for nominal in nominals:
            assert weeks[nominal.pk] == by_week(nominal)[week_starts], nominal
    assert counts == [5, 5]


@pytest.mark.django_db
def test_a_week_asked_for_from_midweek_is_the_whole_monday_to_sunday_week():
    nominal = NominalFactory.create()
    on_cohort(nominal, "fixed", dt.date(2026, 1, 5))
    contacts(nominal, nov(9), nov(10), nov(13))
    nominals = type(nominal).objects.filter(pk=nominal.pk)
    week = selectors.week_compliance_for(nominals, week_starts=nov(12), today=TODAY)[nominal.pk]
    assert (week.starts, week.achieved, week.met) == (LAST_WEEK, 3, True)


@pytest.mark.django_db
def test_below_standard_lists_the_people_short_most_short_first_in_constant_queries():
    counts = []
    for size in (3, 20):
        team = _team_of(size)
        nominals = team.nominals.all()
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.below_standard(nominals, week_starts=LAST_WEEK, today=TODAY)
        counts.append(len(queries))
        expected = {n.pk: week for n in nominals if (week := by_week(n)[LAST_WEEK]).assessed and not week.met}
        assert {row[0].pk: row[1] for row in rows} == expected
        assert [week.short for _, week in rows] == sorted(
            (week.short for week in expected.values()), reverse=True
        )
    assert counts[0] == counts[1] == 6


# Enforcement through the selectors ---------------------------------------------------------------


def _absent(nominal, *days_ago: int, today: dt.date = TODAY) -> None:
    for days in days_ago:
        ContactFactory.create(
            nominal=nominal, date=today - dt.timedelta(days=days), outcome=Outcome.UNACCEPTABLE_ABSENCE
        )


@pytest.mark.django_db
def test_absences_are_counted_over_the_current_cohorts_window_against_its_threshold():
    CohortSetting.objects.filter(cohort="fixed").update(absence_window_days=30, absence_threshold=3)
    nominal = NominalFactory.create()
    on_cohort(nominal, "fixed", dt.date(2026, 1, 5))
    _absent(nominal, 2, 10, 40)  # one outside the 30 days
    status = selectors.enforcement_status(nominal, today=TODAY)
    assert (status.window_days, status.threshold, status.absences) == (
        30,
        3,
        [TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=2)],
    )
    assert (status.unanswered, status.needs_decision, status.threshold_reached) == (2, True, False)
    _absent(nominal, 20)
    assert selectors.enforcement_status(nominal, today=TODAY).threshold_reached
    # Flex keeps the default window and threshold (365 days, 2): the setting is the current cohort's.
    flex = NominalFactory.create()
    on_cohort(flex, "flex", dt.date(2026, 1, 5))
    _absent(flex, 2, 40)
    status = selectors.enforcement_status(flex, today=TODAY)
    assert (status.window_days, status.threshold, len(status.absences), status.threshold_reached) == (
        365,
        2,
        2,
        True,
    )


@pytest.mark.django_db
def test_a_decision_on_or_after_an_absence_answers_it():
    nominal = NominalFactory.create()
    on_cohort(nominal, "fixed", dt.date(2026, 1, 5))
    _absent(nominal, 10, 5)
    EnforcementAction.objects.create(
        nominal=nominal,
        kind=EnforcementAction.Kind.FIRST_WARNING,
        reason="Missed two appointments",
        decided_on=TODAY - dt.timedelta(days=5),
        recorded_by=UserFactory.create(),
    )
    status = selectors.enforcement_status(nominal, today=TODAY)
    assert (status.unanswered, status.needs_decision, status.threshold_reached) == (0, False, False)
    _absent(nominal, 1)
    status = selectors.enforcement_status(nominal, today=TODAY)
    assert (status.unanswered, status.needs_decision, status.threshold_reached) == (1, True, True)


@pytest.mark.django_db
def test_at_enforcement_threshold_lists_a_teams_people_to_prompt(django_assert_num_queries):
    team = TeamFactory.create()
    reached, one_absence, answered, elsewhere = (NominalFactory.create(team=team) for _ in range(4))
    elsewhere.team = TeamFactory.create()
    elsewhere.save()
    for nominal in (reached, one_absence, answered, elsewhere):
        on_cohort(nominal, "fixed", dt.date(2026, 1, 5))
    _absent(reached, 3, 30)
    _absent(one_absence, 3)
    _absent(answered, 3, 30)
    _absent(elsewhere, 3, 30)
    EnforcementAction.objects.create(
        nominal=answered,
        kind=EnforcementAction.Kind.NO_FURTHER_ACTION,
        reason="Absences explained by a hospital stay",
        decided_on=TODAY,
        recorded_by=UserFactory.create(),
    )
    # ids, settings, cohorts, absences, decisions, then the people
    with django_assert_num_queries(6):
        rows = selectors.at_enforcement_threshold(team.nominals.all(), today=TODAY)
    assert [(person, status.unanswered) for person, status in rows] == [(reached, 2)]
