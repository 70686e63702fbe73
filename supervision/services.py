"""Every write about supervision: contacts, appointments and series, standards, enforcement.

Each function checks access, writes, adds its timeline event and its audit row in one
transaction, and says what went wrong in words a worker can act on.
"""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import Nominal, TimelineEvent
from cohorts.services import add_timeline_event
from iom.core import access, audit
from iom.core.models import TEAM_ROLES, User
from supervision.models import (
    NOTE_MAX_LENGTH,
    AppointmentSeries,
    Contact,
    ContactAttendee,
    ContactStandard,
    EnforcementAction,
    Kind,
    Outcome,
    Sensitivity,
)

# Contacts are logged as they happen; a late entry older than this is a data-quality problem.
OLDEST_LOGGABLE = dt.timedelta(days=366)
# Appointments are planned a few months ahead at most; a series beyond this is a typing slip.
FURTHEST_PLANNABLE = dt.timedelta(days=366)
LONGEST_SERIES_WEEKS = 26
# The table's check constraint on ContactStandard.contacts_per_week.
MOST_CONTACTS_A_WEEK = 21
# Outcomes that say the appointment did not go ahead, and so may be recorded before its time.
NOT_HELD = frozenset({Outcome.RESCHEDULED, Outcome.CANCELLED_BY_SERVICE})


def _check_attendees(*, nominal: Nominal, kind: str, attendee_ids: Iterable[int]) -> list[ContactAttendee]:
    """Attendees are staff of the person's team; a joint visit needs two agencies."""
    ids = set(attendee_ids)
    if not ids:
        raise ValidationError({"attendees": "Select at least one member of staff who attended"})
    staff = list(
        User.objects.filter(
            pk__in=ids,
            is_active=True,
            memberships__team_id=nominal.team_id,
            memberships__role__in=TEAM_ROLES,
        )
        .distinct()
        .select_related("organisation")
    )
    if len(staff) != len(ids):
        raise ValidationError({"attendees": "Attendees must be staff of this person's IOM team"})
    agencies = {user.organisation_id for user in staff if user.organisation_id is not None}
    if kind == Kind.JOINT_VISIT and len(agencies) < 2:
        raise ValidationError(
            {
                "attendees": "A joint visit needs staff from at least two agencies, "
                "such as police and probation"
            }
        )
    return [ContactAttendee(user=user, organisation_id=user.organisation_id) for user in staff]


def _check_sensitivity(actor: User, nominal: Nominal, sensitivity: str) -> None:
    if sensitivity == Sensitivity.POLICE and not access.sees_police_intelligence(actor, nominal):
        raise ValidationError(
            {
                "sensitivity": "Only police in this team can record police intelligence; "
                "choose who may read the note"
            }
        )


def _check_notes(notes: str, *, field: str = "notes", label: str = "Notes") -> str:
    """A TextField's max_length is enforced only by forms, so the service checks it too."""
    notes = notes.strip()
    if len(notes) > NOTE_MAX_LENGTH:
        raise ValidationError({field: f"{label} must be {NOTE_MAX_LENGTH:,} characters or fewer"})
    return notes


def _add_contact_event(contact: Contact, actor: User) -> None:
    """The contact on the timeline. A police intelligence note stays on the contact itself, where
    only police may open it; the event shows that the contact happened."""
    if contact.sensitivity == Sensitivity.POLICE:
        summary, body, visibility = f"{contact.summary()} (police intelligence note)", "", Sensitivity.TEAM
    else:
        summary, body, visibility = contact.summary(), contact.notes, Sensitivity(contact.sensitivity)
    add_timeline_event(
        nominal=contact.nominal,
        kind=TimelineEvent.Kind.CONTACT,
        occurred_on=contact.date,
        summary=summary,
        body=body,
        visibility=visibility,
        source=contact,
        recorded_by=actor,
    )


def _check_logged_date(date: dt.date, time: dt.time) -> None:
    now = timezone.localtime()
    if date > now.date():
        raise ValidationError({"date": "Date of contact must be today or in the past"})
    if date == now.date() and time > now.time():
        raise ValidationError(
            {"time": "Time of contact must be now or earlier; plan an appointment for later"}
        )
    if date < now.date() - OLDEST_LOGGABLE:
        raise ValidationError({"date": "Date of contact must be within the last year"})


