import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cohorts.models import Allocation, Nominal, NominalChange, StatutoryStatus, TimelineEvent
from cohorts.services import StaleRecord, allocate_worker, update_nominal
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def counts():
    return (
        NominalChange.objects.count(),
        TimelineEvent.objects.count(),
        AuditEvent.objects.filter(action="nominal.changed").count(),
    )


def test_a_change_is_kept_field_by_field_with_readable_values():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    world.nominal.date_of_birth = datetime.date(1990, 3, 1)
    world.nominal.save()
    updated = update_nominal(
        actor=manager,
        nominal=world.nominal,
        expected_version=1,
        changes={
            "family_name": "Robertson",
            "date_of_birth": datetime.date(1990, 3, 2),
            "statutory_status": StatutoryStatus.LICENCE,
            "gender": "male",
            "pnc_id": " 2012/0052494q ",
        },
    )
    assert updated.version == 2
    world.nominal.refresh_from_db()
    assert (world.nominal.family_name, world.nominal.pnc_id, world.nominal.version) == (
        "Robertson",
        "2012/0052494Q",
        2,
    )
    changes = {
        change.field: (change.old_value, change.new_value, change.version, change.changed_by)
        for change in NominalChange.objects.filter(nominal=world.nominal)
    }
    assert changes == {
        "family_name": ("Robson", "Robertson", 2, manager),
        "date_of_birth": ("1 March 1990", "2 March 1990", 2, manager),
        "statutory_status": ("None (voluntary)", "On licence", 2, manager),
        "gender": ("", "Male", 2, manager),
        "pnc_id": ("", "2012/0052494Q", 2, manager),
    }
    event = TimelineEvent.objects.get(nominal=world.nominal)
    assert (event.kind, event.recorded_by) == ("record", manager)
    assert event.summary == "Record changed: family name, date of birth, statutory status, gender, PNC ID"
    audit = AuditEvent.objects.get(action="nominal.changed")
    assert (audit.actor, audit.nominal_id, audit.detail) == (
        manager,
        world.nominal.pk,
        {"fields": ["date_of_birth", "family_name", "gender", "pnc_id", "statutory_status"], "version": 2},
    )


def test_saving_without_changes_writes_nothing():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    result = update_nominal(
        actor=manager,
        nominal=world.nominal,
        expected_version=1,
        changes={
            "given_name": "Dean",
            "family_name": "Robson",
            "crn": f"{world.nominal.crn}".lower(),
            "pnc_id": "",
        },
    )
    assert result.version == 1
    world.nominal.refresh_from_db()
    assert world.nominal.version == 1
    assert counts() == (0, 0, 0)


def test_a_stale_version_is_refused_with_the_other_persons_changes_and_nothing_is_written():
    world = build_world()
    first = member(Role.MANAGER, team=world.own_team, full_name="Amira Khan")
    second = member(Role.MANAGER, team=world.own_team)
    update_nominal(
        actor=first, nominal=world.nominal, expected_version=1, changes={"family_name": "Robertson"}
    )
    before = counts()
    with pytest.raises(StaleRecord) as stale:
        update_nominal(actor=second, nominal=world.nominal, expected_version=1, changes={"given_name": "Dan"})
    assert [(c.field, c.old_value, c.new_value, c.changed_by) for c in stale.value.changes] == [
        ("family_name", "Robson", "Robertson", first)
    ]
    assert "Someone else changed this record" in str(stale.value)
    world.nominal.refresh_from_db()
    assert (world.nominal.given_name, world.nominal.family_name, world.nominal.version) == (
        "Dean",
        "Robertson",
        2,
    )
    assert counts() == before


def test_only_changes_since_the_version_the_editor_saw_are_returned():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    update_nominal(actor=manager, nominal=world.nominal, expected_version=1, changes={"family_name": "A"})
    update_nominal(actor=manager, nominal=world.nominal, expected_version=2, changes={"family_name": "B"})
    update_nominal(actor=manager, nominal=world.nominal, expected_version=3, changes={"address_area": "LS6"})
    with pytest.raises(StaleRecord) as stale:
        update_nominal(
            actor=manager, nominal=world.nominal, expected_version=2, changes={"given_name": "Dan"}
        )
    assert sorted((c.version, c.field) for c in stale.value.changes) == [
        (3, "family_name"),
        (4, "address_area"),
    ]


