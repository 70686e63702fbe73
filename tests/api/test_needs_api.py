"""/api/v1/nominals/{id}/needs/ and …/needs/{pathway}/status/: the needs tab and a change of status."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts import services
from cohorts.models import Need, NeedUpdate, Pathway
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, token_client

pytestmark = pytest.mark.django_db


def url(nominal_id: int) -> str:
    return f"/api/v1/nominals/{nominal_id}/needs/"


def status_url(nominal_id: int, pathway: str) -> str:
    return f"/api/v1/nominals/{nominal_id}/needs/{pathway}/status/"


def errors_of(response) -> dict[str, str]:
    body = problem_of(response)
    return {error.get("pointer") or error["parameter"]: error["detail"] for error in body["errors"]}


def today() -> str:
    return timezone.localdate().isoformat()


def record(world, pathway="accommodation", status="identified", reason="", on=None) -> Need:
    return services.update_need(
        actor=member(Role.MANAGER, team=world.own_team),
        nominal=world.nominal,
        pathway=pathway,
        status=status,
        unmet_reason=reason,
        updated_on=on or timezone.localdate(),
    )


def test_the_team_reads_the_needs_with_their_history():
    world = build_world()
    record(world, on=timezone.localdate() - datetime.timedelta(days=10))
    record(world, status="unmet", reason="waiting_list")
    record(world, pathway="health", status="met")
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.get(url(world.nominal.pk))

    assert response.status_code == 200
    accommodation, health = response.json()["results"]
    assert (accommodation["pathway"], accommodation["status"], accommodation["unmet_reason"]) == (
        "accommodation",
        "unmet",
        "waiting_list",
    )
    assert [update["status"] for update in accommodation["updates"]] == ["unmet", "identified"]
    assert health["status"] == "met"
    unmet = client.get(url(world.nominal.pk), {"status": "unmet"}).json()["results"]
    assert [need["pathway"] for need in unmet] == ["accommodation"]
    assert set(errors_of(client.get(url(world.nominal.pk), {"pathway": "luck"}))) == {"pathway"}


def test_reading_needs_is_audited_and_another_team_gets_404():
    world = build_world()
    user = member(Role.SUPPORT_WORKER, team=world.own_team)
    assert token_client(user).get(url(world.nominal.pk)).status_code == 200
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.detail) == (user, {"page": "api:need-list"})
    assert (
        token_client(member(Role.MANAGER, team=world.other_team)).get(url(world.nominal.pk)).status_code
        == 404
    )


def test_the_list_reads_a_fixed_number_of_queries_however_many(django_assert_num_queries):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    record(world)
    client.get(url(world.nominal.pk))  # the token's first use is noted once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(world.nominal.pk)).status_code == 200
    for pathway in Pathway.values:
        record(world, pathway=pathway)
        record(world, pathway=pathway, status="being_addressed")
    # The token with its holder, the memberships, the person, the audit row, the count, the needs,
    # their updates, and who made them.
    with django_assert_num_queries(8):
        response = client.get(url(world.nominal.pk))
    assert len(one) == 8
    assert len(response.json()["results"]) == 7


def test_the_manager_records_an_unmet_need_and_why():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = client.post(
        status_url(world.nominal.pk, "accommodation"),
        {"status": "unmet", "unmet_reason": "no_service", "updated_on": today(), "note": "No hostel beds"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["unmet_reason"]) == ("unmet", "no_service")
    assert response.json()["updates"][0]["note"] == "No hostel beds"
    assert AuditEvent.objects.filter(action="need.updated").exists()


def test_an_unmet_need_says_why_and_the_date_is_not_in_the_future():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()

    unmet = client.post(
        status_url(world.nominal.pk, "ete"), {"status": "unmet", "updated_on": today()}, format="json"
    )
    future = client.post(
        status_url(world.nominal.pk, "ete"), {"status": "met", "updated_on": tomorrow}, format="json"
    )

    assert errors_of(unmet) == {"#/unmet_reason": "Select why the need is unmet"}
    assert errors_of(future) == {"#/updated_on": "The date must be today or in the past"}
    assert not NeedUpdate.objects.exists()


def test_an_unknown_pathway_is_not_found():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    response = client.post(
        status_url(world.nominal.pk, "luck"), {"status": "met", "updated_on": today()}, format="json"
    )
    assert response.status_code == 404
    problem_of(response)


def test_the_team_outside_the_case_team_cannot_change_a_need():
    world = build_world()
    body = {"status": "met", "updated_on": today()}
    worker = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert worker.post(status_url(world.nominal.pk, "health"), body, format="json").status_code == 403
    outsider = token_client(member(Role.MANAGER, team=world.other_team))
    assert outsider.post(status_url(world.nominal.pk, "health"), body, format="json").status_code == 404
    assert not Need.objects.exists()
