import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import CohortMembership, CohortReview, CohortSetting, TimelineEvent
from cohorts.services import propose_for_cohort, record_panel_decision, record_review
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def events(nominal):
    return list(
        TimelineEvent.objects.filter(nominal=nominal, kind="cohort").values_list("summary", flat=True)
    )


def audits(action):
    return list(AuditEvent.objects.filter(action=action).values_list("actor_id", "nominal_id", "detail"))


def propose(world, worker=None, *, cohort="fixed", on=None):
    worker = worker or member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    return propose_for_cohort(
        actor=worker,
        nominal=world.nominal,
        cohort=cohort,
        reason="  Three burglaries in six months.  ",
        proposed_on=on or days_ago(60),
    )


def decide(membership, manager, *, accepted=True, on=None):
    return record_panel_decision(
        actor=manager,
        membership=membership,
        accepted=accepted,
        panel_date=on or days_ago(50),
        attendees="DS Jones (police), A. Patel (probation)",
        rationale="Meets the Fixed criteria.",
    )


def active_membership(world, manager, *, cohort="fixed"):
    return decide(propose(world, cohort=cohort), manager)


def test_proposing_opens_a_proposal_with_a_timeline_event_and_an_audit_row():
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    membership = propose(world, worker)
    membership.refresh_from_db()
    assert (membership.status, membership.cohort, membership.proposed_by, membership.proposal_reason) == (
        "proposed",
        "fixed",
        worker,
        "Three burglaries in six months.",
    )
    assert (membership.entry_date, membership.review_due) == (None, None)
    assert events(world.nominal) == ["Proposed for the Fixed cohort"]
    assert audits("cohort.proposed") == [(worker.pk, world.nominal.pk, {"cohort": "fixed"})]


def test_a_second_proposal_is_refused_while_the_first_awaits_the_panel():
    world = build_world()
    propose(world)
    with pytest.raises(ValidationError) as refused:
        propose(world, cohort="flex")
    assert refused.value.message_dict == {
        "cohort": ["Dean Robson is already proposed for a cohort and awaiting the panel's decision"]
    }
    assert CohortMembership.objects.count() == 1
    assert len(events(world.nominal)) == 1
    assert len(audits("cohort.proposed")) == 1


def test_a_proposal_is_refused_while_on_a_cohort_and_says_to_record_a_review():
    world = build_world()
    active_membership(world, member(Role.MANAGER, team=world.own_team))
    with pytest.raises(ValidationError) as refused:
        propose(world, cohort="flex")
    assert refused.value.message_dict == {
        "cohort": [
            "Dean Robson is already on the Fixed cohort: record a review to move them to another cohort"
        ]
    }


def test_the_database_allows_one_open_membership_per_person():
    world = build_world()
    membership = propose(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        CohortMembership.objects.create(
            nominal=world.nominal,
            cohort="flex",
            status="proposed",
            proposed_by=membership.proposed_by,
            proposed_on=days_ago(1),
            proposal_reason="Again",
        )


def test_a_proposal_needs_a_reason_and_a_real_cohort():
    world = build_world()
    worker = member(Role.MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as no_reason:
        propose_for_cohort(actor=worker, nominal=world.nominal, cohort="fixed", reason="  ")
    assert no_reason.value.message_dict == {"reason": ["Enter why this person should be on the cohort"]}
    with pytest.raises(ValidationError) as bad_cohort:
        propose_for_cohort(actor=worker, nominal=world.nominal, cohort="gold", reason="Because")
    assert list(bad_cohort.value.message_dict) == ["cohort"]
    assert not CohortMembership.objects.exists()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD])
def test_only_the_teams_workers_and_managers_may_propose(role):
    world = build_world()
    outsider = member(role, region=world.region if role == Role.REGIONAL_LEAD else None)
    with pytest.raises(PermissionDenied):
        propose(world, outsider)
    with pytest.raises(PermissionDenied):
        propose(world, member(Role.MANAGER, team=world.other_team))
    assert not CohortMembership.objects.exists()


def test_panel_acceptance_sets_the_entry_date_and_the_first_review():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    panel_date = datetime.date(2026, 1, 31)
    membership = decide(propose(world, on=datetime.date(2026, 1, 20)), manager, on=panel_date)
    membership.refresh_from_db()
    assert (membership.status, membership.entry_date, membership.panel_recorded_by) == (
        "active",
        panel_date,
        manager,
    )
    # Three months by default, and 31 January plus three months is the last day of April.
    assert membership.review_due == datetime.date(2026, 4, 30)
    assert (membership.panel_attendees, membership.panel_rationale) == (
        "DS Jones (police), A. Patel (probation)",
        "Meets the Fixed criteria.",
    )
    assert events(world.nominal)[0] == "Panel accepted: Fixed cohort"
    assert audits("cohort.panel_decided") == [(manager.pk, world.nominal.pk, {"accepted": True})]