def log_contact(
    *,
    actor: User,
    nominal: Nominal,
    kind: str,
    outcome: str,
    purpose: str,
    date: dt.date | None = None,
    time: dt.time | None = None,
    duration_minutes: int = 30,
    location: str = "",
    notes: str = "",
    sensitivity: str = Sensitivity.TEAM,
    attendee_ids: Iterable[int] | None = None,
    submission_id: uuid.UUID | None = None,
) -> Contact:
    """Record a contact that has happened. Submitting the same form twice (the same
    `submission_id`) returns the first contact and records nothing more."""
    access.require_log_contact(actor, nominal)
    if submission_id is not None and (earlier := _earlier_submission(submission_id, nominal)) is not None:
        return earlier
    try:
        return _log_contact(
            actor=actor,
            nominal=nominal,
            kind=kind,
            outcome=outcome,
            purpose=purpose,
            date=date,
            time=time,
            duration_minutes=duration_minutes,
            location=location,
            notes=notes,
            sensitivity=sensitivity,
            attendee_ids=attendee_ids,
            submission_id=submission_id,
        )
    except IntegrityError:
        # Two submissions raced past the check above: the unique key let one through.
        if submission_id is None or (earlier := _earlier_submission(submission_id, nominal)) is None:
            raise
        return earlier


def _earlier_submission(submission_id: uuid.UUID, nominal: Nominal) -> Contact | None:
    earlier = Contact.objects.filter(submission_id=submission_id).first()
    if earlier is not None and earlier.nominal_id != nominal.pk:
        # A form's key belongs to one person's form; reusing it elsewhere is not a retry.
        raise ValidationError("This form has already been used. Open the form again to log another contact.")
    return earlier


@transaction.atomic
def _log_contact(
    *,
    actor: User,
    nominal: Nominal,
    kind: str,
    outcome: str,
    purpose: str,
    date: dt.date | None,
    time: dt.time | None,
    duration_minutes: int,
    location: str,
    notes: str,
    sensitivity: str,
    attendee_ids: Iterable[int] | None,
    submission_id: uuid.UUID | None,
) -> Contact:
    now = timezone.localtime()
    date = date or now.date()
    time = time or now.time().replace(second=0, microsecond=0)
    _check_logged_date(date, time)
    if not outcome:
        raise ValidationError({"outcome": "Select the outcome"})
    notes = _check_notes(notes)
    _check_sensitivity(actor, nominal, sensitivity)
    attendance = _check_attendees(
        nominal=nominal, kind=kind, attendee_ids=attendee_ids if attendee_ids is not None else [actor.pk]
    )
    contact = Contact(
        nominal=nominal,
        date=date,
        time=time,
        duration_minutes=duration_minutes,
        kind=kind,
        purpose=purpose,
        location=location.strip(),
        outcome=outcome,
        notes=notes,
        sensitivity=sensitivity,
        submission_id=submission_id,
        logged_by=actor,
        outcome_recorded_by=actor,
        outcome_recorded_at=timezone.now(),
    )
    contact.full_clean(validate_unique=False)
    contact.save()
    _save_attendance(contact, attendance)
    _add_contact_event(contact, actor)
    audit.record(
        actor=actor,
        action="contact.logged",
        target=contact,
        nominal_id=nominal.pk,
        detail={"kind": kind, "outcome": outcome, "purpose": purpose, "sensitivity": sensitivity},
    )
    return contact


def _save_attendance(contact: Contact, attendance: list[ContactAttendee]) -> None:
    for row in attendance:
        row.contact = contact
    ContactAttendee.objects.bulk_create(attendance)


def _check_planned_for(date: dt.date, time: dt.time, *, field: str = "date") -> None:
    now = timezone.localtime()
    if (date, time) < (now.date(), now.time()):
        raise ValidationError({field: "An appointment must be planned for a time that has not passed yet"})
    if date > now.date() + FURTHEST_PLANNABLE:
        raise ValidationError({field: "An appointment must be within the next year"})


