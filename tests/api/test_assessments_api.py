"""/api/v1/nominals/{id}/assessments/: the risk tab's history and recording an assessment."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts import services
from cohorts.models import Assessment
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, token_client

pytestmark = pytest.mark.django_db


def url(nominal_id: int) -> str:
    return f"/api/v1/nominals/{nominal_id}/assessments/"


def errors_of(response) -> dict[str, str]:
    body = problem_of(response)
    return {error.get("pointer") or error["parameter"]: error["detail"] for error in body["errors"]}


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def assess(world, kind="rosh", *, level="high", score=None, on=None) -> Assessment:
    return services.record_assessment(
        actor=member(Role.MANAGER, team=world.own_team),
        nominal=world.nominal,
        kind=kind,
        level=level,
        score=score,
        assessed_on=on or days_ago(1),
    )


def test_the_team_reads_assessments_newest_first_and_by_kind():
    world = build_world()
    older = assess(world, on=days_ago(40))
    newer = assess(world, "ogrs", level="", score=64, on=days_ago(2))
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.get(url(world.nominal.pk))

    assert [row["id"] for row in response.json()["results"]] == [newer.pk, older.pk]
    first = response.json()["results"][0]
    assert (first["kind"], first["level"], first["score"]) == ("ogrs", "", 64)
    only_rosh = client.get(url(world.nominal.pk), {"kind": "rosh"}).json()["results"]
    assert [row["id"] for row in only_rosh] == [older.pk]
    oldest_first = client.get(url(world.nominal.pk), {"ordering": "assessed_on"}).json()["results"]
    assert [row["id"] for row in oldest_first] == [older.pk, newer.pk]
    assert set(errors_of(client.get(url(world.nominal.pk), {"kind": "tarot"}))) == {"kind"}


def test_reading_assessments_is_audited_and_another_team_gets_404():
    world = build_world()
    user = member(Role.SUPPORT_WORKER, team=world.own_team)
    assert token_client(user).get(url(world.nominal.pk)).status_code == 200
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.detail) == (user, {"page": "api:assessment-list"})
    outsider = token_client(member(Role.MANAGER, team=world.other_team))
    assert outsider.get(url(world.nominal.pk)).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries_however_many(django_assert_num_queries):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    assess(world)
    client.get(url(world.nominal.pk))  # the token's first use is noted once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(world.nominal.pk)).status_code == 200
    for days in range(29):
        assess(world, on=days_ago(days))
    # The token with its holder, the memberships, the person, the audit row, the count, and the
    # page of assessments with who assessed.
    with django_assert_num_queries(6):
        response = client.get(url(world.nominal.pk))
    assert len(one) == 6
    assert len(response.json()["results"]) == 30


def test_the_manager_records_a_level_or_a_score():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))

    rosh = client.post(
        url(world.nominal.pk),
        {"kind": "rosh", "level": "very_high", "assessed_on": days_ago(0).isoformat(), "notes": " OASys "},
        format="json",
    )
    ogp = client.post(
        url(world.nominal.pk),
        {"kind": "ogp", "score": 12, "assessed_on": days_ago(3).isoformat()},
        format="json",
    )

    assert rosh.status_code == 201, rosh.content
    assert (rosh.json()["level"], rosh.json()["notes"]) == ("very_high", "OASys")
    assert (ogp.status_code, ogp.json()["score"], ogp.json()["level"]) == (201, 12, "")
    assert AuditEvent.objects.filter(action="assessment.recorded").count() == 2


def test_a_level_must_belong_to_the_kind_and_a_score_is_needed_for_ogrs():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    today = days_ago(0).isoformat()

    tier = client.post(
        url(world.nominal.pk), {"kind": "tier", "level": "high", "assessed_on": today}, format="json"
    )
    ogrs = client.post(url(world.nominal.pk), {"kind": "ogrs", "assessed_on": today}, format="json")
    future = client.post(
        url(world.nominal.pk),
        {"kind": "rosh", "level": "low", "assessed_on": days_ago(-1).isoformat()},
        format="json",
    )
    scale = client.post(
        url(world.nominal.pk), {"kind": "ogrs", "score": 101, "assessed_on": today}, format="json"
    )

    assert errors_of(tier) == {"#/level": "Select a level"}
    assert errors_of(ogrs) == {"#/score": "Enter the score as a whole percentage from 0 to 100"}
    assert errors_of(future) == {"#/assessed_on": "The assessment date must be today or in the past"}
    assert set(errors_of(scale)) == {"#/score"}
    assert not Assessment.objects.exists()


def test_the_team_outside_the_case_team_cannot_record_one():
    world = build_world()
    body = {"kind": "rosh", "level": "low", "assessed_on": days_ago(0).isoformat()}
    worker = token_client(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert worker.post(url(world.nominal.pk), body, format="json").status_code == 403
    outsider = token_client(member(Role.MANAGER, team=world.other_team))
    assert outsider.post(url(world.nominal.pk), body, format="json").status_code == 404
    assert not Assessment.objects.exists()
