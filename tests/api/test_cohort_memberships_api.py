"""/api/v1/nominals/{id}/cohort-memberships/ (history; proposing), /api/v1/cohort-memberships/{id}/
and its panel decision and review: the cohort pages' rules and audit."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts import services
from cohorts.api.memberships import version_of
from cohorts.models import CohortMembership, CohortReview
from iom.core.api.concurrency import etag_for
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, token_client

pytestmark = pytest.mark.django_db


def history_url(nominal_id: int) -> str:
    return f"/api/v1/nominals/{nominal_id}/cohort-memberships/"


def detail_url(membership_id: int) -> str:
    return f"/api/v1/cohort-memberships/{membership_id}/"


def errors_of(response) -> dict[str, str]:
    body = problem_of(response)
    return {error.get("pointer") or error["parameter"]: error["detail"] for error in body["errors"]}


def propose(world, *, nominal=None, cohort="fixed") -> CohortMembership:
    return services.propose_for_cohort(
        actor=member(Role.PROBATION_PRACTITIONER, team=world.own_team),
        nominal=nominal or world.nominal,
        cohort=cohort,
        reason="Persistent burglary",
        proposed_on=timezone.localdate() - datetime.timedelta(days=30),
    )


def accept(world, membership: CohortMembership) -> CohortMembership:
    return services.record_panel_decision(
        actor=member(Role.MANAGER, team=world.own_team),
        membership=membership,
        accepted=True,
        panel_date=membership.proposed_on,
        attendees="DS Hall, J. Okoro",
        rationale="Meets the Fixed criteria",
    )


def today() -> str:
    return timezone.localdate().isoformat()


# History -----------------------------------------------------------------------------------


def test_the_team_reads_a_persons_memberships_with_their_reviews():
    world = build_world()
    membership = accept(world, propose(world))
    services.record_review(
        actor=member(Role.MANAGER, team=world.own_team),
        membership=membership,
        reviewed_on=timezone.localdate(),
        outcome="exit",
        rationale="Completed licence",
        exit_reason="completed",
    )
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))

    response = client.get(history_url(world.nominal.pk))

    assert response.status_code == 200
    [ended] = response.json()["results"]
    assert (ended["id"], ended["status"], ended["exit_reason"]) == (membership.pk, "ended", "completed")
    assert [review["outcome"] for review in ended["reviews"]] == ["exit"]
    assert client.get(history_url(world.nominal.pk), {"status": "active"}).json()["results"] == []
    bad = client.get(history_url(world.nominal.pk), {"status": "paused"})
    assert set(errors_of(bad)) == {"status"}


def test_reading_the_history_is_audited_as_a_consultation_of_the_record():
    world = build_world()
    user = member(Role.SUPPORT_WORKER, team=world.own_team)
    token_client(user).get(history_url(world.nominal.pk))
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.nominal_id, event.detail) == (
        user,
        world.nominal.pk,
        {"page": "api:cohort-membership-list"},
    )


def test_another_teams_history_is_not_found():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.other_team))
    assert client.get(history_url(world.nominal.pk)).status_code == 404


def test_the_history_reads_a_fixed_number_of_queries_however_long(django_assert_num_queries):
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    reviewer = member(Role.MANAGER, team=world.own_team)

    def add_ended_membership() -> None:
        membership = accept(world, propose(world, cohort="flex"))
        services.record_review(
            actor=reviewer,
            membership=membership,
            reviewed_on=timezone.localdate(),
            outcome="exit",
            rationale="Risk reduced",
            exit_reason="risk_reduced",
        )

    add_ended_membership()
    client.get(history_url(world.nominal.pk))  # the token's first use is noted once
    with CaptureQueriesContext(connection) as one:
        assert client.get(history_url(world.nominal.pk)).status_code == 200
    for _ in range(9):
        add_ended_membership()
    # The token with its holder, the memberships, the person, the audit row, the count, the
    # memberships with who proposed and recorded the panel, and their reviews with the reviewers.
    with django_assert_num_queries(7):
        response = client.get(history_url(world.nominal.pk))
    assert len(one) == 7
    assert len(response.json()["results"]) == 10


# Proposing ----------------------------------------------------------------------------------


def test_a_frontline_worker_proposes_a_person_for_the_panel():
    world = build_world()
    client = token_client(member(Role.YOUNG_ADULT_SUPPORT_WORKER, team=world.own_team))

    response = client.post(
        history_url(world.nominal.pk),
        {"cohort": "free", "reason": "Young adult, emerging risk"},
        format="json",
    )

    assert response.status_code == 201, response.content
    membership = CohortMembership.objects.get(nominal=world.nominal)
    assert response["Location"] == detail_url(membership.pk)
    assert (response.json()["status"], response.json()["cohort"]) == ("proposed", "free")
    assert AuditEvent.objects.filter(action="cohort.proposed").exists()


def test_a_second_open_proposal_is_refused_on_the_cohort_field():
    world = build_world()
    propose(world)
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = client.post(history_url(world.nominal.pk), {"cohort": "flex", "reason": "Also"}, format="json")

    assert response.status_code == 400
    assert "awaiting the panel's decision" in errors_of(response)["#/cohort"]
    assert CohortMembership.objects.count() == 1


def test_a_proposal_needs_a_cohort_and_a_reason():
    world = build_world()
    client = token_client(member(Role.MANAGER, team=world.own_team))
    response = client.post(history_url(world.nominal.pk), {"cohort": "gold", "reason": "  "}, format="json")
    assert set(errors_of(response)) == {"#/cohort", "#/reason"}


def test_another_team_cannot_propose_and_is_not_told_the_person_exists():
    world = build_world()
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team))
    response = client.post(history_url(world.nominal.pk), {"cohort": "fixed", "reason": "x"}, format="json")
    assert response.status_code == 404


# One membership -----------------------------------------------------------------------------


def test_one_membership_is_read_by_the_team_and_audited():
    world = build_world()
    membership = propose(world)
    user = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)

    response = token_client(user).get(detail_url(membership.pk))

    assert response.status_code == 200
    assert (response.json()["nominal"], response.json()["proposal_reason"]) == (
        world.nominal.pk,
        "Persistent burglary",
    )
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.nominal_id, event.detail) == (world.nominal.pk, {"page": "api:cohort-membership-detail"})


def test_another_teams_membership_is_not_found_and_the_attempt_logged():
    world = build_world()
    membership = propose(world)
    response = token_client(member(Role.MANAGER, team=world.other_team)).get(detail_url(membership.pk))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="nominal.access_denied", nominal_id=world.nominal.pk).exists()


# The panel's decision -------------------------------------------------------------------------


def decide(client, membership, **changes):
    data = {
        "decision": "accept",
        "panel_date": today(),
        "attendees": "DS Hall, J. Okoro",
        "rationale": "Meets the criteria",
        **changes,
    }
    return client.post(f"{detail_url(membership.pk)}decision/", data, format="json")


def test_the_teams_manager_accepts_a_proposal_onto_the_cohort():
    world = build_world()
    membership = propose(world)
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = decide(client, membership)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["entry_date"]) == ("active", today())
    assert body["review_due"] is not None
    assert AuditEvent.objects.filter(action="cohort.panel_decided").exists()


def test_a_decided_proposal_is_no_longer_on_the_panel():
    world = build_world()
    membership = propose(world)
    client = token_client(member(Role.MANAGER, team=world.own_team))
    assert decide(client, membership, decision="decline").json()["status"] == "not_accepted"
    assert decide(client, membership).status_code == 404


def test_the_panel_date_cannot_be_in_the_future():
    world = build_world()
    membership = propose(world)
    client = token_client(member(Role.MANAGER, team=world.own_team))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = decide(client, membership, panel_date=tomorrow, attendees="")
    assert set(errors_of(response)) == {"#/attendees"}  # the serializer's, before the service's
    response = decide(client, membership, panel_date=tomorrow)
    assert errors_of(response) == {"#/panel_date": "The panel date must be today or in the past"}


@pytest.mark.parametrize(
    "who",
    [
        lambda w: member(Role.POLICE_OFFENDER_MANAGER, team=w.own_team),
        lambda w: member(Role.MANAGER, team=w.other_team),
    ],
)
def test_only_the_teams_manager_finds_the_proposal_as_on_the_panel_page(who):
    world = build_world()
    membership = propose(world)
    assert decide(token_client(who(world)), membership).status_code == 404
    assert CohortMembership.objects.get(pk=membership.pk).status == "proposed"


# Reviews ------------------------------------------------------------------------------------


def review(client, membership, *, if_match=None, **data):
    """A review sent with the membership's current ETag, unless the test says otherwise."""
    if if_match is None:
        if_match = etag_for(version_of(CohortMembership.objects.get(pk=membership.pk)))
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    return client.post(f"{detail_url(membership.pk)}review/", data, format="json", **headers)