@transaction.atomic
def plan_appointment(
    *,
    actor: User,
    nominal: Nominal,
    kind: str,
    purpose: str,
    date: dt.date,
    time: dt.time,
    duration_minutes: int = 60,
    location: str = "",
    attendee_ids: Iterable[int] | None = None,
) -> Contact:
    access.require_log_contact(actor, nominal)
    _check_planned_for(date, time)
    attendance = _check_attendees(
        nominal=nominal, kind=kind, attendee_ids=attendee_ids if attendee_ids is not None else [actor.pk]
    )
    appointment = Contact(
        nominal=nominal,
        date=date,
        time=time,
        duration_minutes=duration_minutes,
        kind=kind,
        purpose=purpose,
        location=location.strip(),
        logged_by=actor,
    )
    appointment.full_clean()
    appointment.save()
    _save_attendance(appointment, attendance)
    audit.record(
        actor=actor,
        action="appointment.planned",
        target=appointment,
        nominal_id=nominal.pk,
        detail={"kind": kind, "date": date.isoformat(), "time": time.isoformat(timespec="minutes")},
    )
    return appointment


def series_dates(*, starts_on: dt.date, weeks: int, weekdays: Iterable[int]) -> list[dt.date]:
    days = sorted(set(weekdays))
    return [
        day for offset in range(weeks * 7) if (day := starts_on + dt.timedelta(days=offset)).weekday() in days
    ]


@transaction.atomic
def plan_series(
    *,
    actor: User,
    nominal: Nominal,
    kind: str,
    purpose: str,
    weekdays: Iterable[int],
    time: dt.time,
    starts_on: dt.date,
    weeks: int,
    duration_minutes: int = 60,
    location: str = "",
    attendee_ids: Iterable[int] | None = None,
) -> AppointmentSeries:
    """A recurring schedule: one appointment on each chosen weekday for `weeks` weeks."""
    access.require_log_contact(actor, nominal)
    days = sorted(set(weekdays))
    if not days:
        raise ValidationError({"weekdays": "Select at least one day of the week"})
    if any(day not in range(7) for day in days):
        raise ValidationError({"weekdays": "Select days of the week from Monday to Sunday"})
    if not 1 <= weeks <= LONGEST_SERIES_WEEKS:
        raise ValidationError({"weeks": f"A series must last between 1 and {LONGEST_SERIES_WEEKS} weeks"})
    now = timezone.localtime()
    if starts_on < now.date():
        raise ValidationError({"starts_on": "The series must start today or later"})
    if starts_on > now.date() + FURTHEST_PLANNABLE:
        raise ValidationError({"starts_on": "The series must start within the next year"})
    dates = series_dates(starts_on=starts_on, weeks=weeks, weekdays=days)
    dates = [day for day in dates if (day, time) >= (now.date(), now.time())]
    if not dates:
        raise ValidationError({"weekdays": "None of the chosen days fall in the weeks of the series"})
    attendance = _check_attendees(
        nominal=nominal, kind=kind, attendee_ids=attendee_ids if attendee_ids is not None else [actor.pk]
    )
    series = AppointmentSeries(
        nominal=nominal,
        kind=kind,
        purpose=purpose,
        location=location.strip(),
        weekdays="".join(str(day) for day in days),
        time=time,
        duration_minutes=duration_minutes,
        starts_on=starts_on,
        ends_on=dates[-1],
        created_by=actor,
    )
    series.full_clean()
    series.save()
    appointments = Contact.objects.bulk_create(
        [
            Contact(
                nominal=nominal,
                series=series,
                date=day,
                time=time,
                duration_minutes=duration_minutes,
                kind=kind,
                purpose=purpose,
                location=series.location,
                logged_by=actor,
            )
            for day in dates
        ]
    )
    ContactAttendee.objects.bulk_create(
        [
            ContactAttendee(contact=appointment, user_id=row.user_id, organisation_id=row.organisation_id)
            for appointment in appointments
            for row in attendance
        ]
    )
    audit.record(
        actor=actor,
        action="appointment.series_planned",
        target=series,
        nominal_id=nominal.pk,
        detail={
            "appointments": len(appointments),
            "weekdays": series.weekdays,
            "from": starts_on.isoformat(),
        },
    )
    return series


