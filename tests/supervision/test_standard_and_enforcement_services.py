"""Setting a person's contact standard and recording enforcement decisions.

The clock is fixed at Wednesday 18 November 2026, 14:00 in London."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cohorts.models import CohortMembership, TimelineEvent
from iom.core.models import AuditEvent, Role
from supervision import selectors, services
from supervision.factories import ContactFactory
from supervision.models import ContactStandard, EnforcementAction, Outcome
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 18, 14, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))
    return NOW


def rows() -> tuple[int, int, int, int]:
    return (
        ContactStandard.objects.count(),
        EnforcementAction.objects.count(),
        TimelineEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def on_flex(world):
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    world.nominal.police_offender_manager = officer
    world.nominal.save()
    CohortMembership.objects.create(
        nominal=world.nominal,
        cohort="flex",
        status=CohortMembership.Status.ACTIVE,
        proposed_by=officer,
        proposed_on=dt.date(2026, 9, 1),
        proposal_reason="Panel judgement",
        entry_date=dt.date(2026, 9, 7),
        review_due=dt.date(2026, 12, 7),
    )
    return officer


# The contact standard -------------------------------------------------------------------------------


def test_the_case_team_sets_a_standard_with_a_reason_and_the_week_is_then_assessed():
    world = build_world()
    officer = on_flex(world)
    assert selectors.person_compliance(world.nominal)[0].not_assessed_because == "No standard set"
    standard = services.set_contact_standard(
        actor=officer, nominal=world.nominal, contacts_per_week=2, reason="  Working full time; two a week  "
    )
    assert (standard.contacts_per_week, standard.reason, standard.set_on, standard.set_by) == (
        2,
        "Working full time; two a week",
        TODAY,
        officer,
    )
    event = TimelineEvent.objects.get()
    assert (event.kind, event.occurred_on, event.summary, event.body, event.source_id) == (
        "record",
        TODAY,
        "Contact standard set to 2 a week",
        "Working full time; two a week",
        standard.pk,
    )
    entry = AuditEvent.objects.get()
    assert (entry.action, entry.actor, entry.nominal_id, entry.detail) == (
        "contact_standard.set",
        officer,
        world.nominal.pk,
        {"contacts_per_week": 2},
    )
    week = selectors.person_compliance(world.nominal)[0]
    assert (week.required, week.short) == (2, 2)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_standard_needs_a_reason(reason):
    world = build_world()
    officer = on_flex(world)
    with pytest.raises(ValidationError) as refused:
        services.set_contact_standard(
            actor=officer, nominal=world.nominal, contacts_per_week=2, reason=reason
        )
    assert refused.value.message_dict == {"reason": ["Enter the reason for this contact standard"]}
    assert rows() == (0, 0, 0, 0)


@pytest.mark.parametrize("per_week", [22, -1])
def test_a_standard_outside_0_to_21_a_week_is_refused_in_words(per_week):
    world = build_world()
    officer = on_flex(world)
    with pytest.raises(ValidationError) as refused:
        services.set_contact_standard(
            actor=officer, nominal=world.nominal, contacts_per_week=per_week, reason="x"
        )
    assert refused.value.message_dict == {"contacts_per_week": ["Contacts a week must be from 0 to 21"]}
    assert rows() == (0, 0, 0, 0)
    for allowed in (0, 21):
        services.set_contact_standard(
            actor=officer, nominal=world.nominal, contacts_per_week=allowed, reason="x"
        )
    assert rows()[0] == 2


def test_a_standard_cannot_be_set_from_a_future_date():
    world = build_world()
    officer = on_flex(world)
    with pytest.raises(ValidationError) as refused:
        services.set_contact_standard(
            actor=officer,
            nominal=world.nominal,
            contacts_per_week=2,
            reason="x",
            set_on=TODAY + dt.timedelta(days=1),
        )
    assert refused.value.message_dict == {"set_on": ["The date must be today or in the past"]}


@pytest.mark.parametrize(
    ("role", "on_case_team", "allowed"),
    [
        (Role.POLICE_OFFENDER_MANAGER, True, True),
        (Role.PROBATION_PRACTITIONER, True, True),
        (Role.SUPPORT_WORKER, True, True),
        (Role.MANAGER, False, True),
        (Role.SUPPORT_WORKER, False, False),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, False, False),
        (Role.POLICE_OFFENDER_MANAGER, False, False),
        (Role.PROBATION_PRACTITIONER, False, False),
    ],
)
def test_only_the_case_team_and_the_teams_managers_set_standards_and_record_enforcement(
    role, on_case_team, allowed
):
    world = build_world()
    user = member(role, team=world.own_team)
    if on_case_team:
        field = {
            Role.POLICE_OFFENDER_MANAGER: "police_offender_manager",
            Role.PROBATION_PRACTITIONER: "probation_practitioner",
            Role.SUPPORT_WORKER: "support_worker",
        }[role]
        setattr(world.nominal, field, user)
        world.nominal.save()

    def set_standard():
        return services.set_contact_standard(
            actor=user, nominal=world.nominal, contacts_per_week=3, reason="Agreed"
        )

    def record_warning():
        return services.record_enforcement_action(
            actor=user, nominal=world.nominal, kind="first_warning", reason="Missed two", decided_on=TODAY
        )

    for action in (set_standard, record_warning):
        if allowed:
            assert action().pk
        else:
            with pytest.raises(PermissionDenied):
                action()
    assert rows()[:2] == ((1, 1) if allowed else (0, 0))


def test_a_manager_of_another_team_may_not_set_a_standard():
    world = build_world()
    with pytest.raises(PermissionDenied):
        services.set_contact_standard(
            actor=member(Role.MANAGER, team=world.other_team),
            nominal=world.nominal,
            contacts_per_week=3,
            reason="x",
        )


# Enforcement ------------------------------------------------------------------------------------------


def test_an_enforcement_decision_goes_on_the_timeline_and_answers_the_absences():
    world = build_world()
    officer = on_flex(world)
    for days in (20, 6):
        ContactFactory.create(
            nominal=world.nominal, date=TODAY - dt.timedelta(days=days), outcome=Outcome.UNACCEPTABLE_ABSENCE
        )
    status = selectors.enforcement_status(world.nominal)
    assert (status.unanswered, status.threshold_reached) == (2, True)
    action = services.record_enforcement_action(
        actor=officer,
        nominal=world.nominal,
        kind=EnforcementAction.Kind.FINAL_WARNING,
        reason="  Two unexplained absences this month  ",
        decided_on=TODAY - dt.timedelta(days=1),
    )
    assert (action.kind, action.reason, action.decided_on, action.recorded_by) == (
        "final_warning",
        "Two unexplained absences this month",
        TODAY - dt.timedelta(days=1),
        officer,
    )
    event = TimelineEvent.objects.get()
    assert (event.kind, event.occurred_on, event.summary, event.body, event.source_id) == (
        "enforcement",
        TODAY - dt.timedelta(days=1),
        "Final warning",
        "Two unexplained absences this month",
        action.pk,
    )
    assert AuditEvent.objects.get().action == "enforcement.recorded"
    status = selectors.enforcement_status(world.nominal)
    assert (status.unanswered, status.needs_decision, status.threshold_reached) == (0, False, False)
    assert list(selectors.enforcement_history(world.nominal)) == [action]


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        (
            {"decided_on": TODAY + dt.timedelta(days=1)},
            "decided_on",
            "The date of the decision must be today or in the past",
        ),
        (
            {"decided_on": TODAY - dt.timedelta(days=400)},
            "decided_on",
            "The date of the decision must be within the last year",
        ),
        ({"reason": "  "}, "reason", "Enter the reason for this decision"),
        ({"kind": "caution"}, "kind", None),
    ],
)
def test_an_enforcement_decision_with_bad_input_is_refused_and_nothing_is_saved(arguments, field, message):
    world = build_world()
    officer = on_flex(world)
    values = {"kind": "breach_referral", "reason": "Third absence", "decided_on": TODAY, **arguments}
    with pytest.raises(ValidationError) as refused:
        services.record_enforcement_action(actor=officer, nominal=world.nominal, **values)
    assert list(refused.value.message_dict) == [field]
    if message:
        assert refused.value.message_dict[field] == [message]
    assert rows() == (0, 0, 0, 0)
