import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from cohorts.models import TimelineEvent
from iom.core.models import AuditEvent, Role
from supervision import services
from supervision.factories import ContactFactory
from supervision.models import AppointmentSeries, Contact, ContactAttendee
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TIME_MESSAGE = "Enter the time as 24-hour hours and minutes, like 14:30"
POLICE_REFUSED = "Only police in this team can record police intelligence; choose who may read the note"
JOINT_VISIT = "A joint visit needs staff from at least two agencies, such as police and probation"


def summary_links(html):
    return [
        (anchor, unescape(text))
        for anchor, text in re.findall(r'<li><a href="([^"]*)">([^<]*)</a></li>', html)
    ]


def banner(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def uk(day):
    return f"{day:%d/%m/%Y}"


def tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def worker(world):
    return member(Role.SUPPORT_WORKER, team=world.own_team, full_name="Sam Worker")


@pytest.fixture
def officer(world):
    return member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Pat Officer")


OUTSIDERS = pytest.mark.parametrize(
    "who",
    [
        lambda w: member(Role.PROBATION_PRACTITIONER, team=w.other_team),
        lambda w: member(Role.PARTNER),
        lambda w: member(Role.REGIONAL_LEAD, region=w.region),
    ],
    ids=["other team", "partner", "regional lead"],
)


# Plan an appointment ------------------------------------------------------------------------


def plan_url(nominal):
    return f"/people/{nominal.pk}/appointments/new/"


def plan_data(attendee, **extra):
    return {
        "kind": "office",
        "purpose": "monitoring",
        "date": uk(tomorrow()),
        "time": "10:30",
        "duration_minutes": "60",
        "location": "Civic Centre",
        "attendees": [attendee.pk],
        **extra,
    }


def test_the_plan_form_opens_on_the_persons_record_with_the_worker_ticked(client, world, worker):
    client.force_login(worker)
    response = client.get(plan_url(world.nominal))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Dean Robson</h1>' in html
    assert "Plan an appointment" in html
    assert 'name="duration_minutes" value="60"' in html
    assert re.search(
        rf'value="{worker.pk}" checked>\s*<label[^>]*>Sam Worker \(Northshire Support Services\)', html
    )
    assert 'data-module="moj-date-picker"' in html
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "plan-appointment"}


def test_planning_an_appointment_returns_to_the_supervision_tab(client, world, worker):
    client.force_login(worker)
    response = client.post(plan_url(world.nominal), plan_data(worker))
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.nominal.pk}/supervision/"
    appointment = Contact.objects.get()
    assert (appointment.date, appointment.time, appointment.outcome) == (tomorrow(), dt.time(10, 30), "")
    assert (appointment.location, appointment.duration_minutes) == ("Civic Centre", 60)
    assert [row.user for row in appointment.attendance.all()] == [worker]
    assert banner(response) == [f"Appointment planned for {tomorrow().day} {tomorrow():%b %Y} at 10:30"]


@pytest.mark.parametrize(
    ("field", "value", "anchor", "message"),
    [
        ("kind", "", "#id_kind_0", "Select the type of appointment"),
        ("purpose", "", "#id_purpose_0", "Select the purpose"),
        ("date", "", "#id_date", "Enter the date of the appointment"),
        ("date", "32/01/2027", "#id_date", "Date of the appointment must be a real date, like 17/11/2026"),
        ("time", "", "#id_time", "Enter the time of the appointment"),
        ("time", "10:60", "#id_time", TIME_MESSAGE),
        ("time", "1030", "#id_time", TIME_MESSAGE),
        ("duration_minutes", "", "#id_duration_minutes", "Enter how long it lasts, in minutes"),
        ("attendees", [], "#id_attendees_0", "Select at least one member of staff who will attend"),
    ],
)
def test_each_bad_answer_on_the_plan_form_is_explained(client, world, worker, field, value, anchor, message):
    client.force_login(worker)
    response = client.post(plan_url(world.nominal), {**plan_data(worker), field: value})
    assert response.status_code == 200
    assert summary_links(response.content.decode()) == [(anchor, message)]
    assert not Contact.objects.exists()


