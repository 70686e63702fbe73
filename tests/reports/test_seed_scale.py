"""seed_scale at a tiny size: the right rows, valid identifiers, and a second run that adds nothing.

Timings are never asserted here: the benchmark (make bench) measures them.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Min
from django.utils import timezone

from cohorts.models import (
    Allocation,
    Assessment,
    CohortMembership,
    Ethnicity,
    Feedback,
    FeedbackTheme,
    Gender,
    Goal,
    Need,
    NeedStatus,
    NeedUpdate,
    Nominal,
    Offence,
    Pathway,
    TimelineEvent,
    UnmetReason,
)
from iom.core import access
from iom.core.models import AuditEvent, Membership, Organisation, Role, Team, User
from partners.models import (
    CLOSED_STATUSES,
    TRANSITIONS,
    WORKING_STATUSES,
    Capacity,
    PartnerService,
    Referral,
    ReferralEvent,
    ServicePathway,
)
from partners.response_times import add_working_days
from reports.management.commands.seed_scale import (
    BENCH_PARTNER,
    DAYS_TO_DECIDE,
    DOMAIN,
    REGION,
    WEEKS_PLANNED,
)
from reports.models import AreaBaseline
from reports.pack.people import AGE_BANDS
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


def test_the_partner_directory_has_forty_services_and_staff_to_answer_referrals(seeded):
    services = PartnerService.objects.select_related("organisation")
    assert services.count() == 40
    assert {service.organisation.kind for service in services} <= {
        Organisation.Kind.LOCAL_AUTHORITY,
        Organisation.Kind.HEALTH,
        Organisation.Kind.VOLUNTARY_COMMUNITY,
    }
    assert services.filter(region=None).count() == 3  # national
    assert services.filter(capacity=Capacity.CLOSED).count() == 1
    assert services.filter(is_active=False).count() == 1
    # Nothing works on attitudes, thinking and behaviour: that need has no service.
    assert set(ServicePathway.objects.values_list("pathway", flat=True)) == set(Pathway.values) - {
        Pathway.ATTITUDES
    }
    for organisation in Organisation.objects.filter(partner_services__isnull=False).distinct():
        staff = User.objects.filter(organisation=organisation, memberships__role=Role.PARTNER)
        assert staff.count() == 1, organisation
    assert f"partner.{BENCH_PARTNER}@{DOMAIN}" in seeded


def test_referrals_move_only_as_the_lifecycle_allows_on_days_in_order(seeded):
    today = timezone.localdate()
    referrals = Referral.objects.select_related("service").prefetch_related("events")
    assert referrals.count() >= ACTIVE * 2
    statuses = set(referrals.values_list("status", flat=True))
    assert {"sent", "declined", "in_progress", "completed", "withdrawn"} <= statuses
    for referral in referrals:
        referral.full_clean()
        events = sorted(referral.events.all(), key=lambda event: (event.recorded_at, event.pk))
        days = [event.occurred_on for event in events]
        assert days == sorted(days), referral
        assert days[-1] <= today
        changes = [event for event in events if event.kind == ReferralEvent.Kind.STATUS]
        assert (changes[0].from_status, changes[0].to_status) == ("", Referral.Status.DRAFT)
        for before, after in pairwise(changes):
            assert after.from_status == before.to_status, referral
            assert after.to_status in TRANSITIONS[before.to_status], referral
        assert changes[-1].to_status == referral.status
        for event in events:
            event.full_clean()
            assert event.by_partner == (event.actor.organisation_id == referral.organisation_id)
        if referral.sent_at is not None:
            sent_on = referral.sent_at.date()
            assert sent_on == changes[1].occurred_on
            assert referral.response_due == add_working_days(sent_on, referral.service.response_working_days)
            # The partner was told when it was sent, so nothing waits to be emailed.
            assert referral.partner_notified_at == referral.sent_at
        if referral.status in CLOSED_STATUSES:
            assert referral.closed_at is not None
    assert not ReferralEvent.objects.filter(by_partner=True, case_worker_notified_at=None).exists()
    withdrawals = ReferralEvent.objects.filter(to_status=Referral.Status.WITHDRAWN)
    assert withdrawals.exclude(from_status=Referral.Status.DRAFT).exists()
    for withdrawal in withdrawals:
        # The partner heard of a withdrawal of what had been sent to them; a draft's is news to no one.
        told = withdrawal.from_status != Referral.Status.DRAFT
        assert (withdrawal.partner_notified_at == withdrawal.recorded_at) == told, withdrawal
        assert (withdrawal.partner_notified_at is None) == (not told), withdrawal


def test_every_step_has_its_timeline_entry_and_audit_rows(seeded):
    events = ReferralEvent.objects.all()
    shown = events.exclude(to_status__in=[Referral.Status.DRAFT, Referral.Status.IN_PROGRESS])
    referral_type = ContentType.objects.get_for_model(Referral)
    timeline = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.REFERRAL)
    assert timeline.count() == shown.count()
    assert set(timeline.values_list("source_type", flat=True)) == {referral_type.pk}
    # Each disclosure is audited with the organisation it went to and what was shared.
    sent = Referral.objects.exclude(sent_at=None)
    disclosures = AuditEvent.objects.filter(action="referral.sent")
    assert disclosures.count() == sent.count()
    for referral in sent:
        disclosure = disclosures.get(target_type="partners.referral", target_id=str(referral.pk))
        assert disclosure.recipient_id == referral.organisation_id
        assert disclosure.nominal_id == referral.nominal_id
        assert disclosure.detail["shared_fields"] == referral.shared_fields
    assert AuditEvent.objects.filter(action="referral.created").count() == Referral.objects.count()
    closed_while_working = [
        after
        for referral in Referral.objects.prefetch_related("events")
        for before, after in pairwise(
            event for event in referral.events.all() if event.kind == ReferralEvent.Kind.STATUS
        )
        if before.to_status in WORKING_STATUSES and after.to_status in CLOSED_STATUSES
    ]
    assert AuditEvent.objects.filter(action="partner_access.revoked").count() == len(closed_while_working)


def test_partners_see_the_people_they_work_with_and_no_one_else(seeded):
    partners = {user.organisation_id: user for user in User.objects.filter(memberships__role=Role.PARTNER)}
    working = Referral.objects.filter(status__in=sorted(WORKING_STATUSES))
    assert working.exists()
    for referral in Referral.objects.select_related("nominal"):
        still_working = working.filter(nominal=referral.nominal, organisation=referral.organisation).exists()
        partner = partners[referral.organisation_id]
        assert access.partner_sees_nominal(partner, referral.nominal) == still_working, referral


def test_needs_follow_the_latest_referral_on_their_pathway(seeded):
    latest = {}
    for referral in Referral.objects.exclude(status=Referral.Status.DRAFT).order_by("sent_at", "id"):
        latest[(referral.nominal_id, referral.pathway)] = referral
    assert latest
    for (nominal_id, pathway), referral in latest.items():
        need = Need.objects.get(nominal_id=nominal_id, pathway=pathway)
        if referral.status in ("sent", "accepted", "in_progress"):
            assert need.status == NeedStatus.BEING_ADDRESSED
        elif referral.outcome == Referral.Outcome.ACHIEVED:
            assert need.status == NeedStatus.MET
        else:
            assert need.status == NeedStatus.IDENTIFIED
    no_service = Need.objects.filter(
        pathway=Pathway.ATTITUDES, status=NeedStatus.UNMET, unmet_reason=UnmetReason.NO_SERVICE
    )
    assert NeedUpdate.objects.filter(
        need__in=no_service, note="No service available in the partner directory"
    ).exists()


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
    for service in PartnerService.objects.all():
        service.full_clean()


def test_a_second_run_adds_nothing_and_says_so(seeded, capsys):
    def counts():
        return [model.objects.count() for model in (Nominal, Contact, AuditEvent, PartnerService, Referral)]

    before = counts()
    call_command("seed_scale", nominals=ACTIVE, years=1, contacts_per_year=CONTACTS, allow_sqlite=True)
    output = capsys.readouterr().out
    assert "already present" in output
    assert "before partners" not in output
    assert counts() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal is for SQLite")
def test_it_refuses_sqlite_without_the_flag_or_at_region_size():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_scale", nominals=ACTIVE, years=1)
    with pytest.raises(CommandError, match="at most"):
        call_command("seed_scale", nominals=3000, years=3, allow_sqlite=True)
    assert not Nominal.objects.exists()


# What the governance pack reads ------------------------------------------------------------------


def test_each_team_area_has_a_baseline_of_every_category_summing_to_a_hundred(seeded):
    teams = list(Team.objects.filter(region__name=REGION).order_by("pk"))
    expected = {
        AreaBaseline.Dimension.ETHNICITY: set(Ethnicity.values) - {Ethnicity.NOT_SAID},
        # The pack's own bands, so the two cannot drift apart.
        AreaBaseline.Dimension.AGE_BAND: {key for key, _, _, _ in AGE_BANDS},
        AreaBaseline.Dimension.GENDER: {Gender.MALE, Gender.FEMALE, Gender.NON_BINARY, Gender.OTHER},
    }
    for team in teams:
        rows = AreaBaseline.objects.filter(team=team)
        assert set(rows.values_list("source", "year")) == {("Bench figures, not census data", 2021)}
        for dimension, categories in expected.items():
            shares = dict(rows.filter(dimension=dimension).values_list("category", "share"))
            assert set(shares) == categories, (team, dimension)
            assert sum(shares.values()) == Decimal("100.00"), (team, dimension)
            assert all(share > 0 for share in shares.values())
        for baseline in rows:
            baseline.full_clean()
    white_british = [
        AreaBaseline.objects.get(team=team, dimension="ethnicity", category=Ethnicity.WHITE_BRITISH).share
        for team in teams
    ]
    # The first team's area is the least diverse; each later one a little more.
    assert white_british == [Decimal("83.00"), Decimal("80.00"), Decimal("77.00"), Decimal("74.00")]


def test_goals_have_the_timeline_entries_and_audit_rows_their_services_write(seeded):
    today = timezone.localdate()
    goals = Goal.objects.all()
    assert goals.count() >= ACTIVE
    goal_type = ContentType.objects.get_for_model(Goal)
    voice = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.VOICE, source_type=goal_type)
    statuses = set()
    closed_on_leaving = 0
    for goal in goals:
        goal.full_clean()
        statuses.add(goal.status)
        assert goal.recorded_by_id in set(
            Allocation.objects.filter(nominal=goal.nominal_id).values_list("worker_id", flat=True)
        )
        joined = CohortMembership.objects.filter(nominal=goal.nominal_id).aggregate(first=Min("entry_date"))
        assert joined["first"] <= goal.set_on <= today
        events = list(voice.filter(source_id=goal.pk).order_by("occurred_on", "id"))
        assert (events[0].summary, events[0].body, events[0].occurred_on) == (
            "New goal in their words",
            goal.in_their_words,
            goal.set_on,
        )
        exits = CohortMembership.objects.filter(nominal=goal.nominal_id).values_list("exit_date", flat=True)
        left_on = None if None in exits else max(day for day in exits if day is not None)
        if goal.status == Goal.Status.ACTIVE:
            assert len(events) == 1
            # A goal outlives its person's time on IOM only when set on their last day.
            assert left_on is None or goal.set_on == left_on
        else:
            # As set_goal_status writes it, on the day it changed, after it was set.
            assert len(events) == 2
            assert events[1].summary == f"Goal: {goal.get_status_display().lower()}"
            assert goal.set_on < events[1].occurred_on <= (left_on or today)
            closed_on_leaving += events[1].occurred_on == left_on
    assert statuses == set(Goal.Status.values)
    assert closed_on_leaving
    assert AuditEvent.objects.filter(action="goal.added").count() == goals.count()
    changed = AuditEvent.objects.filter(action="goal.changed")
    assert changed.count() == goals.exclude(status=Goal.Status.ACTIVE).count()
    for event in changed:
        assert event.detail == {"status": Goal.objects.get(pk=event.target_id).status}


def test_feedback_carries_themes_from_the_list_on_each_side_with_its_timeline_entry(seeded):
    feedback = Feedback.objects.all()
    assert feedback.count() >= ACTIVE
    feedback_type = ContentType.objects.get_for_model(Feedback)
    themed = 0
    for one in feedback:
        one.full_clean()
        assert one.what_helps
        assert set(one.helps_themes) <= set(FeedbackTheme.values)
        # Each once, in the list's order, as record_feedback stores them.
        assert one.helps_themes == [theme for theme in FeedbackTheme.values if theme in one.helps_themes]
        assert set(one.does_not_help_themes) <= set(FeedbackTheme.values)
        if one.does_not_help_themes:
            assert one.what_does_not_help
        themed += bool(one.helps_themes)
        event = TimelineEvent.objects.get(source_type=feedback_type, source_id=one.pk)
        assert (event.kind, event.summary, event.occurred_on) == (
            TimelineEvent.Kind.VOICE,
            "Feedback in their words",
            one.given_on,
        )
        assert event.body.startswith(f"What helps: {one.what_helps}")
    assert 0 < themed <= feedback.count()
    assert feedback.exclude(does_not_help_themes=[]).exists()
    assert AuditEvent.objects.filter(action="feedback.recorded").count() == feedback.count()


def test_a_region_built_before_the_pack_gets_only_what_the_pack_reads(seeded, capsys):
    voice_actions = ["goal.added", "goal.changed", "feedback.recorded"]

    def voice():
        goals = sorted(Goal.objects.values_list("nominal_id", "in_their_words", "status", "set_on"))
        feedback = sorted(
            Feedback.objects.values_list("nominal_id", "given_on", "helps_themes", "does_not_help_themes")
        )
        return goals, feedback

    def counts():
        models = (Nominal, Contact, Referral, AreaBaseline, Goal, Feedback, TimelineEvent)
        return [model.objects.count() for model in models] + [
            AuditEvent.objects.exclude(action__in=voice_actions).count()
        ]

    def voice_audit():
        return AuditEvent.objects.filter(action__in=voice_actions).count()

    built, before, audited = voice(), counts(), voice_audit()
    baselines = sorted(AreaBaseline.objects.values_list("team", "dimension", "category", "share"))
    # As a region seeded before issue 7 was: no baselines, goals or feedback, nor their timeline
    # entries (audit rows cannot be deleted, so theirs stay and are written again).
    for model in (Goal, Feedback):
        TimelineEvent.objects.filter(source_type=ContentType.objects.get_for_model(model)).delete()
        model.objects.all().delete()
    AreaBaseline.objects.all().delete()

    call_command("seed_scale", nominals=ACTIVE, years=1, contacts_per_year=CONTACTS, allow_sqlite=True)

    assert "Adding only what the governance pack reads" in capsys.readouterr().out
    # The same rows the full build made, and nothing else.
    assert voice() == built
    assert sorted(AreaBaseline.objects.values_list("team", "dimension", "category", "share")) == baselines
    assert counts() == before
    assert voice_audit() == 2 * audited

    call_command("seed_scale", nominals=ACTIVE, years=1, contacts_per_year=CONTACTS, allow_sqlite=True)

    assert "Nothing added" in capsys.readouterr().out
    assert counts() == before
    assert voice_audit() == 2 * audited
