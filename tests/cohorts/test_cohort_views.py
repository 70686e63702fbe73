import datetime

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import Allocation, CohortMembership, CohortReview, Nominal
from cohorts.services import allocate_worker, propose_for_cohort, record_panel_decision, record_review
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def dmy(day):
    return day.strftime("%d/%m/%Y")


def propose(actor, nominal, *, cohort="fixed", on=None, reason="Persistent burglary"):
    return propose_for_cohort(
        actor=actor, nominal=nominal, cohort=cohort, reason=reason, proposed_on=on or days_ago(30)
    )


def accept(manager, membership):
    return record_panel_decision(
        actor=manager,
        membership=membership,
        accepted=True,
        panel_date=days_ago(20),
        attendees="Panel",
        rationale="Meets the criteria",
    )


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return member(Role.MANAGER, team=world.own_team, full_name="Mo Manager")


# Proposing


def test_a_team_worker_proposes_someone_for_a_cohort(client, world):
    worker = member(Role.YOUNG_ADULT_SUPPORT_WORKER, team=world.own_team)
    client.force_login(worker)
    page = client.get(f"/people/{world.nominal.pk}/cohort/propose/")
    assert page.status_code == 200
    assert "Propose for the panel" in page.content.decode()
    response = client.post(
        f"/people/{world.nominal.pk}/cohort/propose/",
        {"cohort": "free", "reason": "Young adult, emerging risk"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.nominal.pk}/cohort/"
    membership = CohortMembership.objects.get()
    assert (membership.cohort, membership.status, membership.proposed_by) == ("free", "proposed", worker)
    html = client.get(response["Location"]).content.decode()
    assert "Dean Robson proposed for the panel" in html
    assert "Awaiting the panel's decision." in html


def test_a_proposal_without_a_cohort_or_reason_says_what_to_enter(client, world):
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    response = client.post(f"/people/{world.nominal.pk}/cohort/propose/", {"reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_cohort_0">Select the cohort</a>' in html
    assert '<a href="#id_reason">Enter the reason</a>' in html
    assert not CohortMembership.objects.exists()


def test_a_second_proposal_is_refused_on_the_page(client, world, manager):
    propose(manager, world.nominal)
    client.force_login(manager)
    response = client.post(
        f"/people/{world.nominal.pk}/cohort/propose/", {"cohort": "flex", "reason": "Again"}
    )
    assert response.status_code == 200
    assert "Dean Robson is already proposed for a cohort and awaiting the panel&#x27;s decision" in (
        response.content.decode()
    )
    assert CohortMembership.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["other_team", "partner", "regional_lead"], ids=["other team", "partner", "regional lead"]
)
def test_people_outside_the_team_cannot_find_the_proposal_page(client, world, who):
    user = {
        "other_team": lambda: member(Role.MANAGER, team=world.other_team),
        "partner": lambda: member(Role.PARTNER),
        "regional_lead": lambda: member(Role.REGIONAL_LEAD, region=world.region),
    }[who]()
    client.force_login(user)
    assert client.get(f"/people/{world.nominal.pk}/cohort/propose/").status_code == 404
    assert (
        client.post(
            f"/people/{world.nominal.pk}/cohort/propose/", {"cohort": "fixed", "reason": "x"}
        ).status_code
        == 404
    )
    assert not CohortMembership.objects.exists()


# The panel


def test_the_panel_lists_proposals_in_the_managers_teams_oldest_first(client, world, manager):
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    newer = NominalFactory.create(team=world.own_team, given_name="Newer", family_name="Case")
    propose(worker, newer, on=days_ago(2))
    propose(worker, world.nominal, on=days_ago(9))
    decided = NominalFactory.create(team=world.own_team, given_name="Decided", family_name="Case")
    accept(manager, propose(worker, decided, on=days_ago(30)))
    propose(member(Role.MANAGER, team=world.other_team), world.other_nominal, on=days_ago(20))
    client.force_login(manager)
    response = client.get("/people/panel/")
    assert response.status_code == 200
    assert [p.nominal.full_name for p in response.context["proposals"]] == ["Dean Robson", "Newer Case"]
    html = response.content.decode()
    assert "Wes Kerr" not in html
    assert "Decided Case" not in html
    assert AuditEvent.objects.get(action="panel.viewed").detail == {"proposals": 2}


def test_an_empty_panel_says_so(client, world, manager):
    client.force_login(manager)
    assert "No one is awaiting the panel" in client.get("/people/panel/").content.decode()


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER, Role.SUPPORT_WORKER]
)
def test_only_managers_have_a_panel(client, world, role):
    client.force_login(member(role, team=world.own_team))
    assert client.get("/people/panel/").status_code == 404


def test_the_panel_query_count_does_not_grow_with_the_proposals(
    client, world, manager, django_assert_num_queries
):
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    for nominal in NominalFactory.create_batch(30, team=world.own_team):
        propose(worker, nominal)
    client.force_login(manager)
    # session, user, memberships, proposals with person, team and proposer, audit insert
    with django_assert_num_queries(5):
        response = client.get("/people/panel/")
    assert len(response.context["proposals"]) == 30


