import datetime as dt
import re

import pytest
from django.utils import timezone

from iom.core.models import AuditEvent, Role
from supervision import services
from supervision.factories import ContactFactory
from supervision.models import AppointmentSeries, ContactAttendee
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

POLICE_NOTE = "Seen with two known burglars outside the pawn shop"
HIDDEN_NOTE = "This contact has a police intelligence note. Only police in the team can read it."


def url(contact):
    return f"/contacts/{contact.pk}/"


def row(html, key):
    """The value of one summary list row, tags removed and spaces collapsed."""
    match = re.search(
        rf'<dt class="govuk-summary-list__key">{key}</dt><dd class="govuk-summary-list__value">(.*?)</dd>',
        html,
        re.S,
    )
    assert match, f"no {key} row"
    return " ".join(re.sub(r"<[^>]+>", " ", match[1]).split())


@pytest.fixture
def world():
    return build_world()


def test_a_logged_contact_is_shown_in_full_on_the_persons_record(client, world):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Pat Officer")
    probation = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Jo Probation")
    contact = services.log_contact(
        actor=officer,
        nominal=world.nominal,
        kind="joint_visit",
        outcome="attended_failed",
        purpose="monitoring",
        date=timezone.localdate() - dt.timedelta(days=1),
        time=dt.time(0, 0),
        duration_minutes=45,
        location="His flat",
        notes="Refused to let us in the bedroom.",
        attendee_ids=[officer.pk, probation.pk],
    )
    client.force_login(probation)
    response = client.get(url(contact))
    html = response.content.decode()
    assert response.status_code == 200
    # The person's header and tabs, with Supervision as the current tab.
    assert '<h1 class="govuk-heading-l">Dean Robson</h1>' in html
    assert re.search(r'href="/people/\d+/supervision/" aria-current="page">Supervision<', html)
    assert row(html, "Date") == f"{contact.date:%A} {contact.date.day} {contact.date:%b %Y}"
    assert row(html, "Time") == "00:00, 45 minutes"
    assert row(html, "Type") == "Joint visit"
    assert row(html, "Purpose") == "Monitoring and compliance"
    assert row(html, "Location") == "His flat"
    assert row(html, "Attended") == (
        "Jo Probation (Northshire Probation Delivery Unit) Pat Officer (Northshire Police)"
    )
    assert row(html, "Outcome") == "Attended and failed to comply"
    assert row(html, "Logged by").startswith("Pat Officer, ")
    assert row(html, "Outcome recorded by").startswith("Pat Officer, ")
    assert row(html, "Note") == "Refused to let us in the bedroom. Who may read it: IOM team only"
    assert "Series" not in html
    # A contact that has happened is not changed from here.
    assert "Record outcome" not in html


def test_opening_a_contact_is_audited_as_a_consultation(client, world):
    contact = ContactFactory.create(nominal=world.nominal)
    user = member(Role.SUPPORT_WORKER, team=world.own_team)
    client.force_login(user)
    client.get(url(contact))
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.nominal_id, event.detail) == (user, world.nominal.pk, {"page": "contact"})


def test_a_planned_appointment_offers_its_outcome_move_and_cancel(client, world):
    appointment = ContactFactory.create(nominal=world.nominal, outcome="", notes="")
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    html = client.get(url(appointment)).content.decode()
    assert row(html, "Outcome") == "Planned"
    assert row(html, "Attending") == "No staff recorded"
    assert row(html, "Note") == "No note"
    assert f'href="/contacts/{appointment.pk}/outcome/"' in html
    assert f'href="/contacts/{appointment.pk}/move/"' in html
    assert f'href="/contacts/{appointment.pk}/cancel/"' in html
    assert "govuk-button--warning" in html


def test_a_series_appointment_names_its_days(client, world):
    user = member(Role.SUPPORT_WORKER, team=world.own_team)
    series = AppointmentSeries.objects.create(
        nominal=world.nominal,
        kind="office",
        purpose="monitoring",
        weekdays="024",
        time=dt.time(10, 0),
        starts_on=dt.date(2026, 11, 2),
        ends_on=dt.date(2026, 11, 27),
        created_by=user,
    )
    appointment = ContactFactory.create(nominal=world.nominal, outcome="", series=series)
    client.force_login(user)
    html = client.get(url(appointment)).content.decode()
    assert row(html, "Series") == "Part of a series: Mon, Wed, Fri 2 Nov 2026 to 27 Nov 2026"


@pytest.mark.parametrize(
    ("role", "readable"),
    [
        (Role.POLICE_OFFENDER_MANAGER, True),
        (Role.PROBATION_PRACTITIONER, False),
        (Role.SUPPORT_WORKER, False),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, False),
        (Role.MANAGER, False),
    ],
)
def test_a_police_intelligence_note_is_for_police_in_the_team(client, world, role, readable):
    contact = ContactFactory.create(nominal=world.nominal, sensitivity="police", notes=POLICE_NOTE)
    client.force_login(member(role, team=world.own_team))
    html = client.get(url(contact)).content.decode()
    assert (POLICE_NOTE in html) is readable
    assert (HIDDEN_NOTE in html) is not readable


@pytest.mark.parametrize(
    "who",
    [
        lambda w: member(Role.POLICE_OFFENDER_MANAGER, team=w.other_team),
        lambda w: member(Role.PARTNER),
        lambda w: member(Role.REGIONAL_LEAD, region=w.region),
        lambda w: member(Role.NATIONAL),
    ],
    ids=["other team", "partner", "regional lead", "national"],
)
def test_people_outside_the_team_are_not_found(client, world, who):
    contact = ContactFactory.create(nominal=world.nominal, sensitivity="partners")
    client.force_login(who(world))
    assert client.get(url(contact)).status_code == 404
    assert client.get("/contacts/999999/").status_code == 404


@pytest.mark.parametrize("attendees", [1, 6])
def test_the_page_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries, attendees):
    user = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    contact = ContactFactory.create(nominal=world.nominal, sensitivity="police", notes=POLICE_NOTE)
    for _ in range(attendees):
        staff = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
        ContactAttendee.objects.create(contact=contact, user=staff, organisation=staff.organisation)
    client.force_login(user)
    # session, user, the contact's person id, memberships, the person (with team and case team),
    # audit insert, the contact (with series, logger, outcome recorder), its attendance
    with django_assert_num_queries(8):
        response = client.get(url(contact))
    assert len(response.context["attendance"]) == attendees
    assert POLICE_NOTE in response.content.decode()
