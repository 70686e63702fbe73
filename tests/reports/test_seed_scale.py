"""seed_scale at a tiny size: the right rows, valid identifiers, and a second run that adds nothing.

Timings are never asserted here: the benchmark (make bench) measures them.
"""

import datetime as dt
from collections import defaultdict

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

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
from iom.core.models import AuditEvent, Membership, Organisation, Role, Team
from reports.management.commands.seed_scale import DAYS_TO_DECIDE, REGION, WEEKS_PLANNED
from supervision.models import (
    AppointmentSeries,
    Contact,
    ContactAttendee,
    ContactStandard,
    EnforcementAction,
    Sensitivity,
)

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
    held = Contact.objects.exclude(outcome="")
    assert held.count() == CONTACTS
    contact_type = ContentType.objects.get_for_model(Contact)
    events = TimelineEvent.objects.filter(source_type=contact_type)
    assert events.count() == CONTACTS
    for contact in held.exclude(sensitivity=Sensitivity.POLICE).order_by("?")[:5]:
        event = events.get(source_id=contact.pk)
        assert (event.nominal_id, event.occurred_on, event.recorded_by_id) == (
            contact.nominal_id,
            contact.date,
            contact.logged_by_id,
        )
        assert (event.summary, event.body, event.visibility) == (
            contact.summary(),
            contact.notes,
            contact.sensitivity,
        )
        assert (contact.outcome_recorded_by_id, contact.outcome_recorded_at) == (
            contact.logged_by_id,
            contact.logged_at,
        )
    assert AuditEvent.objects.filter(action="contact.logged").count() == CONTACTS
    assert AuditEvent.objects.filter(action="nominal.viewed").count() == len(
        [pk for pk in held.values_list("pk", flat=True) if pk % 3 == 0]
    )
    logged = AuditEvent.objects.get(action="contact.logged", target_id=str(contact.pk))
    assert logged.detail == {
        "kind": contact.kind,
        "outcome": contact.outcome,
        "purpose": contact.purpose,
        "sensitivity": contact.sensitivity,
    }


def test_police_intelligence_is_logged_by_police_and_stays_off_the_timeline(seeded):
    police_notes = Contact.objects.filter(sensitivity=Sensitivity.POLICE)
    assert police_notes.exists()
    assert set(police_notes.values_list("logged_by__memberships__role", flat=True)) == {
        Role.POLICE_OFFENDER_MANAGER
    }
    events = TimelineEvent.objects.filter(
        source_type=ContentType.objects.get_for_model(Contact), source_id__in=police_notes.values("pk")
    )
    assert events.count() == police_notes.count()
    assert set(events.values_list("visibility", "body")) == {(Sensitivity.TEAM, "")}
    assert all(event.summary.endswith("(police intelligence note)") for event in events)
    assert Contact.objects.filter(sensitivity=Sensitivity.PARTNERS).exists()


def test_every_contact_was_attended_by_its_logger_and_joint_visits_by_two_agencies(seeded):
    contacts = Contact.objects.all()
    attendance = ContactAttendee.objects.select_related("user", "contact")
    assert set(attendance.values_list("contact_id", flat=True)) == set(contacts.values_list("pk", flat=True))
    by_logger = attendance.filter(user_id=F("contact__logged_by_id"))
    assert by_logger.count() == contacts.count()
    for row in by_logger:
        assert row.organisation_id == row.user.organisation_id
    joint = contacts.filter(kind=Contact.Kind.JOINT_VISIT)
    assert 0.08 * CONTACTS <= joint.count() <= 0.25 * CONTACTS
    agencies = defaultdict(set)
    for contact_id, kind in attendance.filter(contact__in=joint).values_list(
        "contact_id", "organisation__kind"
    ):
        agencies[contact_id].add(kind)
    assert len(agencies) == joint.count()
    for kinds in agencies.values():
        assert kinds == {Organisation.Kind.POLICE_FORCE, Organisation.Kind.PROBATION_DELIVERY_UNIT}
    assert attendance.count() == contacts.count() + joint.count()