def decision(**changes):
    data = {
        "decision": "accept",
        "panel_date": dmy(days_ago(1)),
        "attendees": "DS Jones, A. Patel",
        "rationale": "Meets the Fixed criteria",
    }
    data.update(changes)
    return data


def test_the_manager_accepts_a_proposal(client, world, manager):
    membership = propose(member(Role.SUPPORT_WORKER, team=world.own_team), world.nominal)
    client.force_login(manager)
    page = client.get(f"/people/panel/{membership.pk}/")
    assert page.status_code == 200
    assert "Persistent burglary" in page.content.decode()
    response = client.post(f"/people/panel/{membership.pk}/", decision())
    assert response.status_code == 302
    assert response["Location"] == "/people/panel/"
    membership.refresh_from_db()
    assert (membership.status, membership.entry_date, membership.panel_recorded_by) == (
        "active",
        days_ago(1),
        manager,
    )
    assert "Dean Robson accepted onto the Fixed cohort" in client.get("/people/panel/").content.decode()


def test_the_manager_declines_a_proposal(client, world, manager):
    membership = propose(manager, world.nominal)
    client.force_login(manager)
    response = client.post(f"/people/panel/{membership.pk}/", decision(decision="decline"), follow=True)
    membership.refresh_from_db()
    assert membership.status == "not_accepted"
    assert "Dean Robson not accepted for the Fixed cohort" in response.content.decode()


def test_a_panel_decision_says_what_is_missing(client, world, manager):
    membership = propose(manager, world.nominal)
    client.force_login(manager)
    response = client.post(f"/people/panel/{membership.pk}/", {"panel_date": "31/02/2026"})
    html = response.content.decode()
    assert '<a href="#id_decision_0">Select the decision</a>' in html
    assert '<a href="#id_panel_date">Panel date must be a real date, like 17/11/2026</a>' in html
    assert '<a href="#id_attendees">Enter the attendees</a>' in html
    assert '<a href="#id_rationale">Enter the rationale</a>' in html
    membership.refresh_from_db()
    assert membership.status == "proposed"


def test_a_panel_date_before_the_proposal_is_refused_on_the_page(client, world, manager):
    membership = propose(manager, world.nominal, on=days_ago(5))
    client.force_login(manager)
    response = client.post(f"/people/panel/{membership.pk}/", decision(panel_date=dmy(days_ago(6))))
    assert response.status_code == 200
    assert '<a href="#id_panel_date">The panel date must be on or after the date of the proposal</a>' in (
        response.content.decode()
    )
    future = client.post(f"/people/panel/{membership.pk}/", decision(panel_date=dmy(days_ago(-1))))
    assert "The panel date must be today or in the past" in future.content.decode()
    membership.refresh_from_db()
    assert membership.status == "proposed"


def test_a_decided_proposal_is_no_longer_on_the_panel(client, world, manager):
    membership = accept(manager, propose(manager, world.nominal))
    client.force_login(manager)
    assert client.get(f"/people/panel/{membership.pk}/").status_code == 404
    assert client.post(f"/people/panel/{membership.pk}/", decision(decision="decline")).status_code == 404
    membership.refresh_from_db()
    assert membership.status == "active"


def test_another_teams_manager_cannot_find_the_proposal(client, world, manager):
    membership = propose(manager, world.nominal)
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(f"/people/panel/{membership.pk}/").status_code == 404
    assert client.post(f"/people/panel/{membership.pk}/", decision()).status_code == 404


# Reviews


def review(**changes):
    data = {"reviewed_on": dmy(days_ago(1)), "outcome": "continue", "rationale": "Still offending"}
    data.update(changes)
    return data


def test_the_review_page_is_not_found_when_the_person_is_not_on_a_cohort(client, world, manager):
    client.force_login(manager)
    assert client.get(f"/people/{world.nominal.pk}/cohort/review/").status_code == 404
    propose(manager, world.nominal)
    assert client.get(f"/people/{world.nominal.pk}/cohort/review/").status_code == 404
    assert client.post(f"/people/{world.nominal.pk}/cohort/review/", review()).status_code == 404
    assert not CohortReview.objects.exists()


def test_a_review_to_continue_is_recorded_from_the_page(client, world, manager):
    membership = accept(manager, propose(manager, world.nominal))
    client.force_login(manager)
    page = client.get(f"/people/{world.nominal.pk}/cohort/review/")
    assert page.status_code == 200
    assert "Review: Fixed cohort" in page.content.decode()
    response = client.post(f"/people/{world.nominal.pk}/cohort/review/", review())
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.nominal.pk}/cohort/"
    assert CohortReview.objects.get().membership == membership
    html = client.get(response["Location"]).content.decode()
    assert "Review recorded" in html
    assert "continue on this cohort (Mo Manager)" in html