def test_leaving_custody_clears_the_establishment():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    update_nominal(
        actor=manager,
        nominal=world.nominal,
        expected_version=1,
        changes={"in_custody": True, "establishment": "HMP Leeds"},
    )
    update_nominal(actor=manager, nominal=world.nominal, expected_version=2, changes={"in_custody": False})
    world.nominal.refresh_from_db()
    assert (world.nominal.in_custody, world.nominal.establishment, world.nominal.version) == (False, "", 3)
    latest = {c.field: (c.old_value, c.new_value) for c in NominalChange.objects.filter(version=3)}
    assert latest == {"in_custody": ("Yes", "No"), "establishment": ("HMP Leeds", "")}


def test_an_establishment_outside_custody_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        update_nominal(
            actor=manager, nominal=world.nominal, expected_version=1, changes={"establishment": "HMP Leeds"}
        )
    assert refused.value.messages == ["An establishment is recorded only while the person is in custody"]
    assert counts() == (0, 0, 0)


def test_custody_dates_are_checked_against_the_rest_of_the_record_whatever_the_change_sends():
    """The rules between custody dates live here, so the page, the API and anything else share them:
    a change of one date is checked against the dates already recorded."""
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    today = timezone.localdate()
    update_nominal(
        actor=manager,
        nominal=world.nominal,
        expected_version=1,
        changes={"sentence_date": today - datetime.timedelta(days=400), "conditional_release_date": today},
    )
    before = counts()

    with pytest.raises(ValidationError) as refused:
        update_nominal(
            actor=manager,
            nominal=world.nominal,
            expected_version=2,
            changes={
                "hdc_eligibility_date": today + datetime.timedelta(days=1),
                "licence_expiry_date": today - datetime.timedelta(days=500),
                "in_custody": True,
            },
        )

    assert refused.value.message_dict == {
        "establishment": ["Enter the establishment they are held in"],
        "hdc_eligibility_date": [
            "The HDC eligibility date must be on or before the conditional release date"
        ],
        "licence_expiry_date": [
            "The licence expiry date must be after the sentence date",
            "The licence expiry date must be on or after the conditional release date",
        ],
    }
    assert counts() == before


def test_an_identifier_held_by_someone_else_is_refused():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        update_nominal(
            actor=manager, nominal=world.nominal, expected_version=1, changes={"crn": world.other_nominal.crn}
        )
    assert refused.value.message_dict == {
        "crn": [
            f"CRN {world.other_nominal.crn} is already recorded for another person. "
            "Ask your IOM manager to resolve the duplicate."
        ]
    }
    assert counts() == (0, 0, 0)


def test_fields_outside_the_details_and_custody_cannot_be_changed_here():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    with pytest.raises(ValueError, match="team"):
        update_nominal(
            actor=manager, nominal=world.nominal, expected_version=1, changes={"team": world.other_team}
        )
    assert Nominal.objects.get(pk=world.nominal.pk).team == world.own_team


def test_a_team_member_not_on_the_case_team_may_not_edit():
    world = build_world()
    with pytest.raises(PermissionDenied):
        update_nominal(
            actor=member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team),
            nominal=world.nominal,
            expected_version=1,
            changes={"given_name": "Dan"},
        )
    assert counts() == (0, 0, 0)


def test_a_manager_of_another_team_may_not_edit():
    world = build_world()
    with pytest.raises(PermissionDenied):
        update_nominal(
            actor=member(Role.MANAGER, team=world.other_team),
            nominal=world.nominal,
            expected_version=1,
            changes={"given_name": "Dan"},
        )


def test_an_allocated_worker_may_edit():
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    allocate_worker(
        actor=member(Role.MANAGER, team=world.own_team),
        nominal=world.nominal,
        role=Allocation.Role.PROBATION_PRACTITIONER,
        worker=worker,
        started_on=timezone.localdate(),
    )
    nominal = Nominal.objects.get(pk=world.nominal.pk)
    update_nominal(actor=worker, nominal=nominal, expected_version=1, changes={"given_name": "Dan"})
    assert NominalChange.objects.get().changed_by == worker
