"""Reads about supervision: always scoped to the user's teams, in a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cohorts.factories import NominalFactory
from iom.core.models import AuditEvent, Role
from supervision import selectors
from supervision.factories import ContactFactory
from supervision.models import Contact, ContactAttendee, Outcome
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = dt.date(2026, 11, 16)
SUNDAY = dt.date(2026, 11, 22)


def appointment(nominal, day: dt.date, hour: int, *attendees, **fields) -> Contact:
    fields.setdefault("outcome", "")
    contact = ContactFactory.create(nominal=nominal, date=day, time=dt.time(hour, 0), **fields)
    for user in attendees:
        ContactAttendee.objects.create(contact=contact, user=user, organisation=user.organisation)
    return contact


def pks(contacts) -> list[int]:
    return [contact.pk for contact in contacts]


# Diaries ---------------------------------------------------------------------------------------------


def test_my_diary_is_what_i_attend_in_my_teams_in_date_order():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    friday = appointment(world.nominal, dt.date(2026, 11, 20), 9, officer)
    monday_late = appointment(world.nominal, MONDAY, 15, officer, colleague)
    monday_early = appointment(world.nominal, MONDAY, 9, officer, outcome=Outcome.ATTENDED_COMPLIED)
    appointment(world.nominal, MONDAY, 11, colleague)  # not mine
    appointment(world.nominal, dt.date(2026, 11, 23), 9, officer)  # next week
    # Another team's appointment that somehow lists me stays out of my diary.
    appointment(world.other_nominal, MONDAY, 10, officer)
    diary = selectors.my_diary(officer, start=MONDAY, end=SUNDAY)
    assert pks(diary) == [monday_early.pk, monday_late.pk, friday.pk]


def test_the_team_diary_never_shows_another_teams_appointments():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    stranger = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
    mine = appointment(world.nominal, MONDAY, 9, officer)
    theirs = appointment(world.nominal, MONDAY, 10, colleague)
    other_team = appointment(world.other_nominal, MONDAY, 11, stranger)
    assert pks(selectors.team_diary(officer, start=MONDAY, end=SUNDAY)) == [mine.pk, theirs.pk]
    assert pks(selectors.team_diary(officer, start=MONDAY, end=SUNDAY, worker_id=colleague.pk)) == [theirs.pk]
    # Asking for the other team, or one of its workers, by id gives nothing.
    assert pks(selectors.team_diary(officer, start=MONDAY, end=SUNDAY, team_id=world.other_team.pk)) == []
    assert pks(selectors.team_diary(officer, start=MONDAY, end=SUNDAY, worker_id=stranger.pk)) == []
    assert pks(selectors.team_diary(stranger, start=MONDAY, end=SUNDAY)) == [other_team.pk]
    for outsider in (member(Role.REGIONAL_LEAD, region=world.region), member(Role.PARTNER)):
        assert pks(selectors.team_diary(outsider, start=MONDAY, end=SUNDAY)) == []
        assert pks(selectors.my_diary(outsider, start=MONDAY, end=SUNDAY)) == []


def test_the_diary_takes_the_same_queries_for_a_busy_week_as_a_quiet_one():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.PROBATION_PRACTITIONER, team=world.own_team)

    def read() -> int:
        user = type(officer).objects.get(pk=officer.pk)  # as a new request would have it
        with CaptureQueriesContext(connection) as queries:
            for contact in selectors.team_diary(user, start=MONDAY, end=SUNDAY):
                _ = (contact.nominal.full_name, [a.user.full_name for a in contact.attendance.all()])
                _ = [a.organisation.name if a.organisation else "" for a in contact.attendance.all()]
        return len(queries)

    for day in range(2):
        appointment(world.nominal, MONDAY + dt.timedelta(days=day), 9, officer, colleague)
    quiet = read()
    for day in range(20):
        nominal = NominalFactory.create(team=world.own_team)
        appointment(nominal, MONDAY + dt.timedelta(days=day % 7), 10 + day % 8, officer, colleague)
    assert read() == quiet
    # memberships, appointments with their people, attendance with staff and agencies
    assert quiet == 3


def test_outcomes_due_are_my_appointments_whose_time_has_passed_without_an_outcome():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    last_week = appointment(world.nominal, dt.date(2026, 11, 10), 9, officer)
    this_morning = appointment(world.nominal, dt.date(2026, 11, 18), 10, officer)
    appointment(world.nominal, dt.date(2026, 11, 18), 15, officer)  # this afternoon
    appointment(world.nominal, dt.date(2026, 11, 10), 10, officer, outcome=Outcome.ATTENDED_COMPLIED)
    appointment(world.nominal, dt.date(2026, 11, 10), 11, colleague)  # not mine
    appointment(world.other_nominal, dt.date(2026, 11, 10), 12, officer)  # another team's
    at_ten = dt.datetime(2026, 11, 18, 10, 0, tzinfo=LONDON)
    assert pks(selectors.outcomes_due(officer, now=at_ten)) == [last_week.pk, this_morning.pk]
    assert pks(selectors.outcomes_due(officer, now=at_ten - dt.timedelta(minutes=1))) == [last_week.pk]


def test_outcomes_due_compare_london_time_in_summer():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    ten_am = appointment(world.nominal, dt.date(2026, 7, 1), 10, officer)
    # 09:30 UTC is 10:30 in London: the 10:00 appointment is due.
    assert pks(selectors.outcomes_due(officer, now=dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC))) == [
        ten_am.pk
    ]
    # 08:30 UTC is 09:30 in London: not yet.
    assert pks(selectors.outcomes_due(officer, now=dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC))) == []


def test_upcoming_custody_visits_and_releases_are_the_teams_within_four_weeks():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    today = dt.date(2026, 11, 18)
    soon = appointment(
        world.nominal, today + dt.timedelta(days=3), 10, officer, kind=Contact.Kind.CUSTODY_VISIT
    )
    appointment(world.nominal, today + dt.timedelta(days=40), 10, officer, kind=Contact.Kind.CUSTODY_VISIT)
    appointment(world.nominal, today + dt.timedelta(days=3), 11, officer, kind=Contact.Kind.OFFICE)
    appointment(world.other_nominal, today + dt.timedelta(days=3), 12, kind=Contact.Kind.CUSTODY_VISIT)
    assert pks(selectors.upcoming_custody_visits(officer, today=today)) == [soon.pk]

    leaving = NominalFactory.create(
        team=world.own_team, in_custody=True, conditional_release_date=today + dt.timedelta(days=10)
    )
    NominalFactory.create(
        team=world.own_team, in_custody=True, conditional_release_date=today + dt.timedelta(days=60)
    )
    NominalFactory.create(
        team=world.other_team, in_custody=True, conditional_release_date=today + dt.timedelta(days=10)
    )
    assert list(selectors.upcoming_releases(officer, today=today)) == [leaving]


def test_team_staff_and_diary_staff_are_the_active_staff_of_the_teams():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Alex Ash")
    worker = member(Role.SUPPORT_WORKER, team=world.own_team, full_name="Bo Birch")
    member(Role.SUPPORT_WORKER, team=world.own_team, is_active=False)
    member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
    member(Role.PARTNER)
    assert set(selectors.team_staff(world.nominal)) == {officer, worker}
    assert selectors.diary_staff(officer) == [officer, worker]


# One person's contacts ----------------------------------------------------------------------------------


def test_contacts_for_are_the_held_ones_newest_first():
    world = build_world()
    older = ContactFactory.create(nominal=world.nominal, date=dt.date(2026, 11, 2), time=dt.time(15, 0))
    same_day_early = ContactFactory.create(
        nominal=world.nominal, date=dt.date(2026, 11, 9), time=dt.time(9, 0)
    )
    same_day_late = ContactFactory.create(
        nominal=world.nominal, date=dt.date(2026, 11, 9), time=dt.time(16, 0)
    )
    same_time = ContactFactory.create(nominal=world.nominal, date=dt.date(2026, 11, 9), time=dt.time(16, 0))
    ContactFactory.create(nominal=world.nominal, date=dt.date(2026, 11, 25), outcome="")  # planned
    ContactFactory.create(nominal=world.other_nominal, date=dt.date(2026, 11, 9))
    assert pks(selectors.contacts_for(world.nominal)) == [
        same_time.pk,
        same_day_late.pk,
        same_day_early.pk,
        older.pk,
    ]


def test_planned_for_are_the_appointments_without_an_outcome_soonest_first():
    world = build_world()
    later = ContactFactory.create(nominal=world.nominal, date=dt.date(2026, 12, 2), outcome="")
    sooner = ContactFactory.create(nominal=world.nominal, date=dt.date(2026, 11, 10), outcome="")
    ContactFactory.create(nominal=world.nominal, date=dt.date(2026, 11, 9))
    assert pks(selectors.planned_for(world.nominal)) == [sooner.pk, later.pk]


def test_a_contact_is_opened_with_its_person_and_the_consultation_is_audited(django_assert_num_queries):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    contact = appointment(world.nominal, MONDAY, 9, officer, colleague, outcome=Outcome.ATTENDED_COMPLIED)
    # contact's person, memberships, person, audit insert, contact with its series and staff, attendance
    with django_assert_num_queries(6):
        opened = selectors.get_contact_for_user(user=officer, contact_id=contact.pk, page="contact-detail")
        names = {a.user.full_name for a in opened.attendance.all()}
        assert opened.nominal.team_id == world.own_team.pk
    assert names == {officer.full_name, colleague.full_name}
    entry = AuditEvent.objects.get()
    assert (entry.action, entry.actor, entry.nominal_id, entry.detail) == (
        "nominal.viewed",
        officer,
        world.nominal.pk,
        {"page": "contact-detail"},
    )


def test_another_teams_contact_is_not_found_and_the_attempt_is_logged():
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    theirs = ContactFactory.create(nominal=world.other_nominal)
    with pytest.raises(Http404):
        selectors.get_contact_for_user(user=officer, contact_id=theirs.pk, page="contact-detail")
    entry = AuditEvent.objects.get()
    assert (entry.action, entry.nominal_id) == ("nominal.access_denied", world.other_nominal.pk)
    with pytest.raises(Http404):
        selectors.get_contact_for_user(user=officer, contact_id=theirs.pk + 1000, page="contact-detail")
    assert AuditEvent.objects.count() == 1  # no such contact: nothing to log


@pytest.mark.parametrize(
    ("role", "readable"),
    [
        (Role.POLICE_OFFENDER_MANAGER, True),
        (Role.PROBATION_PRACTITIONER, False),
        (Role.SUPPORT_WORKER, False),
        (Role.MANAGER, False),  # a manager without a police force
    ],
)
def test_a_police_intelligence_note_is_readable_by_police_only(role, readable):
    world = build_world()
    user = member(role, team=world.own_team)
    police_note = ContactFactory.create(nominal=world.nominal, sensitivity="police")
    team_note = ContactFactory.create(nominal=world.nominal, sensitivity="team")
    assert selectors.note_is_readable(user, police_note) is readable
    assert selectors.note_is_readable(user, team_note)
    assert not selectors.note_is_readable(member(role, team=world.other_team), team_note)
