"""seed_scale at a tiny size: the right rows, valid identifiers, and a second run that adds nothing.

Timings are never asserted here: the benchmark (make bench) measures them.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection

from cohorts.models import (
    Allocation,
    Assessment,
    CohortMembership,
    Need,
    NeedStatus,
    Nominal,
    Offence,
    TimelineEvent,
)
from iom.core.models import AuditEvent, Membership, Role, Team
from reports.management.commands.seed_scale import REGION
from supervision.models import Contact

pytestmark = pytest.mark.django_db

ACTIVE = 12
CONTACTS = 300


@pytest.fixture
def seeded(capsys):
    call_command("seed_scale", nominals=ACTIVE, years=1, contacts_per_year=CONTACTS, allow_sqlite=True)
    return capsys.readouterr().out


def test_it_builds_a_region_of_four_teams_with_staff_of_every_frontline_role(seeded):
    teams = Team.objects.filter(region__name=REGION)
    assert teams.count() == 4
    for team in teams:
        roles = set(Membership.objects.filter(team=team).values_list("role", flat=True))
        assert roles == {
            Role.POLICE_OFFENDER_MANAGER,
            Role.PROBATION_PRACTITIONER,
            Role.SUPPORT_WORKER,
            Role.MANAGER,
        }
    assert "contacts" in seeded
    assert "audit events" in seeded


def test_it_makes_active_and_five_times_as_many_historic_nominals(seeded):
    nominals = Nominal.objects.filter(team__region__name=REGION)
    assert nominals.count() == ACTIVE * 6
    active = CohortMembership.objects.filter(status=CohortMembership.Status.ACTIVE)
    assert active.count() == ACTIVE
    assert set(active.values_list("cohort", flat=True)) <= {"fixed", "flex", "free"}
    historic = nominals.exclude(cohort_memberships__status=CohortMembership.Status.ACTIVE)
    assert historic.count() == ACTIVE * 5
    ended = CohortMembership.objects.filter(status=CohortMembership.Status.ENDED)
    assert not ended.filter(exit_reason="").exists()
    assert ended.filter(nominal__in=historic).count() == ACTIVE * 5


def test_active_nominals_have_a_case_team_and_allocations(seeded):
    active = Nominal.objects.filter(cohort_memberships__status=CohortMembership.Status.ACTIVE)
    assert not active.filter(police_offender_manager__isnull=True).exists()
    assert not active.filter(probation_practitioner__isnull=True).exists()
    open_allocations = Allocation.objects.filter(ended_on__isnull=True)
    assert set(open_allocations.values_list("nominal", flat=True)) == set(active.values_list("pk", flat=True))
    assert Assessment.objects.filter(kind=Assessment.Kind.ROSH).count() >= ACTIVE * 6
    assert Need.objects.filter(status=NeedStatus.UNMET).exclude(unmet_reason="").exists()
    assert Offence.objects.count() >= ACTIVE * 6 * 2


def test_every_contact_has_its_timeline_event_and_audit_rows(seeded):
    assert Contact.objects.count() == CONTACTS
    contact_type = ContentType.objects.get_for_model(Contact)
    events = TimelineEvent.objects.filter(source_type=contact_type)
    assert events.count() == CONTACTS
    contact = Contact.objects.order_by("?")[0]
    event = events.get(source_id=contact.pk)
    assert (event.nominal_id, event.occurred_on, event.recorded_by_id) == (
        contact.nominal_id,
        contact.happened_on,
        contact.logged_by_id,
    )
    assert event.summary == contact.summary()
    assert AuditEvent.objects.filter(action="contact.logged").count() == CONTACTS
    assert AuditEvent.objects.filter(action="nominal.viewed").count() == CONTACTS // 3
    logged = AuditEvent.objects.get(action="contact.logged", target_id=str(contact.pk))
    assert logged.detail == {"kind": contact.kind, "outcome": contact.outcome}


def test_seeded_records_pass_model_validation(seeded):
    for nominal in Nominal.objects.filter(team__region__name=REGION).order_by("?")[:20]:
        nominal.full_clean()
        assert nominal.pnc_id
    for membership in CohortMembership.objects.order_by("?")[:10]:
        membership.full_clean()
    for contact in Contact.objects.order_by("?")[:10]:
        contact.full_clean()


def test_a_second_run_adds_nothing_and_says_so(seeded, capsys):
    before = (Nominal.objects.count(), Contact.objects.count(), AuditEvent.objects.count())
    call_command("seed_scale", nominals=ACTIVE, years=1, contacts_per_year=CONTACTS, allow_sqlite=True)
    assert "already present" in capsys.readouterr().out
    assert (Nominal.objects.count(), Contact.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal is for SQLite")
def test_it_refuses_sqlite_without_the_flag_or_at_region_size():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_scale", nominals=ACTIVE, years=1)
    with pytest.raises(CommandError, match="at most"):
        call_command("seed_scale", nominals=3000, years=3, allow_sqlite=True)
    assert not Nominal.objects.exists()
