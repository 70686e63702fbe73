import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cohorts.models import TimelineEvent
from iom.core.models import AuditEvent, Role
from supervision.models import Contact
from supervision.services import log_contact
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_it_records_the_contact_its_timeline_event_and_an_audit_row():
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    contact = log_contact(
        actor=worker,
        nominal=world.nominal,
        happened_on=TODAY(),
        kind="joint_visit",
        outcome="attended_complied",
        notes="  Joint visit with police.  ",
    )
    assert (contact.logged_by, contact.notes) == (worker, "Joint visit with police.")
    event = TimelineEvent.objects.get(nominal=world.nominal)
    assert (event.kind, event.summary, event.body, event.source_id, event.recorded_by) == (
        "contact",
        "Joint visit: attended and complied",
        "Joint visit with police.",
        contact.pk,
        worker,
    )
    audit = AuditEvent.objects.get(action="contact.logged")
    assert (audit.actor, audit.nominal_id, audit.target_id) == (worker, world.nominal.pk, str(contact.pk))


def test_a_future_date_is_refused_and_nothing_is_saved():
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        log_contact(
            actor=worker,
            nominal=world.nominal,
            happened_on=TODAY() + datetime.timedelta(days=1),
            kind="office",
            outcome="attended_complied",
        )
    assert refused.value.message_dict == {"happened_on": ["Date of contact must be today or in the past"]}
    assert not Contact.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="contact.logged").exists()


def test_a_date_more_than_a_year_ago_is_refused():
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError, match="within the last year"):
        log_contact(
            actor=worker,
            nominal=world.nominal,
            happened_on=TODAY() - datetime.timedelta(days=400),
            kind="office",
            outcome="attended_complied",
        )


def test_an_unknown_type_is_refused():
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        log_contact(
            actor=worker,
            nominal=world.nominal,
            happened_on=TODAY(),
            kind="seance",
            outcome="attended_complied",
        )
    assert "kind" in refused.value.message_dict
    assert not Contact.objects.exists()


@pytest.mark.parametrize("scope", ["other_team", "no_team"])
def test_someone_outside_the_team_may_not_log(scope):
    world = build_world()
    outsider = (
        member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team)
        if scope == "other_team"
        else member(Role.REGIONAL_LEAD, region=world.region)
    )
    with pytest.raises(PermissionDenied):
        log_contact(
            actor=outsider,
            nominal=world.nominal,
            happened_on=TODAY(),
            kind="office",
            outcome="attended_complied",
        )
    assert not Contact.objects.exists()