def test_a_review_needs_the_etag_of_the_membership_as_last_read():
    world = build_world()
    membership = accept(world, propose(world))
    client = token_client(member(Role.MANAGER, team=world.own_team))
    read = client.get(detail_url(membership.pk))["ETag"]
    fine = {"reviewed_on": today(), "outcome": "continue", "rationale": "Going well"}

    without = review(client, membership, if_match="", **fine)
    first = review(client, membership, if_match=read, **fine)
    # A colleague's review of the same day, sent with the same ETag: the membership has moved on.
    second = review(client, membership, if_match=read, **fine)

    assert without.status_code == 428
    assert first.status_code == 200, first.content
    assert first["ETag"] != read
    assert second.status_code == 412
    assert problem_of(second)["type"] == "urn:iom:problem:stale-record"
    assert CohortReview.objects.filter(membership=membership).count() == 1


def test_a_review_moves_the_person_to_another_cohort():
    world = build_world()
    membership = accept(world, propose(world))
    client = token_client(member(Role.MANAGER, team=world.own_team))

    response = review(
        client, membership, reviewed_on=today(), outcome="move", new_cohort="flex", rationale="Risk is lower"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["exit_reason"]) == ("ended", "moved_cohort")
    assert CohortMembership.objects.get(nominal=world.nominal, status="active").cohort == "flex"


