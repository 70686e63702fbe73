import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cohorts.models import Allocation, Nominal, TimelineEvent
from cohorts.services import allocate_worker
from iom.core.factories import MembershipFactory
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db
POLICE = Allocation.Role.POLICE_OFFENDER_MANAGER
PROBATION = Allocation.Role.PROBATION_PRACTITIONER
SUPPORT = Allocation.Role.SUPPORT_WORKER


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def allocate(**arguments):
    allocation = allocate_worker(**arguments)
    assert allocation is not None
    return allocation


def fresh(nominal):
    return Nominal.objects.get(pk=nominal.pk)


def test_allocating_fills_the_place_with_history_a_timeline_event_and_an_audit_row():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="PC Sam Hill")
    allocation = allocate(
        actor=manager, nominal=world.nominal, role=POLICE, worker=officer, started_on=days_ago(3)
    )
    assert (allocation.worker, allocation.role, allocation.started_on, allocation.ended_on) == (
        officer,
        "police_offender_manager",
        days_ago(3),
        None,
    )
    assert allocation.allocated_by == manager
    assert fresh(world.nominal).police_offender_manager == officer
    event = TimelineEvent.objects.get(nominal=world.nominal)
    assert (event.kind, event.summary, event.occurred_on, event.source_id) == (
        "team",
        "Police offender manager: PC Sam Hill",
        days_ago(3),
        allocation.pk,
    )
    audit = AuditEvent.objects.get(action="nominal.allocated")
    assert (audit.actor, audit.nominal_id, audit.detail) == (
        manager,
        world.nominal.pk,
        {"role": "police_offender_manager", "worker_id": officer.pk},
    )


def test_reallocating_ends_the_old_allocation_and_keeps_its_history():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    first = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    second = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    old = allocate(
        actor=manager, nominal=world.nominal, role=PROBATION, worker=first, started_on=days_ago(30)
    )
    new = allocate(
        actor=manager, nominal=world.nominal, role=PROBATION, worker=second, started_on=days_ago(2)
    )
    old.refresh_from_db()
    assert old.ended_on == days_ago(2)
    assert new.ended_on is None
    assert list(Allocation.objects.filter(nominal=world.nominal).values_list("worker", "ended_on")) == [
        (second.pk, None),
        (first.pk, days_ago(2)),
    ]
    assert fresh(world.nominal).probation_practitioner == second
    assert world.nominal.probation_practitioner_id == second.pk
    assert TimelineEvent.objects.filter(nominal=world.nominal, kind="team").count() == 2


def test_each_place_is_kept_separately():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    young_adult_worker = member(Role.YOUNG_ADULT_SUPPORT_WORKER, team=world.own_team)
    allocate_worker(actor=manager, nominal=world.nominal, role=POLICE, worker=officer, started_on=days_ago(1))
    allocate_worker(
        actor=manager, nominal=world.nominal, role=SUPPORT, worker=young_adult_worker, started_on=days_ago(1)
    )
    nominal = fresh(world.nominal)
    assert (nominal.police_offender_manager, nominal.probation_practitioner, nominal.support_worker) == (
        officer,
        None,
        young_adult_worker,
    )
    assert Allocation.objects.filter(ended_on__isnull=True).count() == 2


def test_clearing_a_place_ends_the_allocation():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    allocation = allocate(
        actor=manager, nominal=world.nominal, role=SUPPORT, worker=worker, started_on=days_ago(10)
    )
    assert (
        allocate_worker(
            actor=manager, nominal=world.nominal, role=SUPPORT, worker=None, started_on=days_ago(1)
        )
        is None
    )
    allocation.refresh_from_db()
    assert allocation.ended_on == days_ago(1)
    assert fresh(world.nominal).support_worker is None
    latest = TimelineEvent.objects.filter(nominal=world.nominal).values_list("summary", flat=True)[0]
    assert latest == "Support worker unallocated"
    assert AuditEvent.objects.filter(action="nominal.allocated").values_list("detail", flat=True)[0] == {
        "role": "support_worker",
        "worker_id": None,
    }