def test_a_past_time_is_refused_by_the_service(client, world, worker):
    client.force_login(worker)
    response = client.post(plan_url(world.nominal), plan_data(worker, date=uk(yesterday())))
    assert summary_links(response.content.decode()) == [
        ("#id_date", "An appointment must be planned for a time that has not passed yet")
    ]


def test_a_joint_visit_with_one_agency_cannot_be_planned(client, world, worker):
    client.force_login(worker)
    response = client.post(plan_url(world.nominal), plan_data(worker, kind="joint_visit"))
    assert summary_links(response.content.decode()) == [("#id_attendees_0", JOINT_VISIT)]
    assert not Contact.objects.exists()


def test_a_joint_visit_with_police_and_probation_is_planned(client, world, worker, officer):
    probation = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    client.force_login(worker)
    response = client.post(
        plan_url(world.nominal), plan_data(worker, kind="joint_visit", attendees=[officer.pk, probation.pk])
    )
    assert response.status_code == 302
    assert {row.user for row in Contact.objects.get().attendance.all()} == {officer, probation}


@OUTSIDERS
def test_outsiders_cannot_plan(client, world, who):
    user = who(world)
    client.force_login(user)
    assert client.get(plan_url(world.nominal)).status_code == 404
    assert client.post(plan_url(world.nominal), plan_data(user)).status_code == 404
    assert not Contact.objects.exists()


# Plan a series ------------------------------------------------------------------------------


def series_url(nominal):
    return f"/people/{nominal.pk}/appointments/series/new/"


def series_data(attendee, **extra):
    return {
        "kind": "office",
        "purpose": "monitoring",
        "weekdays": ["0", "2", "4"],
        "time": "10:00",
        "starts_on": uk(tomorrow()),
        "weeks": "2",
        "duration_minutes": "60",
        "location": "",
        "attendees": [attendee.pk],
        **extra,
    }


def test_the_series_form_offers_each_day_of_the_week(client, world, worker):
    client.force_login(worker)
    html = client.get(series_url(world.nominal)).content.decode()
    for number, day in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    ):
        assert re.search(
            rf'id="id_weekdays_{number}" name="weekdays" type="checkbox" value="{number}">'
            rf"\s*<label[^>]*>{day}<",
            html,
        )


def test_planning_a_series_says_how_many_appointments(client, world, worker):
    client.force_login(worker)
    response = client.post(series_url(world.nominal), series_data(worker))
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.nominal.pk}/supervision/"
    series = AppointmentSeries.objects.get()
    assert series.weekdays == "024"
    assert Contact.objects.filter(series=series).count() == 6
    assert banner(response) == ["6 appointments planned"]


@pytest.mark.parametrize(
    ("field", "value", "anchor", "message"),
    [
        ("weekdays", [], "#id_weekdays_0", "Select at least one day of the week"),
        ("weekdays", ["7"], "#id_weekdays_0", "Select days of the week from Monday to Sunday"),
        ("weeks", "", "#id_weeks", "Enter the number of weeks"),
        ("weeks", "0", "#id_weeks", "A series must last between 1 and 26 weeks"),
        ("weeks", "27", "#id_weeks", "A series must last between 1 and 26 weeks"),
        ("weeks", "two", "#id_weeks", "Number of weeks must be a whole number, like 4"),
        ("starts_on", "", "#id_starts_on", "Enter the date the series starts"),
        ("time", "7pm", "#id_time", TIME_MESSAGE),
    ],
)
def test_each_bad_answer_on_the_series_form_is_explained(
    client, world, worker, field, value, anchor, message
):
    client.force_login(worker)
    response = client.post(series_url(world.nominal), {**series_data(worker), field: value})
    assert summary_links(response.content.decode()) == [(anchor, message)]
    assert not Contact.objects.exists()


def test_a_series_starting_in_the_past_is_refused_by_the_service(client, world, worker):
    client.force_login(worker)
    response = client.post(series_url(world.nominal), series_data(worker, starts_on=uk(yesterday())))
    assert summary_links(response.content.decode()) == [
        ("#id_starts_on", "The series must start today or later")
    ]


