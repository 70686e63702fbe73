import datetime as dt
import threading
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from cohorts.models import TimelineEvent
from iom.core import audit
from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, Organisation, Role
from supervision import services
from supervision.models import Contact, ContactAttendee
from supervision.services import log_contact
from tests.actors import build_world, member

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=LONDON)  # a Wednesday afternoon, GMT


@pytest.fixture
def now(monkeypatch):
    """Services read the clock through django.utils.timezone; fix it so no test depends on the hour."""
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    return NOW


def rows() -> tuple[int, int, int, int]:
    return (
        Contact.objects.count(),
        ContactAttendee.objects.count(),
        TimelineEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def log(actor, nominal, **kwargs):
    kwargs.setdefault("kind", Contact.Kind.OFFICE)
    kwargs.setdefault("purpose", Contact.Purpose.MONITORING)
    kwargs.setdefault("outcome", Contact.Outcome.ATTENDED_COMPLIED)
    return log_contact(actor=actor, nominal=nominal, **kwargs)


@pytest.mark.django_db
def test_it_records_the_contact_its_attendance_one_timeline_event_and_one_audit_row(now):
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    contact = log(
        worker,
        world.nominal,
        kind=Contact.Kind.HOME_VISIT,
        purpose=Contact.Purpose.PRACTICAL_SUPPORT,
        location="  Home address  ",
        notes="  Talked about the housing application.  ",
    )
    contact.refresh_from_db()
    # The date and time default to now, in London.
    assert (contact.date, contact.time) == (dt.date(2026, 11, 18), dt.time(14, 0))
    assert (contact.kind, contact.purpose, contact.outcome, contact.sensitivity) == (
        "home_visit",
        "practical_support",
        "attended_complied",
        "team",
    )
    assert (contact.location, contact.notes) == ("Home address", "Talked about the housing application.")
    assert (contact.logged_by, contact.outcome_recorded_by, contact.outcome_recorded_at) == (
        worker,
        worker,
        now,
    )
    assert [(a.user, a.organisation) for a in contact.attendance.all()] == [(worker, worker.organisation)]
    event = TimelineEvent.objects.get(nominal=world.nominal)
    assert (event.kind, event.occurred_on, event.summary, event.body, event.visibility) == (
        "contact",
        dt.date(2026, 11, 18),
        "Home visit: attended and complied",
        "Talked about the housing application.",
        "team",
    )
    assert (event.source_type.model, event.source_id, event.recorded_by) == ("contact", contact.pk, worker)
    entry = AuditEvent.objects.get()
    assert (entry.action, entry.actor, entry.nominal_id, entry.target_id) == (
        "contact.logged",
        worker,
        world.nominal.pk,
        str(contact.pk),
    )
    assert entry.detail == {
        "kind": "home_visit",
        "outcome": "attended_complied",
        "purpose": "practical_support",
        "sensitivity": "team",
    }
    assert rows() == (1, 1, 1, 1)


@pytest.mark.django_db
def test_just_after_midnight_in_summer_the_contact_is_dated_in_london_not_utc(monkeypatch):
    # 00:30 on 1 July in London is 23:30 on 30 June in UTC.
    moment = dt.datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    contact = log(worker, world.nominal)
    assert (contact.date, contact.time) == (dt.date(2026, 7, 1), dt.time(0, 30))
    assert TimelineEvent.objects.get().occurred_on == dt.date(2026, 7, 1)


@pytest.mark.django_db
def test_the_writes_are_one_transaction(now, monkeypatch):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)

    def audit_fails(**kwargs):
        raise RuntimeError("audit database unavailable")

    monkeypatch.setattr(audit, "record", audit_fails)
    with pytest.raises(RuntimeError):
        log(worker, world.nominal, notes="Seen at the office")
    assert rows() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_submitting_the_same_form_twice_records_one_contact(now):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    submission = uuid.uuid4()
    first = log(worker, world.nominal, notes="First click", submission_id=submission)
    second = log(worker, world.nominal, notes="Second click", submission_id=submission)
    assert second.pk == first.pk
    assert Contact.objects.get().notes == "First click"
    assert rows() == (1, 1, 1, 1)
    # A new form (a new key) is a new contact.
    log(worker, world.nominal, submission_id=uuid.uuid4())
    assert rows() == (2, 2, 2, 2)