def test_a_review_says_what_is_missing_for_its_outcome():
    world = build_world()
    membership = accept(world, propose(world))
    client = token_client(member(Role.MANAGER, team=world.own_team))

    leaving = review(client, membership, reviewed_on=today(), outcome="exit", rationale="Moved away")
    moving = review(
        client, membership, reviewed_on=today(), outcome="exit", rationale="x", exit_reason="moved_cohort"
    )

    assert errors_of(leaving) == {"#/exit_reason": "Select why they leave IOM"}
    assert errors_of(moving) == {"#/exit_reason": "Select why they leave IOM"}
    assert CohortMembership.objects.get(pk=membership.pk).status == "active"


def test_only_a_current_membership_can_be_reviewed():
    world = build_world()
    proposal = propose(world)
    client = token_client(member(Role.MANAGER, team=world.own_team))
    response = review(client, proposal, reviewed_on=today(), outcome="continue", rationale="Going well")
    assert errors_of(response) == {"#/outcome": "Only a current cohort membership can be reviewed"}


def test_the_team_outside_the_case_team_can_see_but_not_review():
    world = build_world()
    membership = accept(world, propose(world))
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    response = review(client, membership, reviewed_on=today(), outcome="continue", rationale="Fine")
    assert response.status_code == 403
    problem_of(response)
    other = token_client(member(Role.MANAGER, team=world.other_team))
    assert (
        review(other, membership, reviewed_on=today(), outcome="continue", rationale="x").status_code == 404
    )