@OUTSIDERS
def test_outsiders_cannot_plan_a_series(client, world, who):
    user = who(world)
    client.force_login(user)
    assert client.get(series_url(world.nominal)).status_code == 404
    assert client.post(series_url(world.nominal), series_data(user)).status_code == 404


# Record an outcome --------------------------------------------------------------------------


def outcome_url(contact):
    return f"/contacts/{contact.pk}/outcome/"


@pytest.fixture
def due(world, officer):
    """An appointment yesterday, attended (as planned) by the police officer."""
    appointment = ContactFactory.create(nominal=world.nominal, outcome="", notes="", date=yesterday())
    ContactAttendee.objects.create(contact=appointment, user=officer, organisation=officer.organisation)
    return appointment


def test_the_outcome_form_starts_with_the_planned_attendees(client, world, worker, officer, due):
    client.force_login(worker)
    html = client.get(outcome_url(due)).content.decode()
    assert re.search(rf'value="{officer.pk}" checked>', html)
    assert re.search(rf'value="{worker.pk}">', html)
    assert "Record the outcome" in html
    assert "Police intelligence" not in html


def test_recording_an_outcome_makes_the_appointment_a_contact(client, world, worker, officer, due):
    client.force_login(worker)
    response = client.post(
        outcome_url(due),
        {
            "outcome": "attended_complied",
            "notes": "Went well",
            "sensitivity": "partners",
            "attendees": [worker.pk],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{due.pk}/"
    due.refresh_from_db()
    assert (due.outcome, due.notes, due.sensitivity, due.outcome_recorded_by) == (
        "attended_complied",
        "Went well",
        "partners",
        worker,
    )
    assert [row.user for row in due.attendance.all()] == [worker]
    assert banner(response) == ["Outcome recorded"]
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.CONTACT).count() == 1


def test_an_appointment_that_did_not_go_ahead_keeps_its_planned_attendees(
    client, world, worker, officer, due
):
    client.force_login(worker)
    response = client.post(outcome_url(due), {"outcome": "rescheduled", "sensitivity": "team"})
    assert response.status_code == 302
    assert [row.user for row in due.attendance.all()] == [officer]


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({"sensitivity": "team"}, "#id_outcome_0", "Select the outcome"),
        ({"outcome": "nonsense", "sensitivity": "team"}, "#id_outcome_0", "Select the outcome"),
        (
            {"outcome": "attended_complied", "sensitivity": "team", "attendees": []},
            "#id_attendees_0",
            "Select at least one member of staff who attended",
        ),
        ({"outcome": "attended_complied"}, "#id_sensitivity_0", "Select who may read the note"),
        ({"outcome": "attended_complied", "sensitivity": "police"}, "#id_sensitivity_0", POLICE_REFUSED),
    ],
)
def test_each_bad_answer_on_the_outcome_form_is_explained(
    client, worker, officer, due, data, anchor, message
):
    client.force_login(worker)
    response = client.post(outcome_url(due), {"attendees": [officer.pk], **data})
    assert summary_links(response.content.decode()) == [(anchor, message)]
    due.refresh_from_db()
    assert due.is_planned


def test_police_may_record_a_police_intelligence_outcome(client, officer, due):
    client.force_login(officer)
    html = client.get(outcome_url(due)).content.decode()
    assert 'value="police"' in html
    response = client.post(
        outcome_url(due),
        {
            "outcome": "attended_complied",
            "notes": "Intel",
            "sensitivity": "police",
            "attendees": [officer.pk],
        },
    )
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.sensitivity == "police"


def test_attendance_cannot_be_recorded_before_the_appointment(client, world, worker):
    appointment = ContactFactory.create(nominal=world.nominal, outcome="", date=tomorrow())
    client.force_login(worker)
    response = client.post(
        outcome_url(appointment),
        {"outcome": "attended_complied", "sensitivity": "team", "attendees": [worker.pk]},
    )
    assert summary_links(response.content.decode()) == [
        (
            "#id_outcome_0",
            "This appointment has not started yet: record attendance once it has, or move or cancel it",
        )
    ]