def test_the_first_review_follows_the_cohorts_setting():
    world = build_world()
    CohortSetting.objects.filter(cohort="flex").update(review_interval_months=6)
    manager = member(Role.MANAGER, team=world.own_team)
    membership = decide(
        propose(world, cohort="flex", on=datetime.date(2025, 8, 31)), manager, on=datetime.date(2025, 8, 31)
    )
    assert membership.review_due == datetime.date(2026, 2, 28)
    membership.refresh_from_db()
    assert membership.review_due == datetime.date(2026, 2, 28)


def test_the_default_interval_is_three_months():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = decide(
        propose(world, on=datetime.date(2025, 11, 30)), manager, on=datetime.date(2025, 11, 30)
    )
    assert membership.review_due == datetime.date(2026, 2, 28)


def test_panel_decline_closes_the_proposal_and_a_new_one_may_follow():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    declined = decide(propose(world), manager, accepted=False)
    declined.refresh_from_db()
    assert (declined.status, declined.entry_date, declined.review_due) == ("not_accepted", None, None)
    assert events(world.nominal)[0] == "Panel not accepted: Fixed cohort"
    again = propose(world, cohort="flex", on=days_ago(10))
    assert again.status == "proposed"
    assert CohortMembership.objects.filter(nominal=world.nominal).count() == 2


def test_the_panel_cannot_decide_twice():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = propose(world)
    decide(membership, manager)
    stale_copy = CohortMembership.objects.get(pk=membership.pk)
    with pytest.raises(ValidationError) as refused:
        decide(stale_copy, manager, accepted=False)
    assert refused.value.messages == ["The panel has already decided on this proposal"]
    membership.refresh_from_db()
    assert membership.status == "active"
    assert len(audits("cohort.panel_decided")) == 1
    assert len(events(world.nominal)) == 2


def test_a_panel_date_before_the_proposal_or_in_the_future_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = propose(world, on=days_ago(10))
    with pytest.raises(ValidationError) as before:
        decide(membership, manager, on=days_ago(11))
    assert before.value.message_dict == {
        "panel_date": ["The panel date must be on or after the date of the proposal"]
    }
    with pytest.raises(ValidationError) as future:
        decide(membership, manager, on=days_ago(-1))
    assert future.value.message_dict == {"panel_date": ["The panel date must be today or in the past"]}
    membership.refresh_from_db()
    assert membership.status == "proposed"


def test_the_panel_needs_attendees_and_reasons():
    world = build_world()
    membership = propose(world)
    with pytest.raises(ValidationError) as refused:
        record_panel_decision(
            actor=member(Role.MANAGER, team=world.own_team),
            membership=membership,
            accepted=True,
            panel_date=days_ago(1),
            attendees=" ",
            rationale="",
        )
    assert refused.value.message_dict == {
        "attendees": ["Enter who attended the panel"],
        "rationale": ["Enter the panel's reasons"],
    }


@pytest.mark.parametrize("role", [Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER])
def test_only_the_teams_manager_may_record_a_panel_decision(role):
    world = build_world()
    membership = propose(world)
    with pytest.raises(PermissionDenied):
        decide(membership, member(role, team=world.own_team))
    with pytest.raises(PermissionDenied):
        decide(membership, member(Role.MANAGER, team=world.other_team))
    membership.refresh_from_db()
    assert membership.status == "proposed"


def test_a_review_to_continue_moves_the_review_date_on():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = decide(propose(world, on=datetime.date(2026, 5, 1)), manager, on=datetime.date(2026, 5, 31))
    assert membership.review_due == datetime.date(2026, 8, 31)
    review = record_review(
        actor=manager,
        membership=membership,
        reviewed_on=datetime.date(2026, 8, 31),
        outcome="continue",
        rationale=" Still needed ",
    )
    membership.refresh_from_db()
    assert (membership.status, membership.review_due) == ("active", datetime.date(2026, 11, 30))
    assert (review.outcome, review.reviewed_by, review.rationale) == ("continue", manager, "Still needed")
    assert events(world.nominal)[0] == "Review: continue on the Fixed cohort"
    assert audits("cohort.reviewed") == [(manager.pk, world.nominal.pk, {"outcome": "continue"})]


def test_a_review_to_move_ends_the_membership_and_opens_one_on_the_new_cohort():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    CohortSetting.objects.filter(cohort="flex").update(review_interval_months=6)
    old = decide(propose(world, on=datetime.date(2026, 5, 1)), manager, on=datetime.date(2026, 5, 31))
    moved_on = datetime.date(2026, 8, 31)
    record_review(
        actor=manager,
        membership=old,
        reviewed_on=moved_on,
        outcome="move",
        new_cohort="flex",
        rationale="Lower",
    )
    old.refresh_from_db()
    assert (old.status, old.exit_reason, old.exit_date, old.exit_note) == (
        "ended",
        "moved_cohort",
        moved_on,
        "Lower",
    )
    new = CohortMembership.objects.get(nominal=world.nominal, status="active")
    assert (new.cohort, new.entry_date, new.review_due, new.proposed_by) == (
        "flex",
        moved_on,
        datetime.date(2027, 2, 28),
        manager,
    )
    assert events(world.nominal)[0] == "Review: moved from Fixed to Flex"
    assert CohortReview.objects.get().membership == old