def _require_planned(appointment: Contact) -> None:
    if not appointment.is_planned:
        raise ValidationError("This appointment already has an outcome, so it can no longer be changed")


def _require_still_planned(appointment: Contact) -> None:
    """Read the row again under a lock: the caller's copy may predate an outcome or a move recorded
    since, which writing from that copy would overwrite."""
    appointment.outcome, appointment.date, appointment.time = (
        Contact.objects.select_for_update()
        .filter(pk=appointment.pk)
        .values_list("outcome", "date", "time")
        .get()
    )
    _require_planned(appointment)


def _rest_of_series(appointment: Contact) -> list[Contact]:
    """This appointment and the later ones of its series that have no outcome yet."""
    if appointment.series_id is None:
        return [appointment]
    return list(
        Contact.objects.select_for_update()
        .filter(series_id=appointment.series_id, outcome="", date__gte=appointment.date)
        .exclude(date=appointment.date, time__lt=appointment.time)
        .order_by("date", "time")
    )


@transaction.atomic
def move_appointment(
    *,
    actor: User,
    appointment: Contact,
    date: dt.date,
    time: dt.time,
    reason: str,
    rest_of_series: bool = False,
) -> list[Contact]:
    """Move one appointment, or it and the rest of its series by the same shift."""
    access.require_log_contact(actor, appointment.nominal)
    _require_still_planned(appointment)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the appointment is moving"})
    _check_planned_for(date, time)
    shift = date - appointment.date
    moving = _rest_of_series(appointment) if rest_of_series else [appointment]
    now = timezone.now()
    for each in moving:
        each.date = each.date + shift
        each.time = time
        each.updated_at = now
    Contact.objects.bulk_update(moving, ["date", "time", "updated_at"])
    audit.record(
        actor=actor,
        action="appointment.moved",
        target=appointment,
        nominal_id=appointment.nominal_id,
        detail={
            "appointments": len(moving),
            "to": date.isoformat(),
            "time": time.isoformat(timespec="minutes"),
            "reason": reason.strip(),
        },
    )
    return moving


@transaction.atomic
def cancel_appointment(
    *, actor: User, appointment: Contact, reason: str, rest_of_series: bool = False
) -> list[Contact]:
    """Cancelled by the service: kept, with that outcome, so the diary and the record show it."""
    access.require_log_contact(actor, appointment.nominal)
    _require_still_planned(appointment)
    reason = _check_notes(reason, field="reason", label="The reason")
    if not reason:
        raise ValidationError({"reason": "Enter why the appointment is cancelled"})
    cancelling = _rest_of_series(appointment) if rest_of_series else [appointment]
    now = timezone.now()
    for each in cancelling:
        each.outcome = Outcome.CANCELLED_BY_SERVICE
        each.notes = reason
        each.outcome_recorded_by = actor
        each.outcome_recorded_at = now
        each.updated_at = now
    Contact.objects.bulk_update(
        cancelling, ["outcome", "notes", "outcome_recorded_by", "outcome_recorded_at", "updated_at"]
    )
    first = cancelling[0]
    what = (
        f"{first.get_kind_display()}: {len(cancelling)} appointments cancelled from {first.date:%d/%m/%Y}"
        if len(cancelling) > 1
        else f"{first.get_kind_display()} on {first.date:%d/%m/%Y} cancelled"
    )
    add_timeline_event(
        nominal=appointment.nominal,
        kind=TimelineEvent.Kind.CONTACT,
        occurred_on=timezone.localdate(),
        summary=what,
        body=reason,
        source=appointment,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="appointment.cancelled",
        target=appointment,
        nominal_id=appointment.nominal_id,
        detail={"appointments": len(cancelling), "reason": reason},
    )
    return cancelling