def test_a_joint_visit_outcome_needs_two_agencies(client, world, worker):
    appointment = ContactFactory.create(
        nominal=world.nominal, outcome="", date=yesterday(), kind="joint_visit"
    )
    client.force_login(worker)
    response = client.post(
        outcome_url(appointment),
        {"outcome": "attended_complied", "sensitivity": "team", "attendees": [worker.pk]},
    )
    assert summary_links(response.content.decode()) == [("#id_attendees_0", JOINT_VISIT)]


@pytest.mark.parametrize("path", ["outcome", "move", "cancel"])
def test_a_contact_that_has_happened_sends_you_back_to_it(client, world, worker, path):
    contact = ContactFactory.create(nominal=world.nominal)
    client.force_login(worker)
    for method in (client.get, client.post):
        response = method(f"/contacts/{contact.pk}/{path}/", follow=True)
        assert response.redirect_chain == [(f"/contacts/{contact.pk}/", 302)]
        assert (
            "This contact already has an outcome, so it can no longer be changed" in response.content.decode()
        )
    contact.refresh_from_db()
    assert contact.outcome == "attended_complied"


@OUTSIDERS
@pytest.mark.parametrize("path", ["outcome", "move", "cancel"])
def test_outsiders_cannot_change_an_appointment(client, world, who, path, due):
    client.force_login(who(world))
    assert client.get(f"/contacts/{due.pk}/{path}/").status_code == 404
    assert client.post(f"/contacts/{due.pk}/{path}/", {"outcome": "attended_complied"}).status_code == 404
    due.refresh_from_db()
    assert due.is_planned


# Move ---------------------------------------------------------------------------------------


def move_url(contact):
    return f"/contacts/{contact.pk}/move/"


@pytest.fixture
def series(world, worker):
    return services.plan_series(
        actor=worker,
        nominal=world.nominal,
        kind="office",
        purpose="monitoring",
        weekdays=[0, 2, 4],
        time=dt.time(10, 0),
        starts_on=tomorrow(),
        weeks=2,
    )


def test_a_single_appointment_moves_without_asking_about_a_series(client, world, worker):
    appointment = ContactFactory.create(
        nominal=world.nominal, outcome="", date=tomorrow(), time=dt.time(9, 0)
    )
    client.force_login(worker)
    html = client.get(move_url(appointment)).content.decode()
    assert 'name="scope"' not in html
    assert 'name="time" value="09:00"' in html
    later = tomorrow() + dt.timedelta(days=2)
    response = client.post(
        move_url(appointment), {"date": uk(later), "time": "14:15", "reason": "Court date"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{appointment.pk}/"
    appointment.refresh_from_db()
    assert (appointment.date, appointment.time) == (later, dt.time(14, 15))
    assert banner(response) == [f"Appointment moved to {later.day} {later:%b %Y} at 14:15"]
    assert AuditEvent.objects.get(action="appointment.moved").detail["reason"] == "Court date"


def test_a_series_appointment_can_move_with_the_rest_of_its_series(client, world, worker, series):
    first = series.appointments.order_by("date").first()
    client.force_login(worker)
    html = client.get(move_url(first)).content.decode()
    assert "Only this appointment" in html
    assert "This and the rest of the series" in html
    response = client.post(
        move_url(first),
        {
            "date": uk(first.date + dt.timedelta(days=1)),
            "time": "11:00",
            "reason": "Bus times",
            "scope": "rest",
        },
    )
    assert response.status_code == 302
    assert banner(response) == ["6 appointments moved"]
    assert set(series.appointments.values_list("time", flat=True)) == {dt.time(11, 0)}


def test_only_one_appointment_of_a_series_moves_when_asked(client, world, worker, series):
    first = series.appointments.order_by("date").first()
    client.force_login(worker)
    client.post(
        move_url(first), {"date": uk(first.date), "time": "16:00", "reason": "Clash", "scope": "this"}
    )
    assert sorted(series.appointments.values_list("time", flat=True)) == [dt.time(10, 0)] * 5 + [
        dt.time(16, 0)
    ]


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({"date": "", "time": "10:00", "reason": "x"}, "#id_date", "Enter the new date"),
        (
            {"date": "1/13/2027", "time": "10:00", "reason": "x"},
            "#id_date",
            "New date must be a real date, like 17/11/2026",
        ),
        ({"date": "TOMORROW", "time": "", "reason": "x"}, "#id_time", "Enter the new time"),
        ({"date": "TOMORROW", "time": "24:00", "reason": "x"}, "#id_time", TIME_MESSAGE),
        (
            {"date": "TOMORROW", "time": "10:00", "reason": ""},
            "#id_reason",
            "Enter why the appointment is moving",
        ),
        (
            {"date": "YESTERDAY", "time": "10:00", "reason": "x"},
            "#id_date",
            "An appointment must be planned for a time that has not passed yet",
        ),
        (
            {"date": "TOMORROW", "time": "10:00", "reason": "x", "scope": ""},
            "#id_scope_0",
            "Select which appointments to move",
        ),
    ],
)
def test_each_bad_answer_on_the_move_form_is_explained(client, world, worker, series, data, anchor, message):
    first = series.appointments.order_by("date").first()
    data = {"scope": "this", **data}
    data["date"] = {"TOMORROW": uk(tomorrow()), "YESTERDAY": uk(yesterday())}.get(data["date"], data["date"])
    client.force_login(worker)
    response = client.post(move_url(first), data)
    assert summary_links(response.content.decode()) == [(anchor, message)]
    assert not AuditEvent.objects.filter(action="appointment.moved").exists()


