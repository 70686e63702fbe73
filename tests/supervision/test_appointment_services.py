"""Planning appointments and series, moving and cancelling them, and recording what happened.

The clock is fixed at Wednesday 18 November 2026, 14:00 in London, unless a test moves it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cohorts.models import TimelineEvent
from iom.core.models import AuditEvent, Role
from supervision import services
from supervision.models import AppointmentSeries, Contact, ContactAttendee, EnforcementAction, Outcome
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment.astimezone(dt.UTC)

    def set(self, year: int, month: int, day: int, hour: int, minute: int) -> None:
        self.moment = dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def clock(monkeypatch):
    """Services read the clock through django.utils.timezone; fix it so no test depends on the hour."""
    fixed = Clock(dt.datetime(2026, 11, 18, 14, 0, tzinfo=LONDON))
    monkeypatch.setattr(timezone, "now", fixed)
    return fixed


def rows() -> tuple[int, int, int, int, int]:
    return (
        Contact.objects.count(),
        ContactAttendee.objects.count(),
        AppointmentSeries.objects.count(),
        TimelineEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def nov(day: int) -> dt.date:
    return dt.date(2026, 11, day)


def dec(day: int) -> dt.date:
    return dt.date(2026, 12, day)


def plan(actor, nominal, **kwargs) -> Contact:
    kwargs.setdefault("kind", Contact.Kind.OFFICE)
    kwargs.setdefault("purpose", Contact.Purpose.MONITORING)
    kwargs.setdefault("date", nov(20))
    kwargs.setdefault("time", dt.time(10, 0))
    return services.plan_appointment(actor=actor, nominal=nominal, **kwargs)


def series(actor, nominal, **kwargs) -> AppointmentSeries:
    kwargs.setdefault("kind", Contact.Kind.OFFICE)
    kwargs.setdefault("purpose", Contact.Purpose.MONITORING)
    kwargs.setdefault("weekdays", [MON, WED, FRI])
    kwargs.setdefault("time", dt.time(10, 0))
    kwargs.setdefault("starts_on", nov(23))
    kwargs.setdefault("weeks", 4)
    return services.plan_series(actor=actor, nominal=nominal, **kwargs)


def appointments_of(planned: AppointmentSeries) -> list[Contact]:
    return list(planned.appointments.order_by("date", "time"))


# Planning one appointment -------------------------------------------------------------------------


def test_planning_an_appointment_records_it_without_an_outcome_and_audits_it(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    appointment = plan(
        officer,
        world.nominal,
        kind=Contact.Kind.JOINT_VISIT,
        location="  Home address ",
        attendee_ids=[officer.pk, practitioner.pk],
    )
    appointment.refresh_from_db()
    assert (appointment.date, appointment.time, appointment.outcome, appointment.location) == (
        nov(20),
        dt.time(10, 0),
        "",
        "Home address",
    )
    assert appointment.is_planned
    assert set(appointment.attendance.values_list("user_id", flat=True)) == {officer.pk, practitioner.pk}
    entry = AuditEvent.objects.get()
    assert (entry.action, entry.actor, entry.nominal_id, entry.detail) == (
        "appointment.planned",
        officer,
        world.nominal.pk,
        {"kind": "joint_visit", "date": "2026-11-20", "time": "10:00"},
    )
    # Only what happened goes on the timeline.
    assert not TimelineEvent.objects.exists()


def test_the_planner_attends_unless_told_otherwise(clock):
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    assert list(plan(worker, world.nominal).attendees.all()) == [worker]


@pytest.mark.parametrize(
    ("date", "time", "message"),
    [
        (nov(18), dt.time(13, 59), "An appointment must be planned for a time that has not passed yet"),
        (nov(17), dt.time(16, 0), "An appointment must be planned for a time that has not passed yet"),
        (dt.date(2027, 12, 1), dt.time(10, 0), "An appointment must be within the next year"),
    ],
)
def test_an_appointment_in_the_past_or_too_far_ahead_is_refused(clock, date, time, message):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        plan(officer, world.nominal, date=date, time=time)
    assert refused.value.message_dict == {"date": [message]}
    assert rows() == (0, 0, 0, 0, 0)
    assert plan(officer, world.nominal, date=nov(18), time=dt.time(14, 0)).pk


def test_a_planned_joint_visit_needs_two_agencies(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError, match="at least two agencies"):
        plan(officer, world.nominal, kind=Contact.Kind.JOINT_VISIT)
    assert rows() == (0, 0, 0, 0, 0)


# Planning a series -----------------------------------------------------------------------------------


def test_three_a_week_for_four_weeks_is_twelve_appointments_on_the_right_days(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    planned = series(
        officer,
        world.nominal,
        kind=Contact.Kind.JOINT_VISIT,
        location="Probation office",
        attendee_ids=[officer.pk, practitioner.pk],
    )
    appointments = appointments_of(planned)
    assert [a.date for a in appointments] == [
        nov(23), nov(25), nov(27),
        nov(30), dec(2), dec(4),
        dec(7), dec(9), dec(11),
        dec(14), dec(16), dec(18),
    ]  # fmt: skip
    assert {(a.time, a.kind, a.location, a.outcome, a.duration_minutes) for a in appointments} == {
        (dt.time(10, 0), "joint_visit", "Probation office", "", 60)
    }
    assert (planned.weekdays, planned.starts_on, planned.ends_on) == ("024", nov(23), dec(18))
    assert planned.weekday_names() == "Monday, Wednesday, Friday"
    for appointment in appointments:
        assert set(appointment.attendance.values_list("user_id", "organisation_id")) == {
            (officer.pk, officer.organisation_id),
            (practitioner.pk, practitioner.organisation_id),
        }
    entry = AuditEvent.objects.get()
    assert (entry.action, entry.detail) == (
        "appointment.series_planned",
        {"appointments": 12, "weekdays": "024", "from": "2026-11-23"},
    )


def test_a_series_starting_today_skips_a_time_already_passed(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    # Wednesday 18th at 10:00 has passed (it is 14:00); Friday 20th and Monday 23rd have not.
    planned = series(officer, world.nominal, starts_on=nov(18), weeks=1)
    assert [a.date for a in appointments_of(planned)] == [nov(20), nov(23)]
    later = series(officer, world.nominal, starts_on=nov(18), weeks=1, time=dt.time(15, 0))
    assert [a.date for a in appointments_of(later)] == [nov(18), nov(20), nov(23)]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [MON, 7]}, "weekdays"),
        ({"weekdays": [-1]}, "weekdays"),
        ({"weeks": 0}, "weeks"),
        ({"weeks": 27}, "weeks"),
        ({"starts_on": nov(17)}, "starts_on"),
        ({"starts_on": dt.date(2028, 1, 3)}, "starts_on"),
        ({"kind": "seance"}, "kind"),
        ({"purpose": ""}, "purpose"),
        ({"kind": Contact.Kind.JOINT_VISIT}, "attendees"),
    ],
)
def test_a_series_with_bad_input_is_refused_on_its_field_and_nothing_is_saved(clock, arguments, field):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        series(officer, world.nominal, **arguments)
    assert list(refused.value.message_dict) == [field]
    assert rows() == (0, 0, 0, 0, 0)


def test_a_series_of_26_weeks_is_the_longest(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    assert series(officer, world.nominal, weeks=26, weekdays=[TUE]).appointments.count() == 26
    with pytest.raises(ValidationError) as refused:
        series(officer, world.nominal, weeks=27, weekdays=[TUE])
    assert refused.value.message_dict == {"weeks": ["A series must last between 1 and 26 weeks"]}


# Moving ------------------------------------------------------------------------------------------------


def _series_with_a_held_one(clock):
    """A Monday, Wednesday, Friday series for four weeks with the fourth appointment (30 Nov) rescheduled."""
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    planned = series(officer, world.nominal)
    appointments = appointments_of(planned)
    services.record_outcome(actor=officer, appointment=appointments[3], outcome=Outcome.RESCHEDULED)
    return officer, planned, appointments


def test_moving_one_appointment_of_a_series_leaves_the_others(clock):
    officer, planned, appointments = _series_with_a_held_one(clock)
    moved = services.move_appointment(
        actor=officer, appointment=appointments[1], date=nov(26), time=dt.time(11, 0), reason="Court hearing"
    )
    assert [(a.pk, a.date, a.time) for a in moved] == [(appointments[1].pk, nov(26), dt.time(11, 0))]
    after = appointments_of(planned)
    assert [(a.date, a.time) for a in after if a.pk != appointments[1].pk] == [
        (a.date, a.time) for a in appointments if a.pk != appointments[1].pk
    ]
    entry = AuditEvent.objects.filter(action="appointment.moved").get()
    assert entry.detail == {"appointments": 1, "to": "2026-11-26", "time": "11:00", "reason": "Court hearing"}


def test_moving_the_rest_of_a_series_shifts_only_the_later_planned_ones(clock):
    officer, planned, appointments = _series_with_a_held_one(clock)
    # Wednesday 25th at 10:00 to Thursday 26th at 11:30: one day later, at the new time.
    moved = services.move_appointment(
        actor=officer,
        appointment=appointments[1],
        date=nov(26),
        time=dt.time(11, 30),
        reason="Worker's days changed",
        rest_of_series=True,
    )
    assert len(moved) == 10  # the 2nd and 3rd, and the 5th to 12th
    after = {a.pk: a for a in Contact.objects.filter(series=planned)}
    first, held = after[appointments[0].pk], after[appointments[3].pk]
    assert (first.date, first.time) == (nov(23), dt.time(10, 0))
    assert (held.date, held.time, held.outcome) == (nov(30), dt.time(10, 0), "rescheduled")
    for before in appointments[1:3] + appointments[4:]:
        assert (after[before.pk].date, after[before.pk].time) == (
            before.date + dt.timedelta(days=1),
            dt.time(11, 30),
        )
    assert AuditEvent.objects.get(action="appointment.moved").detail["appointments"] == 10


def test_moving_needs_a_reason_and_a_time_to_come(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal)
    with pytest.raises(ValidationError) as refused:
        services.move_appointment(
            actor=officer, appointment=appointment, date=nov(21), time=dt.time(9), reason=" "
        )
    assert refused.value.message_dict == {"reason": ["Enter why the appointment is moving"]}
    with pytest.raises(ValidationError) as refused:
        services.move_appointment(
            actor=officer, appointment=appointment, date=nov(18), time=dt.time(9), reason="Earlier"
        )
    assert list(refused.value.message_dict) == ["date"]
    appointment.refresh_from_db()
    assert (appointment.date, appointment.time) == (nov(20), dt.time(10, 0))


def test_an_appointment_with_an_outcome_cannot_be_moved_or_cancelled(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal)
    services.record_outcome(actor=officer, appointment=appointment, outcome=Outcome.RESCHEDULED)
    appointment.refresh_from_db()
    with pytest.raises(ValidationError, match="already has an outcome"):
        services.move_appointment(
            actor=officer, appointment=appointment, date=nov(21), time=dt.time(9), reason="Later"
        )
    with pytest.raises(ValidationError, match="already has an outcome"):
        services.cancel_appointment(actor=officer, appointment=appointment, reason="Not needed")


def test_a_copy_fetched_before_an_outcome_was_recorded_cannot_overwrite_it(clock):
    """Two workers open the same appointment; one records the outcome, then the other cancels."""
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal)
    stale = Contact.objects.get(pk=appointment.pk)
    services.record_outcome(actor=officer, appointment=appointment, outcome=Outcome.RESCHEDULED)
    with pytest.raises(ValidationError, match="already has an outcome"):
        services.cancel_appointment(actor=officer, appointment=stale, reason="Not needed")
    with pytest.raises(ValidationError, match="already has an outcome"):
        services.move_appointment(
            actor=officer, appointment=stale, date=nov(21), time=dt.time(9), reason="Later"
        )
    appointment.refresh_from_db()
    assert (appointment.outcome, appointment.date) == ("rescheduled", nov(20))


# Cancelling --------------------------------------------------------------------------------------------


def test_cancelling_one_appointment_keeps_it_with_that_outcome_and_one_timeline_event(clock):
    officer, planned, appointments = _series_with_a_held_one(clock)
    events_before = TimelineEvent.objects.count()
    cancelled = services.cancel_appointment(
        actor=officer, appointment=appointments[1], reason="  Office closed for training  "
    )
    assert [a.pk for a in cancelled] == [appointments[1].pk]
    after = Contact.objects.get(pk=appointments[1].pk)
    assert (after.outcome, after.notes, after.outcome_recorded_by) == (
        "cancelled_by_service",
        "Office closed for training",
        officer,
    )
    assert Contact.objects.filter(series=planned, outcome="").count() == 10
    assert TimelineEvent.objects.count() == events_before + 1
    event = TimelineEvent.objects.get(source_id=appointments[1].pk)
    assert (event.kind, event.occurred_on, event.summary, event.body) == (
        "contact",
        nov(18),
        "Office appointment on 25/11/2026 cancelled",
        "Office closed for training",
    )
    assert AuditEvent.objects.get(action="appointment.cancelled").detail == {
        "appointments": 1,
        "reason": "Office closed for training",
    }


def test_cancelling_the_rest_of_a_series_cancels_the_later_planned_ones_with_one_timeline_event(clock):
    officer, planned, appointments = _series_with_a_held_one(clock)
    events_before = TimelineEvent.objects.count()
    cancelled = services.cancel_appointment(
        actor=officer, appointment=appointments[1], reason="Moved to Flex", rest_of_series=True
    )
    assert len(cancelled) == 10
    outcomes = dict(Contact.objects.filter(series=planned).values_list("pk", "outcome"))
    assert outcomes[appointments[0].pk] == ""
    assert outcomes[appointments[3].pk] == "rescheduled"
    assert {outcomes[a.pk] for a in appointments[1:3] + appointments[4:]} == {"cancelled_by_service"}
    assert TimelineEvent.objects.count() == events_before + 1
    assert (
        TimelineEvent.objects.latest("id").summary
        == "Office appointment: 10 appointments cancelled from 25/11/2026"
    )


def test_cancelling_needs_a_reason(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal)
    before = rows()
    with pytest.raises(ValidationError) as refused:
        services.cancel_appointment(actor=officer, appointment=appointment, reason="   ")
    assert refused.value.message_dict == {"reason": ["Enter why the appointment is cancelled"]}
    assert rows() == before
    assert Contact.objects.get().is_planned


# Recording the outcome ---------------------------------------------------------------------------------


def test_attendance_can_only_be_recorded_once_the_appointment_has_started(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal, date=nov(18), time=dt.time(15, 0))
    for outcome in (Outcome.ATTENDED_COMPLIED, Outcome.UNACCEPTABLE_ABSENCE):
        with pytest.raises(ValidationError) as refused:
            services.record_outcome(actor=officer, appointment=appointment, outcome=outcome)
        assert refused.value.message_dict == {
            "outcome": [
                "This appointment has not started yet: record attendance once it has, or move or cancel it"
            ]
        }
    assert not TimelineEvent.objects.exists()
    clock.set(2026, 11, 18, 15, 0)
    held = services.record_outcome(
        actor=officer,
        appointment=appointment,
        outcome=Outcome.ATTENDED_FAILED,
        notes="  Refused a drug test ",
    )
    assert (held.outcome, held.notes, held.outcome_recorded_by) == (
        "attended_failed",
        "Refused a drug test",
        officer,
    )
    assert not held.is_planned
    event = TimelineEvent.objects.get()
    assert (event.summary, event.body, event.source_id) == (
        "Office appointment: attended and failed to comply",
        "Refused a drug test",
        appointment.pk,
    )
    assert AuditEvent.objects.filter(action="contact.outcome_recorded").count() == 1


def test_the_start_time_is_london_time_in_summer(clock):
    clock.set(2026, 6, 30, 9, 0)
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal, date=dt.date(2026, 7, 1), time=dt.time(10, 0))
    clock.set(2026, 7, 1, 9, 59)  # 08:59 UTC
    with pytest.raises(ValidationError, match="has not started yet"):
        services.record_outcome(actor=officer, appointment=appointment, outcome=Outcome.ATTENDED_COMPLIED)
    clock.set(2026, 7, 1, 10, 1)  # 09:01 UTC: before 10:00 UTC, after 10:00 in London
    held = services.record_outcome(actor=officer, appointment=appointment, outcome=Outcome.ATTENDED_COMPLIED)
    assert held.outcome == "attended_complied"


@pytest.mark.parametrize("outcome", [Outcome.RESCHEDULED, Outcome.CANCELLED_BY_SERVICE])
def test_an_appointment_that_will_not_go_ahead_may_be_recorded_before_its_time(clock, outcome):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal, date=dec(1))
    assert services.record_outcome(actor=officer, appointment=appointment, outcome=outcome).outcome == outcome


def test_a_second_outcome_is_refused(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal)
    clock.set(2026, 11, 20, 11, 0)
    services.record_outcome(actor=officer, appointment=appointment, outcome=Outcome.ATTENDED_COMPLIED)
    before = rows()
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(actor=officer, appointment=appointment, outcome=Outcome.UNACCEPTABLE_ABSENCE)
    assert refused.value.messages == [
        "This appointment already has an outcome, so it can no longer be changed"
    ]
    assert rows() == before
    assert Contact.objects.get().outcome == "attended_complied"


def test_recording_the_outcome_can_say_who_attended(clock):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    outsider = member(Role.PROBATION_PRACTITIONER, team=world.other_team)
    appointment = plan(
        officer, world.nominal, kind=Contact.Kind.JOINT_VISIT, attendee_ids=[officer.pk, practitioner.pk]
    )
    clock.set(2026, 11, 20, 11, 0)
    with pytest.raises(ValidationError, match="at least two agencies"):
        services.record_outcome(
            actor=officer,
            appointment=appointment,
            outcome=Outcome.ATTENDED_COMPLIED,
            attendee_ids=[officer.pk],
        )
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(
            actor=officer,
            appointment=appointment,
            outcome=Outcome.ATTENDED_COMPLIED,
            attendee_ids=[officer.pk, outsider.pk],
        )
    assert list(refused.value.message_dict) == ["attendees"]
    assert set(appointment.attendance.values_list("user_id", flat=True)) == {officer.pk, practitioner.pk}
    second_officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    services.record_outcome(
        actor=officer,
        appointment=appointment,
        outcome=Outcome.ATTENDED_COMPLIED,
        attendee_ids=[second_officer.pk, practitioner.pk],
    )
    assert set(appointment.attendance.values_list("user_id", flat=True)) == {
        second_officer.pk,
        practitioner.pk,
    }


def test_a_probation_practitioner_cannot_record_a_police_intelligence_outcome_note(clock):
    world = build_world()
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    appointment = plan(practitioner, world.nominal)
    clock.set(2026, 11, 20, 11, 0)
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(
            actor=practitioner,
            appointment=appointment,
            outcome=Outcome.ATTENDED_COMPLIED,
            notes="Intelligence",
            sensitivity="police",
        )
    assert list(refused.value.message_dict) == ["sensitivity"]
    assert Contact.objects.get().is_planned


# Every service refuses someone outside the team ------------------------------------------------------


def _call(name, actor, world, appointment):
    nominal = world.nominal
    calls = {
        "log_contact": lambda: services.log_contact(
            actor=actor, nominal=nominal, kind="office", outcome="attended_complied", purpose="monitoring"
        ),
        "plan_appointment": lambda: plan(actor, nominal),
        "plan_series": lambda: series(actor, nominal),
        "move_appointment": lambda: services.move_appointment(
            actor=actor, appointment=appointment, date=nov(21), time=dt.time(9), reason="Later"
        ),
        "cancel_appointment": lambda: services.cancel_appointment(
            actor=actor, appointment=appointment, reason="Not needed"
        ),
        "record_outcome": lambda: services.record_outcome(
            actor=actor, appointment=appointment, outcome=Outcome.RESCHEDULED
        ),
        "set_contact_standard": lambda: services.set_contact_standard(
            actor=actor, nominal=nominal, contacts_per_week=2, reason="Agreed"
        ),
        "record_enforcement_action": lambda: services.record_enforcement_action(
            actor=actor,
            nominal=nominal,
            kind=EnforcementAction.Kind.FIRST_WARNING,
            reason="Missed appointments",
            decided_on=nov(18),
        ),
    }
    return calls[name]()


SERVICES = [
    "log_contact",
    "plan_appointment",
    "plan_series",
    "move_appointment",
    "cancel_appointment",
    "record_outcome",
    "set_contact_standard",
    "record_enforcement_action",
]


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize(
    "outsider_role", [Role.POLICE_OFFENDER_MANAGER, Role.MANAGER, Role.REGIONAL_LEAD, Role.PARTNER]
)
def test_every_service_refuses_someone_outside_the_team_and_writes_nothing(clock, name, outsider_role):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    appointment = plan(officer, world.nominal)
    if outsider_role == Role.REGIONAL_LEAD:
        outsider = member(outsider_role, region=world.region)
    elif outsider_role == Role.PARTNER:
        outsider = member(outsider_role)
    else:
        outsider = member(outsider_role, team=world.other_team)
    before = rows()
    with pytest.raises(PermissionDenied):
        _call(name, outsider, world, appointment)
    assert rows() == before
    assert Contact.objects.get(pk=appointment.pk).is_planned


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_works_for_the_case_team(clock, name):
    """The other side of the refusals above: the same call succeeds for the person's officer."""
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    world.nominal.police_offender_manager = officer
    world.nominal.save()
    appointment = plan(officer, world.nominal)
    assert _call(name, officer, world, appointment)