def test_the_fixed_cohort_has_three_appointments_a_week_planned_ahead(seeded):
    today = timezone.localdate()
    fixed = CohortMembership.objects.filter(status=CohortMembership.Status.ACTIVE, cohort="fixed")
    out = fixed.filter(nominal__in_custody=False)
    assert out.exists()
    series = AppointmentSeries.objects.all()
    assert set(series.values_list("nominal_id", flat=True)) == set(out.values_list("nominal_id", flat=True))
    planned = Contact.objects.filter(outcome="")
    for one in series:
        dates = list(planned.filter(series=one).values_list("date", flat=True))
        assert len(dates) in (3 * WEEKS_PLANNED - 1, 3 * WEEKS_PLANNED, 3 * WEEKS_PLANNED + 1)
        assert all(today <= day < today + dt.timedelta(weeks=WEEKS_PLANNED) for day in dates)
        assert {day.weekday() for day in dates} == {0, 2, 4}
    assert not planned.exclude(series=None).exclude(kind=Contact.Kind.OFFICE).exists()
    assert AuditEvent.objects.filter(action="appointment.series_planned").count() == series.count()
    # A custody visit before release for each person in custody.
    for visit in planned.filter(series=None).select_related("nominal"):
        assert visit.kind == Contact.Kind.CUSTODY_VISIT
        release = visit.nominal.conditional_release_date
        assert visit.nominal.in_custody
        assert release is not None
        assert today < visit.date < release
    assert not TimelineEvent.objects.filter(
        source_type=ContentType.objects.get_for_model(Contact), source_id__in=planned.values("pk")
    ).exists()


def test_some_flex_and_free_people_have_a_contact_standard(seeded):
    standards = ContactStandard.objects.select_related("nominal")
    assert standards.exists()
    active = CohortMembership.objects.filter(status=CohortMembership.Status.ACTIVE)
    with_standard = set(standards.values_list("nominal_id", flat=True))
    assert with_standard <= set(
        active.filter(cohort__in=["flex", "free"]).values_list("nominal_id", flat=True)
    )
    for standard in standards:
        assert standard.reason
        assert standard.set_on <= timezone.localdate()
    assert (
        TimelineEvent.objects.filter(source_type=ContentType.objects.get_for_model(ContactStandard)).count()
        == standards.count()
    )
    assert AuditEvent.objects.filter(action="contact_standard.set").count() == standards.count()


def test_enforcement_decisions_answer_unacceptable_absences(seeded):
    actions = EnforcementAction.objects.all()
    assert actions.exists()
    absences = Contact.objects.filter(outcome=Contact.Outcome.UNACCEPTABLE_ABSENCE)
    for action in actions:
        # Each decision follows an absence of the person's, within the days a case team takes.
        assert absences.filter(
            nominal_id=action.nominal_id,
            date__range=(action.decided_on - dt.timedelta(days=DAYS_TO_DECIDE), action.decided_on),
        ).exists()
        assert action.decided_on <= timezone.localdate()
    assert (
        TimelineEvent.objects.filter(
            kind=TimelineEvent.Kind.ENFORCEMENT,
            source_type=ContentType.objects.get_for_model(EnforcementAction),
        ).count()
        == actions.count()
    )
    assert AuditEvent.objects.filter(action="enforcement.recorded").count() == actions.count()


def test_seeded_records_pass_model_validation(seeded):
    for nominal in Nominal.objects.filter(team__region__name=REGION).order_by("?")[:20]:
        nominal.full_clean()
        assert nominal.pnc_id
    for membership in CohortMembership.objects.order_by("?")[:10]:
        membership.full_clean()
    for contact in Contact.objects.order_by("?")[:10]:
        contact.full_clean()
    for series in AppointmentSeries.objects.all()[:5]:
        series.full_clean()
    for standard in ContactStandard.objects.all()[:5]:
        standard.full_clean()
    for action in EnforcementAction.objects.all()[:5]:
        action.full_clean()


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
