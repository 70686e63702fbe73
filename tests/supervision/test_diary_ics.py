"""My diary as an iCalendar file: read back with the same library a calendar client would use."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar, Event

from iom.core.models import AuditEvent, Role, User
from supervision.factories import ContactFactory
from supervision.models import Contact, ContactAttendee
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

URL = "/diary/my-diary.ics"
LONDON = ZoneInfo("Europe/London")
NOTE = "Disclosed a new address on Acacia Avenue"


def appointment(nominal, day: dt.date, time: dt.time, *attendees: User, **fields) -> Contact:
    fields.setdefault("outcome", "")
    fields.setdefault("notes", NOTE)
    contact = ContactFactory.create(nominal=nominal, date=day, time=time, **fields)
    for user in attendees:
        ContactAttendee.objects.create(contact=contact, user=user, organisation=user.organisation)
    return contact


def events(response) -> dict[str, Event]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.events}


@pytest.fixture
def diary():
    world = build_world()
    me = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    colleague = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    elsewhere = member(Role.PROBATION_PRACTITIONER, team=world.other_team)
    today = timezone.localdate()
    nominal = world.nominal
    return {
        "world": world,
        "me": me,
        "planned": appointment(
            nominal,
            today + dt.timedelta(days=3),
            dt.time(14, 30),
            me,
            colleague,
            kind=Contact.Kind.JOINT_VISIT,
            purpose=Contact.Purpose.PRACTICAL_SUPPORT,
            location="12 Acacia Avenue, Northtown",
            duration_minutes=45,
        ),
        "held": appointment(
            nominal, today - dt.timedelta(days=10), dt.time(9, 0), me, outcome="attended_complied"
        ),
        "missed": appointment(
            nominal, today - dt.timedelta(days=5), dt.time(9, 0), me, outcome="unacceptable_absence"
        ),
        "cancelled": appointment(
            nominal, today + dt.timedelta(days=4), dt.time(9, 0), me, outcome="cancelled_by_service"
        ),
        "rescheduled": appointment(
            nominal, today + dt.timedelta(days=5), dt.time(9, 0), me, outcome="rescheduled"
        ),
        "colleagues": appointment(nominal, today + dt.timedelta(days=3), dt.time(10, 0), colleague),
        "other_team": appointment(
            world.other_nominal, today + dt.timedelta(days=3), dt.time(10, 0), elsewhere, me
        ),
        "too_old": appointment(
            nominal, today - dt.timedelta(days=31), dt.time(9, 0), me, outcome="attended_complied"
        ),
        "too_far": appointment(nominal, today + dt.timedelta(days=91), dt.time(9, 0), me),
        "last_day": appointment(nominal, today + dt.timedelta(days=90), dt.time(23, 30), me),
    }


def uid(contact: Contact) -> str:
    return f"contact-{contact.pk}@iom-case-manager"


def test_the_file_holds_my_planned_and_held_appointments_in_range_only(client, diary):
    client.force_login(diary["me"])
    response = client.get(URL)
    assert response.status_code == 200
    assert set(events(response)) == {uid(diary[name]) for name in ("planned", "held", "missed", "last_day")}


def test_it_downloads_as_a_calendar_file_that_is_never_cached(client, diary):
    client.force_login(diary["me"])
    response = client.get(URL)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="iom-diary.ics"'
    assert response["Cache-Control"] == "no-store"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"])
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_each_event_has_its_time_in_london_and_minimal_personal_data(client, diary):
    client.force_login(diary["me"])
    planned, nominal = diary["planned"], diary["world"].nominal
    event = events(client.get(URL))[uid(planned)]
    starts = event.decoded("DTSTART")
    assert starts.tzinfo is not None
    assert str(starts.tzinfo) == "Europe/London"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert starts == dt.datetime.combine(planned.date, dt.time(14, 30), tzinfo=LONDON)
    assert event.decoded("DTEND") - starts == dt.timedelta(minutes=45)
    assert str(event["SUMMARY"]) == f"Joint visit \N{EN DASH} DR (IOM ref {nominal.pk})"
    assert str(event["LOCATION"]) == "12 Acacia Avenue, Northtown"
    description = str(event["DESCRIPTION"])
    assert "Purpose: Practical support" in description
    assert f"http://testserver/people/{nominal.pk}/" in description
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_the_file_carries_no_notes_and_no_names(client, diary):
    client.force_login(diary["me"])
    text = client.get(URL).content.decode()
    unfolded = text.replace("\r\n ", "")
    assert "12 Acacia Avenue\\, Northtown" in unfolded  # the location the worker typed, comma escaped
    assert NOTE not in unfolded
    assert "Disclosed" not in unfolded
    assert "Robson" not in unfolded
    assert "Dean" not in unfolded


def test_special_characters_are_escaped_and_long_lines_folded(client, diary):
    planned = diary["planned"]
    planned.location = (
        "Flat 2; Block C, Riverside Court — the one with the blue door near the long-stay car park"
    )
    planned.save()
    client.force_login(diary["me"])
    response = client.get(URL)
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    assert str(events(response)[uid(planned)]["LOCATION"]) == planned.location


def test_the_download_is_audited_with_the_number_of_events(client, diary):
    client.force_login(diary["me"])
    client.get(URL)
    event = AuditEvent.objects.get(action="diary.exported")
    assert event.actor == diary["me"]
    assert event.detail["events"] == 4
    today = timezone.localdate()
    assert event.detail["from"] == (today - dt.timedelta(days=30)).isoformat()
    assert event.detail["to"] == (today + dt.timedelta(days=90)).isoformat()


def test_someone_with_no_appointments_gets_an_empty_calendar(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    response = client.get(URL)
    assert response.status_code == 200
    assert events(response) == {}
    assert AuditEvent.objects.get(action="diary.exported").detail["events"] == 0


def test_the_download_costs_the_same_number_of_queries_however_many_events(client, django_assert_num_queries):
    world = build_world()
    me = member(Role.SUPPORT_WORKER, team=world.own_team)
    today = timezone.localdate()
    for n in range(30):
        appointment(world.nominal, today + dt.timedelta(days=n), dt.time(9, 0), me)
    client.force_login(me)
    # Session and user; memberships; the appointments with their people; the audit row.
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert len(events(response)) == 30
