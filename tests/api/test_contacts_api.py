"""/api/v1/nominals/{id}/contacts/ (the person's contacts and appointments; logging a contact),
/api/v1/contacts/{id}/ and /api/v1/diary/: the pages' rules, notes rule and audit."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from iom.core.models import AuditEvent, Role
from supervision.factories import ContactFactory
from supervision.models import Contact
from tests.actors import build_world, member
from tests.api.clients import problem_of, session_client, token_client

pytestmark = pytest.mark.django_db

POLICE_NOTE = "Seen with two known burglars outside the pawn shop"


def contacts_url(nominal_id: int) -> str:
    return f"/api/v1/nominals/{nominal_id}/contacts/"


def detail_url(contact_id: int) -> str:
    return f"/api/v1/contacts/{contact_id}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


# The list -----------------------------------------------------------------------------------


def test_the_team_lists_contacts_and_appointments_newest_first():
    world = build_world()
    older = ContactFactory.create(nominal=world.nominal, date=days_ago(3))
    newer = ContactFactory.create(nominal=world.nominal, date=days_ago(1))
    planned = ContactFactory.create(nominal=world.nominal, outcome="", date=days_ago(-2))
    ContactFactory.create(nominal=world.other_nominal)
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.get(contacts_url(world.nominal.pk))

    assert ids(response) == [planned.pk, newer.pk, older.pk]
    first = response.json()["results"][0]
    assert (first["planned"], first["outcome"], first["due_an_outcome"]) == (True, None, False)
    assert response.json()["results"][1]["outcome"] == "attended_complied"


def test_the_list_is_audited_as_a_consultation_of_the_record():
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)

    token_client(worker).get(contacts_url(world.nominal.pk))

    event = AuditEvent.objects.get(action="nominal.viewed", actor=worker)
    assert event.nominal_id == world.nominal.pk
    assert event.detail == {"page": "api:nominal-contacts-list"}


@pytest.mark.parametrize(
    "role_and_scope",
    [
        pytest.param(lambda w: member(Role.POLICE_OFFENDER_MANAGER, team=w.other_team), id="other-team"),
        pytest.param(lambda w: member(Role.PARTNER), id="partner"),
        pytest.param(lambda w: member(Role.REGIONAL_LEAD, region=w.region), id="regional-lead"),
    ],
)
def test_anyone_outside_the_team_gets_404_and_the_attempt_is_logged(role_and_scope):
    world = build_world()
    outsider = role_and_scope(world)

    response = token_client(outsider).get(contacts_url(world.nominal.pk))

    assert response.status_code == 404
    assert problem_of(response)["status"] == 404
    assert AuditEvent.objects.filter(action="nominal.access_denied", actor=outsider).exists()
    assert not AuditEvent.objects.filter(action="nominal.viewed", actor=outsider).exists()


def test_a_person_who_does_not_exist_is_404():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    assert client.get(contacts_url(world.nominal.pk + 1000)).status_code == 404
    assert client.get(contacts_url(2**40)).status_code == 404


def test_anonymous_callers_get_401():
    world = build_world()
    response = APIClient().get(contacts_url(world.nominal.pk))
    assert response.status_code == 401
    problem_of(response)


def test_a_police_intelligence_note_is_read_only_by_police_in_the_team():
    world = build_world()
    ContactFactory.create(nominal=world.nominal, sensitivity="police", notes=POLICE_NOTE)
    police = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    probation = token_client(member(Role.PROBATION_PRACTITIONER, team=world.own_team))

    (seen,) = police.get(contacts_url(world.nominal.pk)).json()["results"]
    (withheld,) = probation.get(contacts_url(world.nominal.pk)).json()["results"]

    assert (seen["note"], seen["has_note"], seen["sensitivity"]) == (POLICE_NOTE, True, "police")
    assert (withheld["note"], withheld["has_note"], withheld["sensitivity"]) == (None, True, "police")
    assert POLICE_NOTE not in str(withheld)


def test_a_team_note_is_read_by_the_whole_team():
    world = build_world()
    ContactFactory.create(nominal=world.nominal, notes="Talked about the tenancy")
    ContactFactory.create(nominal=world.nominal, notes="")
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    rows = client.get(contacts_url(world.nominal.pk)).json()["results"]

    assert sorted((row["note"], row["has_note"]) for row in rows) == [
        ("", False),
        ("Talked about the tenancy", True),
    ]


def test_filters_by_kind_outcome_purpose_dates_and_planned():
    world = build_world()
    phone = ContactFactory.create(nominal=world.nominal, kind="phone", date=days_ago(10))
    absent = ContactFactory.create(nominal=world.nominal, outcome="unacceptable_absence", date=days_ago(5))
    support = ContactFactory.create(nominal=world.nominal, purpose="practical_support", date=days_ago(2))
    planned = ContactFactory.create(nominal=world.nominal, outcome="", date=days_ago(-3))
    client = token_client(member(Role.MANAGER, team=world.own_team))
    url = contacts_url(world.nominal.pk)

    assert ids(client.get(url, {"kind": "phone"})) == [phone.pk]
    assert ids(client.get(f"{url}?outcome=unacceptable_absence&outcome=attended_complied")) == [
        support.pk,
        absent.pk,
        phone.pk,
    ]
    assert ids(client.get(url, {"purpose": "practical_support"})) == [support.pk]
    assert ids(
        client.get(url, {"date_from": days_ago(6).isoformat(), "date_to": days_ago(1).isoformat()})
    ) == [support.pk, absent.pk]
    assert ids(client.get(url, {"planned": "true"})) == [planned.pk]
    assert ids(client.get(url, {"planned": "false"})) == [support.pk, absent.pk, phone.pk]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("date_from", "yesterday"), ("kind", "carrier_pigeon"), ("outcome", "maybe"), ("fields", "id,secret")],
)
def test_a_bad_query_value_is_a_problem_naming_the_parameter(parameter, value):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = client.get(contacts_url(world.nominal.pk), {parameter: value})

    assert response.status_code == 400
    (error,) = problem_of(response)["errors"]
    assert error["parameter"] == parameter
    assert error["detail"]


def test_ordering_by_a_listed_field_with_ties_broken_by_id():
    world = build_world()
    same_day = [ContactFactory.create(nominal=world.nominal, date=days_ago(1)) for _ in range(3)]
    earlier = ContactFactory.create(nominal=world.nominal, date=days_ago(4))
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = client.get(contacts_url(world.nominal.pk), {"ordering": "date"})

    assert ids(response) == [earlier.pk, *sorted((c.pk for c in same_day), reverse=True)]


def test_sparse_fields_and_pages():
    world = build_world()
    for day in range(5):
        ContactFactory.create(nominal=world.nominal, date=days_ago(day))
    client = token_client(member(Role.MANAGER, team=world.own_team))

    body = client.get(
        contacts_url(world.nominal.pk), {"fields": "id,date", "page_size": "2", "page": "2"}
    ).json()

    assert body["count"] == 5
    assert [set(row) for row in body["results"]] == [{"id", "date"}, {"id", "date"}]
    assert [row["date"] for row in body["results"]] == [days_ago(2).isoformat(), days_ago(3).isoformat()]


def test_the_list_reads_a_fixed_number_of_queries_however_many_rows(django_assert_num_queries):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    other = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    client = token_client(worker)

    def add(count: int) -> None:
        for index in range(count):
            contact = ContactFactory.create(
                nominal=world.nominal, date=days_ago(index % 20), sensitivity="police", notes="A note"
            )
            contact.attendance.create(user=worker, organisation=worker.organisation)
            contact.attendance.create(user=other, organisation=other.organisation)

    add(1)
    client.get(contacts_url(world.nominal.pk))  # the token's first use is noted once, not every time
    with CaptureQueriesContext(connection) as one:
        assert client.get(contacts_url(world.nominal.pk)).status_code == 200
    add(29)
    # The token with its holder, the holder's memberships, the person, the consultation's audit
    # row, the count, the page of contacts with who logged and recorded them, and their attendance
    # with each attendee and agency.
    with django_assert_num_queries(7):
        response = client.get(contacts_url(world.nominal.pk))
    assert len(one) == 7
    assert len(response.json()["results"]) == 30


def test_the_browser_session_reads_the_list_too():
    world = build_world()
    contact = ContactFactory.create(nominal=world.nominal)
    client = session_client(member(Role.MANAGER, team=world.own_team))
    assert ids(client.get(contacts_url(world.nominal.pk))) == [contact.pk]


# One contact --------------------------------------------------------------------------------


def test_a_contact_with_its_attendees_and_etag_and_the_reading_is_audited():
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team, full_name="Sam Okafor")
    contact = ContactFactory.create(nominal=world.nominal, location="Hub", duration_minutes=45)
    contact.attendance.create(user=worker, organisation=worker.organisation)

    response = token_client(worker).get(detail_url(contact.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == contact.pk
    assert body["nominal_id"] == world.nominal.pk
    assert (body["kind"], body["purpose"], body["location"], body["duration_minutes"]) == (
        "office",
        "monitoring",
        "Hub",
        45,
    )
    assert body["attendees"] == [
        {"user_id": worker.pk, "full_name": "Sam Okafor", "organisation": "Northshire Support Services"}
    ]
    assert body["logged_by"] == {"id": contact.logged_by_id, "full_name": contact.logged_by.full_name}
    assert response["ETag"].startswith('"')
    event = AuditEvent.objects.get(action="nominal.viewed", actor=worker)
    assert (event.nominal_id, event.detail) == (world.nominal.pk, {"page": "api:contact-detail"})


def test_another_teams_contact_is_404():
    world = build_world()
    contact = ContactFactory.create(nominal=world.other_nominal)
    client = token_client(member(Role.MANAGER, team=world.own_team))
    assert client.get(detail_url(contact.pk)).status_code == 404
    assert client.get(detail_url(contact.pk + 1000)).status_code == 404


def test_the_police_note_rule_applies_to_one_contact_too():
    world = build_world()
    contact = ContactFactory.create(nominal=world.nominal, sensitivity="police", notes=POLICE_NOTE)
    manager = token_client(member(Role.MANAGER, team=world.own_team))
    assert manager.get(detail_url(contact.pk)).json()["note"] is None


# Logging a contact --------------------------------------------------------------------------


def log_body(**overrides):
    return {
        "kind": "office",
        "outcome": "attended_complied",
        "purpose": "practical_support",
        "date": days_ago(1).isoformat(),
        "time": "10:30",
        "notes": "Talked about the tenancy",
        **overrides,
    }


def test_a_team_member_logs_a_contact_through_the_service():
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)

    response = token_client(worker).post(contacts_url(world.nominal.pk), log_body(), format="json")

    assert response.status_code == 201, response.content
    contact = Contact.objects.get()
    assert response["Location"] == detail_url(contact.pk)
    assert response["ETag"]
    body = response.json()
    assert (body["id"], body["outcome"], body["time"], body["note"]) == (
        contact.pk,
        "attended_complied",
        "10:30",
        "Talked about the tenancy",
    )
    assert [row["user_id"] for row in body["attendees"]] == [worker.pk]
    assert AuditEvent.objects.filter(
        action="contact.logged", actor=worker, nominal_id=world.nominal.pk
    ).exists()
    assert not AuditEvent.objects.filter(action="nominal.viewed").exists()


def test_the_same_submission_id_twice_logs_one_contact_and_answers_200_the_second_time():
    world = build_world()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    body = log_body(submission_id=str(uuid.uuid4()))

    first = client.post(contacts_url(world.nominal.pk), body, format="json")
    second = client.post(contacts_url(world.nominal.pk), body, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Contact.objects.count() == 1


def test_a_submission_id_used_for_another_person_is_refused():
    world = build_world()
    world.other_nominal.team = world.own_team
    world.other_nominal.save()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    body = log_body(submission_id=str(uuid.uuid4()))
    assert client.post(contacts_url(world.nominal.pk), body, format="json").status_code == 201

    response = client.post(contacts_url(world.other_nominal.pk), body, format="json")

    assert response.status_code == 400
    assert "already been used" in problem_of(response)["detail"]


def test_missing_fields_are_problems_pointing_at_each_field():
    world = build_world()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.post(contacts_url(world.nominal.pk), {}, format="json")

    assert response.status_code == 400
    errors = {error["pointer"]: error["detail"] for error in problem_of(response)["errors"]}
    assert errors == {
        "#/kind": "Select the type of contact",
        "#/outcome": "Select the outcome",
        "#/purpose": "Select the purpose",
    }
    assert not Contact.objects.exists()


def test_the_services_rules_come_back_as_field_problems():
    world = build_world()
    probation = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
    client = token_client(probation)
    url = contacts_url(world.nominal.pk)

    future = client.post(url, log_body(date=days_ago(-1).isoformat()), format="json")
    police = client.post(url, log_body(sensitivity="police"), format="json")
    joint = client.post(url, log_body(kind="joint_visit", attendees=[probation.pk]), format="json")
    stranger = client.post(url, log_body(attendees=[outsider.pk]), format="json")

    assert problem_of(future)["errors"] == [
        {"pointer": "#/date", "detail": "Date of contact must be today or in the past"}
    ]
    assert problem_of(police)["errors"][0]["pointer"] == "#/sensitivity"
    assert "two agencies" in problem_of(joint)["errors"][0]["detail"]
    assert problem_of(stranger)["errors"] == [
        {"pointer": "#/attendees", "detail": "Attendees must be staff of this person's IOM team"}
    ]
    assert not Contact.objects.exists()


def test_police_in_the_team_may_log_a_police_intelligence_note():
    world = build_world()
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    response = client.post(
        contacts_url(world.nominal.pk), log_body(sensitivity="police", notes=POLICE_NOTE), format="json"
    )
    assert response.status_code == 201
    assert response.json()["note"] == POLICE_NOTE


def test_logging_for_another_teams_person_is_404_and_writes_nothing():
    world = build_world()
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team))
    response = client.post(contacts_url(world.nominal.pk), log_body(), format="json")
    assert response.status_code == 404
    assert not Contact.objects.exists()


def test_a_browser_session_must_send_the_csrf_token_to_log_a_contact():
    world = build_world()
    client = session_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    response = client.post(contacts_url(world.nominal.pk), log_body(), format="json")
    assert response.status_code == 403
    assert not Contact.objects.exists()


# My diary -----------------------------------------------------------------------------------


def test_my_diary_lists_what_i_attend_between_two_dates_and_is_audited():
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    mine = ContactFactory.create(nominal=world.nominal, outcome="", date=days_ago(-1))
    mine.attendance.create(user=worker, organisation=worker.organisation)
    ContactFactory.create(nominal=world.nominal, outcome="", date=days_ago(-1))  # not attending
    too_late = ContactFactory.create(nominal=world.nominal, outcome="", date=days_ago(-20))
    too_late.attendance.create(user=worker, organisation=worker.organisation)
    client = token_client(worker)

    response = client.get(
        "/api/v1/diary/", {"start": days_ago(0).isoformat(), "end": days_ago(-7).isoformat()}
    )

    assert ids(response) == [mine.pk]
    (entry,) = response.json()["results"]
    assert entry["nominal"] == {"id": world.nominal.pk, "full_name": world.nominal.full_name}
    assert "note" not in entry
    assert AuditEvent.objects.filter(action="diary.viewed", actor=worker).exists()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({}, "start"),
        ({"start": "2026-11-10", "end": "2026-11-01"}, "end"),
        ({"start": "2026-01-01", "end": "2026-12-31"}, "end"),
        ({"start": "soon", "end": "2026-11-01"}, "start"),
    ],
)
def test_the_diary_needs_a_sensible_range(query, parameter):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    response = client.get("/api/v1/diary/", query)
    assert response.status_code == 400
    assert parameter in [error["parameter"] for error in problem_of(response)["errors"]]


def test_the_diary_is_not_there_for_people_without_a_caseload():
    world = build_world()
    client = token_client(member(Role.REGIONAL_LEAD, region=world.region))
    response = client.get("/api/v1/diary/", {"start": "2026-11-01", "end": "2026-11-07"})
    assert response.status_code == 404


@pytest.mark.parametrize("huge", [2**31, 2**63, 2**70])
def test_ids_too_large_for_the_database_are_simply_not_found(huge):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    assert client.get(contacts_url(huge)).status_code == 404
    assert client.get(detail_url(huge)).status_code == 404
    assert client.post(f"/api/v1/contacts/{huge}/cancel/", {}, format="json").status_code == 404


@pytest.mark.parametrize("time", ["9:30", "10:30:00", "24:00", "10:30Z", 1030])
def test_times_are_24_hour_hours_and_minutes(time):
    world = build_world()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    response = client.post(contacts_url(world.nominal.pk), log_body(time=time), format="json")
    assert response.status_code == 400
    assert problem_of(response)["errors"] == [
        {"pointer": "#/time", "detail": "Enter the time as 24-hour hours and minutes, like 14:30"}
    ]
