"""/api/v1/nominals/ (the caseload; adding a person) and /api/v1/nominals/{id}/ (the record; changing
it with If-Match): the pages' rules, audit and optimistic locking."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from cohorts import services
from cohorts.factories import NominalFactory
from cohorts.models import Nominal, NominalChange
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, session_client, token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/nominals/"


def detail_url(nominal_id: int) -> str:
    return f"/api/v1/nominals/{nominal_id}/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [f"{row['given_name']} {row['family_name']}" for row in response.json()["results"]]


def errors_of(response) -> dict[str, str]:
    """Field errors by pointer or parameter."""
    body = problem_of(response)
    return {error.get("pointer") or error["parameter"]: error["detail"] for error in body["errors"]}


# The caseload --------------------------------------------------------------------------------


def test_the_caseload_lists_my_teams_people_only():
    world = build_world()
    client = token_client(member(Role.PROBATION_PRACTITIONER, team=world.own_team))

    response = client.get(LIST)

    assert names(response) == ["Dean Robson"]
    entry = response.json()["results"][0]
    assert entry["team"] == {"id": world.own_team.pk, "name": "City IOM"}
    assert (entry["cohort"], entry["membership_status"], entry["rosh"]) == (None, None, None)
    assert response["Cache-Control"] == "no-store, private"


def test_the_caseload_filters_and_sorts_as_the_page_does():
    world = build_world()
    NominalFactory.create(team=world.own_team, given_name="Amy", family_name="Bell", crn="A123456")
    proposer = member(Role.MANAGER, team=world.own_team)
    services.propose_for_cohort(actor=proposer, nominal=world.nominal, cohort="flex", reason="Emerging risk")
    client = token_client(proposer)

    assert names(client.get(LIST, {"q": "a123456"})) == ["Amy Bell"]
    assert names(client.get(LIST, {"cohort": "proposed"})) == ["Dean Robson"]
    assert names(client.get(LIST, {"cohort": "none"})) == ["Amy Bell"]
    assert names(client.get(LIST, {"ordering": "-name"})) == ["Dean Robson", "Amy Bell"]
    proposed = client.get(LIST, {"cohort": "proposed"}).json()["results"][0]
    assert (proposed["cohort"], proposed["membership_status"]) == ("flex", "proposed")


def test_a_bad_filter_value_is_a_problem_naming_the_parameter():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = client.get(LIST, {"cohort": "gold", "ordering": "age"})

    assert response.status_code == 400
    assert set(errors_of(response)) == {"cohort", "ordering"}
    assert "gold" in errors_of(response)["cohort"]


def test_viewing_the_caseload_is_audited_as_the_page_does():
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)

    entries = token_client(user).get(LIST, {"q": "robson"}).json()["results"]

    event = AuditEvent.objects.get(action="caseload.viewed")
    assert event.actor == user
    assert event.detail == {
        "search": True,
        "filtered": True,
        "page": 1,
        "rows": 1,
        "endpoint": "api:nominal-list",
    }
    # What the page and its export show; the date of birth is read (and logged) person by person.
    assert [entry["family_name"] for entry in entries] == ["Robson"]
    assert "date_of_birth" not in entries[0]


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.ADMINISTRATOR])
def test_someone_without_a_caseload_is_told_there_is_none(role):
    world = build_world()
    user = member(role, region=world.region if role == Role.REGIONAL_LEAD else None)
    response = token_client(user).get(LIST)
    assert response.status_code == 404
    problem_of(response)


def test_signing_in_comes_first():
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_sparse_fields_return_only_what_was_asked():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = client.get(LIST, {"fields": "id,family_name"})

    assert response.json()["results"] == [{"id": world.nominal.pk, "family_name": "Robson"}]
    unknown = client.get(LIST, {"fields": "id,shoe_size"})
    assert unknown.status_code == 400
    assert "shoe_size" in errors_of(unknown)["fields"]


def test_the_caseload_reads_a_fixed_number_of_queries_however_many_people(django_assert_num_queries):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    world.nominal.police_offender_manager = worker
    world.nominal.save()
    client = token_client(worker)
    client.get(LIST)  # the token's first use is noted once, not every time
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    NominalFactory.create_batch(29, team=world.own_team, police_offender_manager=worker)
    # The token with its holder, the holder's memberships, the count, the page of people with their
    # team and case team (cohort, review, risk and latest activity as subqueries), the audit row.
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(one) == 5
    assert len(response.json()["results"]) == 30


# Adding a person ---------------------------------------------------------------------------


NEW_PERSON = {
    "given_name": "Amy",
    "family_name": "Bell",
    "date_of_birth": "1994-03-02",
    "crn": "b123456",
    "statutory_status": "licence",
    "aliases": ["Ames", "Ames", "Amy B"],
}


def test_adding_a_person_puts_them_in_my_team():
    world = build_world()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.post(LIST, NEW_PERSON, format="json")

    assert response.status_code == 201, response.content
    nominal = Nominal.objects.get(family_name="Bell")
    assert (nominal.team, nominal.crn) == (world.own_team, "B123456")
    assert response["Location"] == detail_url(nominal.pk)
    assert response["ETag"] == f'"{nominal.pk}-v1"'
    assert response.json()["aliases"] == ["Ames", "Amy B"]
    assert AuditEvent.objects.filter(action="nominal.created", target_id=str(nominal.pk)).exists()


def test_an_identifier_someone_else_holds_is_refused_in_plain_words():
    world = build_world()
    world.nominal.crn = "B123456"
    world.nominal.save()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.post(LIST, NEW_PERSON, format="json")

    assert response.status_code == 400
    assert errors_of(response) == {"#/crn": "CRN B123456 is already recorded for Dean Robson"}
    assert not Nominal.objects.filter(family_name="Bell").exists()


def test_a_new_person_needs_names_and_a_statutory_status():
    world = build_world()
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.post(LIST, {"given_name": "", "crn": "not a crn"}, format="json")

    assert response.status_code == 400
    assert set(errors_of(response)) == {"#/given_name", "#/family_name", "#/statutory_status"}
    invalid = client.post(LIST, {**NEW_PERSON, "crn": "12"}, format="json")
    assert set(errors_of(invalid)) == {"#/crn"}


def test_someone_without_a_team_cannot_add_a_person():
    build_world()
    response = token_client(member(Role.PARTNER)).post(LIST, NEW_PERSON, format="json")
    assert response.status_code == 404


# A person's record -------------------------------------------------------------------------


def test_the_record_answers_with_its_etag_and_the_reading_is_audited():
    world = build_world()
    user = member(Role.SUPPORT_WORKER, team=world.own_team)

    response = token_client(user).get(detail_url(world.nominal.pk))

    assert response.status_code == 200
    assert response["ETag"] == f'"{world.nominal.pk}-v1"'
    body = response.json()
    assert (body["family_name"], body["version"], body["police_offender_manager"]) == ("Robson", 1, None)
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.nominal_id, event.detail) == (
        user,
        world.nominal.pk,
        {"page": "api:nominal-detail"},
    )


def test_another_teams_person_is_not_found_and_the_attempt_is_logged():
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)

    response = token_client(user).get(detail_url(world.other_nominal.pk))

    assert response.status_code == 404
    problem_of(response)
    assert AuditEvent.objects.filter(
        action="nominal.access_denied", nominal_id=world.other_nominal.pk
    ).exists()
    assert token_client(user).get(detail_url(999999)).status_code == 404


# Changing the record -----------------------------------------------------------------------


def patch(client, nominal, data, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(detail_url(nominal.pk), data, format="json", **headers)


def test_the_manager_changes_details_with_the_etag_and_gets_the_next_one():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    etag = client.get(detail_url(world.nominal.pk))["ETag"]

    response = patch(client, world.nominal, {"family_name": "Robertson", "pnc_id": "2012/0052494q"}, etag)

    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{world.nominal.pk}-v2"'
    assert (response.json()["family_name"], response.json()["version"]) == ("Robertson", 2)
    assert set(NominalChange.objects.values_list("field", flat=True)) == {"family_name", "pnc_id"}


def test_the_case_team_may_change_the_record_too():
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    world.nominal.support_worker = worker
    world.nominal.save()

    response = patch(
        token_client(worker), world.nominal, {"address_area": "Byker"}, etag=f'"{world.nominal.pk}-v1"'
    )

    assert response.status_code == 200, response.content


def test_a_change_without_if_match_is_refused_with_428():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = patch(client, world.nominal, {"family_name": "Robertson"})

    assert response.status_code == 428
    assert problem_of(response)["type"] == "urn:iom:problem:if-match-required"
    assert Nominal.objects.get(pk=world.nominal.pk).family_name == "Robson"


def test_a_stale_change_is_refused_with_412_saying_what_changed():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    etag = client.get(detail_url(world.nominal.pk))["ETag"]
    colleague = member(Role.MANAGER, team=world.own_team, full_name="Priya Shah")
    services.update_nominal(
        actor=colleague, nominal=world.nominal, expected_version=1, changes={"address_area": "Walker"}
    )

    response = patch(client, world.nominal, {"address_area": "Byker"}, etag)

    assert response.status_code == 412
    body = problem_of(response)
    assert body["type"] == "urn:iom:problem:stale-record"
    assert body["detail"].startswith(
        "This record has changed since you read it: Address area changed by Priya Shah."
    )
    assert Nominal.objects.get(pk=world.nominal.pk).address_area == "Walker"


def test_a_change_that_loses_the_race_inside_the_service_is_412_too(monkeypatch):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    etag = client.get(detail_url(world.nominal.pk))["ETag"]
    real = services.update_nominal

    def someone_else_first(**kwargs):
        Nominal.objects.filter(pk=world.nominal.pk).update(version=2)
        return real(**kwargs)

    monkeypatch.setattr(services, "update_nominal", someone_else_first)

    assert patch(client, world.nominal, {"address_area": "Byker"}, etag).status_code == 412
    assert Nominal.objects.get(pk=world.nominal.pk).address_area == ""


def test_the_rest_of_the_team_can_see_but_not_change_the_record():
    world = build_world()
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    response = patch(client, world.nominal, {"family_name": "Robertson"}, f'"{world.nominal.pk}-v1"')
    assert response.status_code == 403
    problem_of(response)


def test_another_teams_manager_gets_404_not_403():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.other_team))
    response = patch(client, world.nominal, {"family_name": "Robertson"}, f'"{world.nominal.pk}-v1"')
    assert response.status_code == 404


def test_custody_dates_are_checked_together_with_the_record_as_the_page_does():
    world = build_world()
    world.nominal.sentence_date = datetime.date(2025, 6, 1)
    world.nominal.save()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    etag = f'"{world.nominal.pk}-v1"'

    no_prison = patch(client, world.nominal, {"in_custody": True}, etag)
    too_early = patch(client, world.nominal, {"conditional_release_date": "2025-01-01"}, etag)

    assert errors_of(no_prison) == {"#/establishment": "Enter the establishment they are held in"}
    assert set(errors_of(too_early)) == {"#/conditional_release_date"}
    assert Nominal.objects.get(pk=world.nominal.pk).version == 1

    release = timezone.localdate() + datetime.timedelta(weeks=4)
    response = patch(
        client,
        world.nominal,
        {"in_custody": True, "establishment": "HMP Durham", "conditional_release_date": release.isoformat()},
        etag,
    )
    assert response.status_code == 200, response.content
    assert (response.json()["establishment"], response.json()["conditional_release_date"]) == (
        "HMP Durham",
        release.isoformat(),
    )
    released = patch(client, world.nominal, {"in_custody": False}, response["ETag"])
    assert (released.json()["in_custody"], released.json()["establishment"]) == (False, "")


def test_an_empty_change_or_a_bad_value_is_a_field_by_field_problem():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    etag = f'"{world.nominal.pk}-v1"'

    empty = patch(client, world.nominal, {}, etag)
    bad = patch(client, world.nominal, {"given_name": "", "gender": "unknown", "date_of_birth": "soon"}, etag)

    assert empty.status_code == 400
    assert "at least one field" in problem_of(empty)["detail"]
    assert set(errors_of(bad)) == {"#/given_name", "#/gender", "#/date_of_birth"}


def test_a_field_the_change_does_not_take_is_refused_not_dropped():
    """A client sending `team` must not believe it moved the person; nothing is changed."""
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    etag = f'"{world.nominal.pk}-v1"'

    response = patch(
        client, world.nominal, {"given_name": "Deano", "team": world.other_team.pk, "version": 9}, etag
    )

    assert response.status_code == 400
    assert set(errors_of(response)) == {"#/team", "#/version"}
    world.nominal.refresh_from_db()
    assert (world.nominal.given_name, world.nominal.team, world.nominal.version) == (
        "Dean",
        world.own_team,
        1,
    )


def test_the_browser_session_needs_its_csrf_token_to_change_the_record():
    world = build_world()
    client = session_client(member(Role.MANAGER, team=world.own_team))
    assert client.get(detail_url(world.nominal.pk)).status_code == 200
    response = patch(client, world.nominal, {"family_name": "Robertson"}, f'"{world.nominal.pk}-v1"')
    assert response.status_code == 403