def test_a_move_to_the_same_or_no_cohort_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = active_membership(world, manager)
    for new_cohort in ("", "fixed", "gold"):
        with pytest.raises(ValidationError) as refused:
            record_review(
                actor=manager,
                membership=membership,
                reviewed_on=days_ago(1),
                outcome="move",
                new_cohort=new_cohort,
                rationale="Move",
            )
        assert refused.value.message_dict == {"new_cohort": ["Select the cohort they move to"]}
    assert CohortMembership.objects.count() == 1
    assert not CohortReview.objects.exists()


def test_a_review_to_exit_ends_the_membership_with_the_reason():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = active_membership(world, manager)
    record_review(
        actor=manager,
        membership=membership,
        reviewed_on=days_ago(2),
        outcome="exit",
        exit_reason="risk_reduced",
        rationale="No offending for a year",
    )
    membership.refresh_from_db()
    assert (membership.status, membership.exit_reason, membership.exit_date) == (
        "ended",
        "risk_reduced",
        days_ago(2),
    )
    assert not CohortMembership.objects.filter(status__in=["proposed", "active"]).exists()
    assert events(world.nominal)[0] == "Review: left IOM (risk reduced)"
    assert audits("cohort.reviewed") == [(manager.pk, world.nominal.pk, {"outcome": "exit"})]


@pytest.mark.parametrize("exit_reason", ["", "moved_cohort", "bored"])
def test_an_exit_needs_a_reason_for_leaving_iom(exit_reason):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = active_membership(world, manager)
    with pytest.raises(ValidationError) as refused:
        record_review(
            actor=manager,
            membership=membership,
            reviewed_on=days_ago(1),
            outcome="exit",
            exit_reason=exit_reason,
            rationale="Done",
        )
    assert refused.value.message_dict == {"exit_reason": ["Select why they leave IOM"]}
    membership.refresh_from_db()
    assert membership.status == "active"


def test_an_unknown_outcome_is_refused_and_nothing_is_written():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = active_membership(world, manager)
    with pytest.raises(ValidationError) as refused:
        record_review(
            actor=manager, membership=membership, reviewed_on=days_ago(1), outcome="pause", rationale="Hmm"
        )
    assert refused.value.message_dict == {"outcome": ["Select the outcome of the review"]}
    assert not CohortReview.objects.exists()


def test_a_review_date_before_entry_or_in_the_future_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = active_membership(world, manager)
    for reviewed_on, message in (
        (days_ago(51), "The review date must be on or after the date they joined the cohort"),
        (days_ago(-1), "The review date must be today or in the past"),
    ):
        with pytest.raises(ValidationError) as refused:
            record_review(
                actor=manager,
                membership=membership,
                reviewed_on=reviewed_on,
                outcome="continue",
                rationale="x",
            )
        assert refused.value.message_dict == {"reviewed_on": [message]}


@pytest.mark.parametrize("status", ["proposed", "not_accepted", "ended"])
def test_only_a_current_membership_can_be_reviewed(status):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = propose(world)
    if status == "not_accepted":
        membership = decide(membership, manager, accepted=False)
    elif status == "ended":
        membership = decide(membership, manager)
        record_review(
            actor=manager,
            membership=membership,
            reviewed_on=days_ago(3),
            outcome="exit",
            exit_reason="completed",
            rationale="Done",
        )
    reviews = CohortReview.objects.count()
    with pytest.raises(ValidationError) as refused:
        record_review(
            actor=manager, membership=membership, reviewed_on=days_ago(1), outcome="continue", rationale="x"
        )
    assert refused.value.message_dict == {"outcome": ["Only a current cohort membership can be reviewed"]}
    assert CohortReview.objects.count() == reviews


def test_a_team_member_off_the_case_team_may_not_review():
    world = build_world()
    membership = active_membership(world, member(Role.MANAGER, team=world.own_team))
    with pytest.raises(PermissionDenied):
        record_review(
            actor=member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team),
            membership=membership,
            reviewed_on=days_ago(1),
            outcome="continue",
            rationale="x",
        )


def test_each_step_writes_its_timeline_event_and_audit_row():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    membership = propose(world, manager)
    decide(membership, manager)
    record_review(
        actor=manager, membership=membership, reviewed_on=days_ago(20), outcome="continue", rationale="Keep"
    )
    record_review(
        actor=manager,
        membership=membership,
        reviewed_on=days_ago(10),
        outcome="move",
        new_cohort="free",
        rationale="M",
    )
    moved = CohortMembership.objects.get(status="active")
    record_review(
        actor=manager,
        membership=moved,
        reviewed_on=days_ago(1),
        outcome="exit",
        exit_reason="moved_area",
        rationale="Left",
    )
    assert events(world.nominal) == [
        "Review: left IOM (moved out of the area)",
        "Review: moved from Fixed to Free",
        "Review: continue on the Fixed cohort",
        "Panel accepted: Fixed cohort",
        "Proposed for the Fixed cohort",
    ]
    actions = list(
        AuditEvent.objects.filter(nominal_id=world.nominal.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "cohort.proposed",
        "cohort.panel_decided",
        "cohort.reviewed",
        "cohort.reviewed",
        "cohort.reviewed",
    ]