@pytest.mark.django_db
def test_a_submission_that_loses_the_race_returns_the_winners_contact(now, monkeypatch):
    """The other request commits between this one's check for an earlier contact and its insert:
    the unique key refuses the insert, and this request answers with the contact that won."""
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    submission = uuid.uuid4()
    real = services._log_contact
    winner = []

    def other_request_commits_first(**kwargs):
        winner.append(real(**{**kwargs, "notes": "The other request"}))
        return real(**kwargs)

    monkeypatch.setattr(services, "_log_contact", other_request_commits_first)
    returned = log(worker, world.nominal, notes="This request", submission_id=submission)
    assert returned.pk == winner[0].pk
    assert Contact.objects.get().notes == "The other request"
    assert rows() == (1, 1, 1, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_racing_with_the_same_submission_record_one_contact(monkeypatch):
    """Two real connections pass the check for an earlier contact together, then both insert."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises whole transactions")
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    submission = uuid.uuid4()
    both_checked = threading.Barrier(2, timeout=10)
    real_check = services._check_logged_date

    def wait_for_the_other(date, time):
        both_checked.wait()  # both are past the check for an earlier contact
        real_check(date, time)

    monkeypatch.setattr(services, "_check_logged_date", wait_for_the_other)
    results: list[object] = []

    def submit(notes):
        try:
            results.append(log(worker, world.nominal, notes=notes, submission_id=submission))
        except Exception as error:  # pragma: no cover - reported by the assertion below
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(notes,)) for notes in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(isinstance(result, Contact) for result in results), results
    assert len({result.pk for result in results}) == 1  # type: ignore[attr-defined]
    assert rows() == (1, 1, 1, 1)


@pytest.mark.django_db
def test_a_future_date_is_refused(now):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        log(worker, world.nominal, date=dt.date(2026, 11, 19))
    assert refused.value.message_dict == {"date": ["Date of contact must be today or in the past"]}


@pytest.mark.django_db
def test_a_later_time_today_is_refused(now):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        log(worker, world.nominal, date=dt.date(2026, 11, 18), time=dt.time(14, 5))
    assert refused.value.message_dict == {
        "time": ["Time of contact must be now or earlier; plan an appointment for later"]
    }
    assert log(worker, world.nominal, date=dt.date(2026, 11, 18), time=dt.time(14, 0)).time == dt.time(14, 0)


@pytest.mark.django_db
def test_a_date_more_than_a_year_ago_is_refused(now):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        log(worker, world.nominal, date=dt.date(2025, 11, 1))
    assert refused.value.message_dict == {"date": ["Date of contact must be within the last year"]}
    assert log(worker, world.nominal, date=dt.date(2025, 11, 18), time=dt.time(9, 0)).pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("kind", "seance"), ("purpose", ""), ("purpose", "punishment"), ("outcome", "")]
)
def test_a_missing_or_unknown_choice_is_refused_on_its_field(now, field, value):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        log(worker, world.nominal, **{field: value})
    assert list(refused.value.message_dict) == [field]


@pytest.mark.django_db
def test_a_joint_visit_needs_staff_from_two_agencies(now):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    colleague = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)  # the same force
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        log(officer, world.nominal, kind=Contact.Kind.JOINT_VISIT, attendee_ids=[officer.pk, colleague.pk])
    assert refused.value.message_dict == {
        "attendees": ["A joint visit needs staff from at least two agencies, such as police and probation"]
    }
    with pytest.raises(ValidationError, match="two agencies"):
        log(officer, world.nominal, kind=Contact.Kind.JOINT_VISIT)  # the actor alone
    contact = log(
        officer, world.nominal, kind=Contact.Kind.JOINT_VISIT, attendee_ids=[officer.pk, practitioner.pk]
    )
    assert {(a.user_id, a.organisation.kind) for a in contact.attendance.select_related("organisation")} == {
        (officer.pk, Organisation.Kind.POLICE_FORCE),
        (practitioner.pk, Organisation.Kind.PROBATION_DELIVERY_UNIT),
    }


@pytest.mark.django_db
def test_the_attendance_keeps_the_agency_a_worker_attended_for(now):
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    contact = log(worker, world.nominal)
    worker.organisation = OrganisationFactory.create(name="A later employer")
    worker.save()
    assert contact.attendance.get().organisation.name == "Northshire Support Services"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other team", "partner", "nobody"])
def test_attendees_must_be_staff_of_the_persons_team(now, who):
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    if who == "other team":
        attendee_ids = [worker.pk, member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team).pk]
    elif who == "partner":
        attendee_ids = [worker.pk, member(Role.PARTNER).pk]
    else:
        attendee_ids = []
    with pytest.raises(ValidationError) as refused:
        log(worker, world.nominal, attendee_ids=attendee_ids)
    assert list(refused.value.message_dict) == ["attendees"]


@pytest.mark.django_db
def test_a_deactivated_colleague_cannot_be_recorded_as_attending(now):
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    gone = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, is_active=False)
    with pytest.raises(ValidationError, match="staff of this person's IOM team"):
        log(worker, world.nominal, attendee_ids=[worker.pk, gone.pk])


def police_force(name="Northshire Police"):
    return OrganisationFactory.create(name=name, kind=Organisation.Kind.POLICE_FORCE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "organisation_kind", "allowed"),
    [
        (Role.POLICE_OFFENDER_MANAGER, Organisation.Kind.POLICE_FORCE, True),
        (Role.MANAGER, Organisation.Kind.POLICE_FORCE, True),
        (Role.MANAGER, Organisation.Kind.PROBATION_DELIVERY_UNIT, False),
        (Role.PROBATION_PRACTITIONER, Organisation.Kind.PROBATION_DELIVERY_UNIT, False),
        (Role.SUPPORT_WORKER, Organisation.Kind.VOLUNTARY_COMMUNITY, False),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, Organisation.Kind.VOLUNTARY_COMMUNITY, False),
    ],
)
def test_only_police_in_the_team_record_police_intelligence(now, role, organisation_kind, allowed):
    world = build_world()
    organisation = OrganisationFactory.create(name=f"An {organisation_kind}", kind=organisation_kind)
    author = member(role, team=world.own_team, organisation=organisation)
    if allowed:
        contact = log(author, world.nominal, notes="Associating with known burglars", sensitivity="police")
        assert contact.sensitivity == "police"
    else:
        before = rows()
        with pytest.raises(ValidationError) as refused:
            log(author, world.nominal, notes="Associating with known burglars", sensitivity="police")
        assert list(refused.value.message_dict) == ["sensitivity"]
        assert rows() == before


@pytest.mark.django_db
def test_a_police_notes_timeline_event_shows_the_contact_but_not_the_note(now):
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    contact = log(officer, world.nominal, notes="Seen with a known handler", sensitivity="police")
    assert Contact.objects.get().notes == "Seen with a known handler"
    event = TimelineEvent.objects.get(source_id=contact.pk)
    assert (event.summary, event.body, event.visibility) == (
        "Office appointment: attended and complied (police intelligence note)",
        "",
        "team",
    )


@pytest.mark.django_db
def test_a_note_shareable_with_partners_gives_its_event_that_visibility(now):
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    contact = log(worker, world.nominal, notes="Needs help with a bidding number", sensitivity="partners")
    event = TimelineEvent.objects.get(source_id=contact.pk)
    assert (event.body, event.visibility) == ("Needs help with a bidding number", "partners")


def _refusals(world):
    """Each way a submission is refused, as (actor, arguments)."""
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
    return {
        "future date": (officer, {"date": dt.date(2026, 11, 25)}),
        "later today": (officer, {"time": dt.time(18, 0)}),
        "too old": (officer, {"date": dt.date(2024, 1, 1)}),
        "unknown kind": (officer, {"kind": "seance"}),
        "no outcome": (officer, {"outcome": ""}),
        "no purpose": (officer, {"purpose": ""}),
        "joint visit, one agency": (officer, {"kind": Contact.Kind.JOINT_VISIT}),
        "attendee from another team": (officer, {"attendee_ids": [officer.pk, outsider.pk]}),
        "police note by probation": (practitioner, {"sensitivity": "police", "notes": "Intelligence"}),
        "note too long": (officer, {"notes": "x" * 5001}),
        "outsider": (outsider, {}),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "refusal",
    [
        "future date",
        "later today",
        "too old",
        "unknown kind",
        "no outcome",
        "no purpose",
        "joint visit, one agency",
        "attendee from another team",
        "police note by probation",
        "note too long",
        "outsider",
    ],
)
def test_nothing_is_half_saved_when_a_contact_is_refused(now, refusal):
    world = build_world()
    actor, arguments = _refusals(world)[refusal]
    before = rows()
    with pytest.raises((ValidationError, PermissionDenied)):
        log(actor, world.nominal, submission_id=uuid.uuid4(), **arguments)
    assert rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["other_team", "region", "partner", "administrator"])
def test_someone_outside_the_team_may_not_log(now, scope):
    world = build_world()
    outsider = {
        "other_team": lambda: member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team),
        "region": lambda: member(Role.REGIONAL_LEAD, region=world.region),
        "partner": lambda: member(Role.PARTNER),
        "administrator": lambda: member(Role.ADMINISTRATOR),
    }[scope]()
    with pytest.raises(PermissionDenied):
        log(outsider, world.nominal)
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_replayed_submission_is_still_refused_to_an_outsider(now):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    submission = uuid.uuid4()
    log(worker, world.nominal, submission_id=submission)
    with pytest.raises(PermissionDenied):
        log(
            member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team),
            world.nominal,
            submission_id=submission,
        )