# Cancel -------------------------------------------------------------------------------------


def cancel_url(contact):
    return f"/contacts/{contact.pk}/cancel/"


def test_cancelling_asks_for_confirmation_with_a_warning_button(client, world, worker):
    appointment = ContactFactory.create(nominal=world.nominal, outcome="", date=tomorrow())
    client.force_login(worker)
    html = client.get(cancel_url(appointment)).content.decode()
    assert "Are you sure you want to cancel this appointment?" in html
    assert 'class="govuk-button govuk-button--warning"' in html
    assert 'name="scope"' not in html
    response = client.post(cancel_url(appointment), {"reason": "Worker off sick"})
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{appointment.pk}/"
    assert banner(response) == ["Appointment cancelled"]
    appointment.refresh_from_db()
    assert (appointment.outcome, appointment.notes) == ("cancelled_by_service", "Worker off sick")


def test_cancelling_needs_a_reason(client, world, worker):
    appointment = ContactFactory.create(nominal=world.nominal, outcome="", date=tomorrow())
    client.force_login(worker)
    response = client.post(cancel_url(appointment), {"reason": ""})
    assert summary_links(response.content.decode()) == [
        ("#id_reason", "Enter why the appointment is cancelled")
    ]
    appointment.refresh_from_db()
    assert appointment.is_planned


def test_the_rest_of_a_series_can_be_cancelled(client, world, worker, series):
    second = series.appointments.order_by("date")[1]
    client.force_login(worker)
    html = client.get(cancel_url(second)).content.decode()
    assert "This and the rest of the series" in html
    response = client.post(cancel_url(second), {"reason": "Left the cohort", "scope": "rest"})
    assert banner(response) == ["5 appointments cancelled"]
    assert series.appointments.filter(outcome="").count() == 1


def test_cancelling_a_series_appointment_asks_which(client, world, worker, series):
    first = series.appointments.order_by("date").first()
    client.force_login(worker)
    response = client.post(cancel_url(first), {"reason": "Ill"})
    assert summary_links(response.content.decode()) == [
        ("#id_scope_0", "Select which appointments to cancel")
    ]


# Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("more_staff", [0, 5])
def test_the_outcome_form_takes_a_fixed_number_of_queries(
    client, world, worker, officer, due, django_assert_num_queries, more_staff
):
    for _ in range(more_staff):
        staff = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
        ContactAttendee.objects.create(contact=due, user=staff, organisation=staff.organisation)
    client.force_login(worker)
    # session, user, the contact's person id, memberships, the person, audit insert, the contact,
    # its attendance, team staff
    with django_assert_num_queries(9):
        response = client.get(outcome_url(due))
    assert response.status_code == 200