def test_a_move_without_a_cohort_is_refused_on_the_page(client, world, manager):
    accept(manager, propose(manager, world.nominal))
    client.force_login(manager)
    response = client.post(f"/people/{world.nominal.pk}/cohort/review/", review(outcome="move"))
    assert response.status_code == 200
    assert '<a href="#id_new_cohort">Select the cohort they move to</a>' in response.content.decode()
    assert not CohortReview.objects.exists()


def test_an_exit_from_the_page_ends_the_membership(client, world, manager):
    membership = accept(manager, propose(manager, world.nominal))
    client.force_login(manager)
    response = client.post(
        f"/people/{world.nominal.pk}/cohort/review/", review(outcome="exit", exit_reason="completed")
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.exit_reason) == ("ended", "completed")


def test_a_team_member_off_the_case_team_may_not_review(client, world, manager):
    accept(manager, propose(manager, world.nominal))
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert client.get(f"/people/{world.nominal.pk}/cohort/review/").status_code == 403
    html = client.get(f"/people/{world.nominal.pk}/cohort/").content.decode()
    assert "Record a review" not in html


def test_the_cohort_tab_query_count_does_not_grow_with_the_history(
    client, world, manager, django_assert_num_queries
):
    for _ in range(10):
        membership = accept(manager, propose(manager, world.nominal, on=days_ago(30)))
        for day in (15, 10, 5):
            record_review(
                actor=manager,
                membership=membership,
                reviewed_on=days_ago(day),
                outcome="continue",
                rationale="On",
            )
        record_review(
            actor=manager,
            membership=membership,
            reviewed_on=days_ago(1),
            outcome="exit",
            exit_reason="other",
            rationale="Off",
        )
    accept(manager, propose(manager, world.nominal))
    client.force_login(manager)
    # session, user, memberships, nominal, audit insert, current membership, memberships with
    # proposer and panel recorder, their reviews with reviewers
    with django_assert_num_queries(8):
        response = client.get(f"/people/{world.nominal.pk}/cohort/")
    assert len(response.context["memberships"]) == 11


# The case team


def test_the_allocation_page_offers_the_teams_workers(client, world, manager):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="PC Sam Hill")
    member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team, full_name="PC Other Team")
    client.force_login(manager)
    response = client.get(f"/people/{world.nominal.pk}/team/allocate/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{officer.pk}">PC Sam Hill</option>' in html
    assert "PC Other Team" not in html


def test_the_manager_allocates_a_worker_from_the_page(client, world, manager):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="PC Sam Hill")
    client.force_login(manager)
    response = client.post(
        f"/people/{world.nominal.pk}/team/allocate/",
        {"role": "police_offender_manager", "worker": officer.pk, "started_on": dmy(days_ago(1))},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.nominal.pk}/team/"
    assert Nominal.objects.get(pk=world.nominal.pk).police_offender_manager == officer
    html = client.get(response["Location"]).content.decode()
    assert "Case team updated" in html
    assert "PC Sam Hill" in html


def test_a_worker_in_the_wrong_role_is_refused_on_the_page(client, world, manager):
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Ann Lee")
    client.force_login(manager)
    response = client.post(
        f"/people/{world.nominal.pk}/team/allocate/",
        {"role": "police_offender_manager", "worker": practitioner.pk, "started_on": dmy(days_ago(1))},
    )
    assert response.status_code == 200
    assert '<a href="#id_worker">Ann Lee is not an active police offender manager in City IOM</a>' in (
        response.content.decode()
    )
    assert not Allocation.objects.exists()


def test_only_the_teams_managers_may_change_the_case_team(client, world, manager):
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    allocate_worker(
        actor=manager,
        nominal=world.nominal,
        role=Allocation.Role.POLICE_OFFENDER_MANAGER,
        worker=worker,
        started_on=days_ago(1),
    )
    client.force_login(worker)
    assert client.get(f"/people/{world.nominal.pk}/team/allocate/").status_code == 403
    assert "Change the case team" not in client.get(f"/people/{world.nominal.pk}/team/").content.decode()
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(f"/people/{world.nominal.pk}/team/allocate/").status_code == 404


def test_the_team_tab_query_count_does_not_grow_with_the_history(
    client, world, manager, django_assert_num_queries
):
    workers = [member(Role.SUPPORT_WORKER, team=world.own_team) for _ in range(30)]
    for index, worker in enumerate(workers):
        allocate_worker(
            actor=manager,
            nominal=world.nominal,
            role=Allocation.Role.SUPPORT_WORKER,
            worker=worker,
            started_on=days_ago(60 - index),
        )
    client.force_login(manager)
    # session, user, memberships, nominal with team and case team, audit insert, allocations with
    # worker and allocator
    with django_assert_num_queries(6):
        response = client.get(f"/people/{world.nominal.pk}/team/")
    assert len(response.context["allocations"]) == 30
