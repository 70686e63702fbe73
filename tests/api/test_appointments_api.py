"""Planning appointments (/api/v1/nominals/{id}/appointments/ and …/appointment-series/) and
changing a planned one (/api/v1/contacts/{id}/outcome/, move/, cancel/) with If-Match."""

import datetime

import pytest
from django.utils import timezone

from iom.core.models import AuditEvent, Role
from supervision.factories import ContactFactory
from supervision.models import AppointmentSeries, Contact
from tests.actors import build_world, member
from tests.api.clients import problem_of, token_client

pytestmark = pytest.mark.django_db


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def appointment_for(nominal, *, days: int = -1, **fields) -> Contact:
    """A planned appointment; by default yesterday's, so its outcome is due."""
    return ContactFactory.create(nominal=nominal, outcome="", date=in_days(days), **fields)


def etag_of(client, contact: Contact) -> str:
    response = client.get(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == 200
    return response["ETag"]


# Planning -----------------------------------------------------------------------------------


def test_a_team_member_plans_an_appointment():
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    url = f"/api/v1/nominals/{world.nominal.pk}/appointments/"
    body = {"kind": "home_visit", "purpose": "monitoring", "date": in_days(3).isoformat(), "time": "14:00"}

    response = token_client(worker).post(url, body, format="json")

    assert response.status_code == 201, response.content
    appointment = Contact.objects.get()
    assert response["Location"] == f"/api/v1/contacts/{appointment.pk}/"
    assert response["ETag"]
    shown = response.json()
    assert (shown["planned"], shown["outcome"], shown["duration_minutes"]) == (True, None, 60)
    assert [row["user_id"] for row in shown["attendees"]] == [worker.pk]
    assert AuditEvent.objects.filter(action="appointment.planned", actor=worker).exists()


def test_an_appointment_in_the_past_is_refused_in_the_services_words():
    world = build_world()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    body = {"kind": "office", "purpose": "monitoring", "date": in_days(-2).isoformat(), "time": "09:00"}

    response = client.post(f"/api/v1/nominals/{world.nominal.pk}/appointments/", body, format="json")

    assert response.status_code == 400
    assert problem_of(response)["errors"] == [
        {"pointer": "#/date", "detail": "An appointment must be planned for a time that has not passed yet"}
    ]
    assert not Contact.objects.exists()


def test_planning_for_another_teams_person_is_404():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.other_team))
    body = {"kind": "office", "purpose": "monitoring", "date": in_days(3).isoformat(), "time": "09:00"}
    response = client.post(f"/api/v1/nominals/{world.nominal.pk}/appointments/", body, format="json")
    assert response.status_code == 404


def test_a_series_plans_one_appointment_on_each_chosen_day():
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    starts_on = in_days(7 - timezone.localdate().weekday())  # next Monday
    body = {
        "kind": "office",
        "purpose": "monitoring",
        "weekdays": [0, 3],
        "time": "10:00",
        "starts_on": starts_on.isoformat(),
        "weeks": 2,
    }

    response = token_client(worker).post(
        f"/api/v1/nominals/{world.nominal.pk}/appointment-series/", body, format="json"
    )

    assert response.status_code == 201, response.content
    series = AppointmentSeries.objects.get()
    shown = response.json()
    assert (shown["id"], shown["weekdays"], shown["starts_on"]) == (series.pk, [0, 3], starts_on.isoformat())
    dates = list(series.appointments.order_by("date").values_list("date", flat=True))
    assert dates == [starts_on + datetime.timedelta(days=d) for d in (0, 3, 7, 10)]
    assert shown["appointment_ids"] == list(series.appointments.order_by("date").values_list("pk", flat=True))


def test_a_series_too_long_is_a_field_problem():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    body = {
        "kind": "office",
        "purpose": "monitoring",
        "weekdays": [7],
        "time": "10:00",
        "starts_on": in_days(1).isoformat(),
        "weeks": 27,
    }
    response = client.post(f"/api/v1/nominals/{world.nominal.pk}/appointment-series/", body, format="json")
    assert response.status_code == 400
    pointers = {error["pointer"] for error in problem_of(response)["errors"]}
    assert pointers == {"#/weekdays/0", "#/weeks"}


# Recording an outcome ------------------------------------------------------------------------