@transaction.atomic
def record_outcome(
    *,
    actor: User,
    appointment: Contact,
    outcome: str,
    notes: str = "",
    sensitivity: str = Sensitivity.TEAM,
    attendee_ids: Iterable[int] | None = None,
) -> Contact:
    """What happened at a planned appointment. Attendance can only be recorded once its time has come."""
    nominal = appointment.nominal
    access.require_log_contact(actor, nominal)
    appointment = Contact.objects.select_for_update().get(pk=appointment.pk)
    _require_planned(appointment)
    if not outcome:
        raise ValidationError({"outcome": "Select the outcome"})
    if outcome not in NOT_HELD and appointment.starts > timezone.now():
        raise ValidationError(
            {
                "outcome": "This appointment has not started yet: "
                "record attendance once it has, or move or cancel it"
            }
        )
    notes = _check_notes(notes)
    _check_sensitivity(actor, nominal, sensitivity)
    if attendee_ids is not None:
        attendance = _check_attendees(nominal=nominal, kind=appointment.kind, attendee_ids=attendee_ids)
        appointment.attendance.all().delete()
        _save_attendance(appointment, attendance)
    elif appointment.kind == Kind.JOINT_VISIT:
        _check_attendees(
            nominal=nominal,
            kind=appointment.kind,
            attendee_ids=appointment.attendance.values_list("user_id", flat=True),
        )
    appointment.nominal = nominal
    appointment.outcome = outcome
    appointment.notes = notes
    appointment.sensitivity = sensitivity
    appointment.outcome_recorded_by = actor
    appointment.outcome_recorded_at = appointment.updated_at = timezone.now()
    appointment.full_clean(validate_unique=False)
    appointment.save()
    _add_contact_event(appointment, actor)
    audit.record(
        actor=actor,
        action="contact.outcome_recorded",
        target=appointment,
        nominal_id=nominal.pk,
        detail={"outcome": outcome, "sensitivity": sensitivity},
    )
    return appointment


@transaction.atomic
def set_contact_standard(
    *, actor: User, nominal: Nominal, contacts_per_week: int, reason: str, set_on: dt.date | None = None
) -> ContactStandard:
    """The case team sets a person's standard, always with a reason (Flex and Free have no default)."""
    access.require_edit_nominal(actor, nominal)
    set_on = set_on or timezone.localdate()
    if set_on > timezone.localdate():
        raise ValidationError({"set_on": "The date must be today or in the past"})
    if not 0 <= contacts_per_week <= MOST_CONTACTS_A_WEEK:
        # Say so in words: the table's check constraint would only name itself.
        raise ValidationError(
            {"contacts_per_week": f"Contacts a week must be from 0 to {MOST_CONTACTS_A_WEEK}"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for this contact standard"})
    standard = ContactStandard(
        nominal=nominal,
        contacts_per_week=contacts_per_week,
        reason=reason.strip(),
        set_on=set_on,
        set_by=actor,
    )
    standard.full_clean()
    standard.save()
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.RECORD,
        occurred_on=set_on,
        summary=f"Contact standard set to {contacts_per_week} a week",
        body=standard.reason,
        source=standard,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="contact_standard.set",
        target=standard,
        nominal_id=nominal.pk,
        detail={"contacts_per_week": contacts_per_week},
    )
    return standard


@transaction.atomic
def record_enforcement_action(
    *, actor: User, nominal: Nominal, kind: str, reason: str, decided_on: dt.date
) -> EnforcementAction:
    """A warning, a breach or recall referral, or a decision to take no further action."""
    access.require_edit_nominal(actor, nominal)
    today = timezone.localdate()
    if decided_on > today:
        raise ValidationError({"decided_on": "The date of the decision must be today or in the past"})
    if decided_on < today - OLDEST_LOGGABLE:
        raise ValidationError({"decided_on": "The date of the decision must be within the last year"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for this decision"})
    action = EnforcementAction(
        nominal=nominal, kind=kind, reason=reason.strip(), decided_on=decided_on, recorded_by=actor
    )
    action.full_clean()
    action.save()
    add_timeline_event(
        nominal=nominal,
        kind=TimelineEvent.Kind.ENFORCEMENT,
        occurred_on=decided_on,
        summary=action.get_kind_display(),
        body=action.reason,
        source=action,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="enforcement.recorded",
        target=action,
        nominal_id=nominal.pk,
        detail={"kind": kind},
    )
    return action