def test_allocating_the_same_worker_again_changes_nothing():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    allocate_worker(
        actor=manager, nominal=world.nominal, role=SUPPORT, worker=worker, started_on=days_ago(10)
    )
    assert (
        allocate_worker(
            actor=manager, nominal=world.nominal, role=SUPPORT, worker=worker, started_on=days_ago(1)
        )
        is None
    )
    assert Allocation.objects.get().started_on == days_ago(10)
    assert AuditEvent.objects.filter(action="nominal.allocated").count() == 1


def test_a_start_before_the_current_workers_start_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    first = member(Role.PROBATION_PRACTITIONER, team=world.own_team, full_name="Ann Lee")
    allocate_worker(
        actor=manager,
        nominal=world.nominal,
        role=PROBATION,
        worker=first,
        started_on=datetime.date(2026, 3, 2),
    )
    with pytest.raises(ValidationError) as refused:
        allocate_worker(
            actor=manager,
            nominal=world.nominal,
            role=PROBATION,
            worker=member(Role.PROBATION_PRACTITIONER, team=world.own_team),
            started_on=datetime.date(2026, 3, 1),
        )
    assert refused.value.message_dict == {
        "started_on": ["Ann Lee has held this place since 2 March 2026: enter that date or later"]
    }
    assert Allocation.objects.get().ended_on is None


def test_a_worker_from_another_team_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team, full_name="PC Out")
    with pytest.raises(ValidationError) as refused:
        allocate_worker(
            actor=manager, nominal=world.nominal, role=POLICE, worker=outsider, started_on=days_ago(1)
        )
    assert refused.value.message_dict == {
        "worker": ["PC Out is not an active police offender manager in City IOM"]
    }
    assert not Allocation.objects.exists()
    assert fresh(world.nominal).police_offender_manager is None


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.PROBATION_PRACTITIONER, POLICE),
        (Role.SUPPORT_WORKER, PROBATION),
        (Role.POLICE_OFFENDER_MANAGER, SUPPORT),
        (Role.MANAGER, POLICE),
    ],
)
def test_a_worker_in_the_wrong_role_is_refused(role, place):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        allocate_worker(
            actor=manager,
            nominal=world.nominal,
            role=place,
            worker=member(role, team=world.own_team),
            started_on=days_ago(1),
        )
    assert list(refused.value.message_dict) == ["worker"]
    assert not Allocation.objects.exists()


def test_a_worker_with_the_role_in_another_team_and_another_role_here_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
    MembershipFactory.create(user=worker, role=Role.SUPPORT_WORKER, team=world.own_team)
    with pytest.raises(ValidationError):
        allocate_worker(
            actor=manager, nominal=world.nominal, role=POLICE, worker=worker, started_on=days_ago(1)
        )


def test_a_deactivated_worker_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    gone = member(Role.SUPPORT_WORKER, team=world.own_team, is_active=False)
    with pytest.raises(ValidationError):
        allocate_worker(
            actor=manager, nominal=world.nominal, role=SUPPORT, worker=gone, started_on=days_ago(1)
        )


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER, Role.SUPPORT_WORKER]
)
def test_only_the_teams_managers_may_allocate(role):
    world = build_world()
    worker = member(role, team=world.own_team)
    place = {
        Role.POLICE_OFFENDER_MANAGER: POLICE,
        Role.PROBATION_PRACTITIONER: PROBATION,
        Role.SUPPORT_WORKER: SUPPORT,
    }[role]
    with pytest.raises(PermissionDenied):
        allocate_worker(
            actor=worker, nominal=world.nominal, role=place, worker=worker, started_on=days_ago(1)
        )
    with pytest.raises(PermissionDenied):
        allocate_worker(
            actor=member(Role.MANAGER, team=world.other_team),
            nominal=world.nominal,
            role=place,
            worker=worker,
            started_on=days_ago(1),
        )
    assert not Allocation.objects.exists()