def test_recording_an_outcome_with_the_etag_turns_the_appointment_into_a_contact():
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    appointment = appointment_for(world.nominal)
    appointment.attendance.create(user=worker, organisation=worker.organisation)
    client = token_client(worker)
    etag = etag_of(client, appointment)

    response = client.post(
        f"/api/v1/contacts/{appointment.pk}/outcome/",
        {"outcome": "attended_complied", "notes": "Went well"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    shown = response.json()
    assert (shown["planned"], shown["outcome"], shown["note"]) == (False, "attended_complied", "Went well")
    assert shown["outcome_recorded_by"]["id"] == worker.pk
    assert response["ETag"] != etag
    assert AuditEvent.objects.filter(action="contact.outcome_recorded", actor=worker).exists()


def test_a_change_without_if_match_is_428_and_changes_nothing():
    world = build_world()
    appointment = appointment_for(world.nominal)
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.post(
        f"/api/v1/contacts/{appointment.pk}/outcome/", {"outcome": "attended_complied"}, format="json"
    )

    assert response.status_code == 428
    assert problem_of(response)["type"] == "urn:iom:problem:if-match-required"
    appointment.refresh_from_db()
    assert appointment.outcome == ""


def test_a_change_from_a_stale_copy_is_412_and_changes_nothing():
    world = build_world()
    appointment = appointment_for(world.nominal, days=2)
    first = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    second = token_client(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    etag = etag_of(first, appointment)
    moved = first.post(
        f"/api/v1/contacts/{appointment.pk}/move/",
        {"date": in_days(4).isoformat(), "time": "11:00", "reason": "Court that morning"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert moved.status_code == 200, moved.content

    response = second.post(
        f"/api/v1/contacts/{appointment.pk}/cancel/",
        {"reason": "Person in hospital"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    body = problem_of(response)
    assert body["type"] == "urn:iom:problem:stale-record"
    assert "changed since you read it" in body["detail"]
    appointment.refresh_from_db()
    assert (appointment.outcome, appointment.date) == ("", in_days(4))


def test_an_outcome_before_the_appointment_has_started_is_refused():
    world = build_world()
    appointment = appointment_for(world.nominal, days=3)
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.post(
        f"/api/v1/contacts/{appointment.pk}/outcome/",
        {"outcome": "attended_complied"},
        format="json",
        HTTP_IF_MATCH=etag_of(client, appointment),
    )

    assert response.status_code == 400
    assert problem_of(response)["errors"][0]["pointer"] == "#/outcome"


def test_a_contact_already_held_can_no_longer_be_changed():
    world = build_world()
    held = ContactFactory.create(nominal=world.nominal)
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.post(
        f"/api/v1/contacts/{held.pk}/cancel/",
        {"reason": "Typed in error"},
        format="json",
        HTTP_IF_MATCH=etag_of(client, held),
    )

    assert response.status_code == 400
    assert problem_of(response)["detail"] == (
        "This appointment already has an outcome, so it can no longer be changed"
    )


def test_another_teams_appointment_is_404_before_anything_else():
    world = build_world()
    appointment = appointment_for(world.other_nominal)
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    for action in ("outcome", "move", "cancel"):
        response = client.post(f"/api/v1/contacts/{appointment.pk}/{action}/", {}, format="json")
        assert response.status_code == 404


def test_an_empty_body_with_the_etag_is_a_field_problem():
    world = build_world()
    appointment = appointment_for(world.nominal, days=2)
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = client.post(
        f"/api/v1/contacts/{appointment.pk}/move/",
        {},
        format="json",
        HTTP_IF_MATCH=etag_of(client, appointment),
    )

    assert response.status_code == 400
    errors = {error["pointer"]: error["detail"] for error in problem_of(response)["errors"]}
    assert errors == {
        "#/date": "Enter the new date",
        "#/time": "Enter the new time",
        "#/reason": "Enter why the appointment is moving",
    }


# Moving and cancelling a series ---------------------------------------------------------------


def test_cancelling_the_rest_of_a_series():
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    client = token_client(worker)
    starts_on = in_days(7 - timezone.localdate().weekday())
    created = client.post(
        f"/api/v1/nominals/{world.nominal.pk}/appointment-series/",
        {
            "kind": "office",
            "purpose": "monitoring",
            "weekdays": [1],
            "time": "10:00",
            "starts_on": starts_on.isoformat(),
            "weeks": 3,
        },
        format="json",
    )
    first, second, third = created.json()["appointment_ids"]
    appointment = Contact.objects.get(pk=second)

    response = client.post(
        f"/api/v1/contacts/{second}/cancel/",
        {"reason": "Order ended", "rest_of_series": True},
        format="json",
        HTTP_IF_MATCH=etag_of(client, appointment),
    )

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "cancelled_by_service"
    outcomes = dict(Contact.objects.values_list("pk", "outcome"))
    assert outcomes == {first: "", second: "cancelled_by_service", third: "cancelled_by_service"}
    event = AuditEvent.objects.get(action="appointment.cancelled")
    assert event.detail["appointments"] == 2


def test_moving_an_appointment_gives_it_a_new_etag():
    world = build_world()
    appointment = appointment_for(world.nominal, days=1)
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    etag = etag_of(client, appointment)

    response = client.post(
        f"/api/v1/contacts/{appointment.pk}/move/",
        {"date": in_days(2).isoformat(), "time": "15:30", "reason": "Clash with court"},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    assert (response.json()["date"], response.json()["time"]) == (in_days(2).isoformat(), "15:30")
    assert response["ETag"] not in ("", etag)
    assert response["ETag"] == etag_of(client, appointment)
