"""The demo data: built once for the class (it takes seconds), rolled back after it, like setUpTestData."""

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from rest_framework.test import APIClient

from cohorts import identifiers
from cohorts.models import (
    Allocation,
    Assessment,
    CohortMembership,
    CohortReview,
    Feedback,
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
from iom.core.models import AuditEvent, Membership, Organisation, Region, Role, Team, User
from partners import selectors as partner_selectors
from partners.models import (
    TRANSITIONS,
    WORKING_STATUSES,
    Capacity,
    PartnerService,
    Referral,
    ReferralEvent,
    ServicePathway,
)
from partners.notifications import (
    lost_notices,
    notify_case_worker,
    notify_partner_of_referral,
    notify_partner_of_withdrawal,
)
from partners.response_times import add_working_days
from reports.management.commands.seed_demo import DEMO_PASSWORD, NO_SERVICE_NOTES
from reports.models import AreaBaseline
from reports.pack import PackScope, Table, impact
from supervision import selectors
from supervision.compliance import week_starting
from supervision.models import (
    AppointmentSeries,
    Contact,
    ContactAttendee,
    ContactStandard,
    EnforcementAction,
    Kind,
    Sensitivity,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Region,
    Organisation,
    Team,
    User,
    Membership,
    Nominal,
    Contact,
    ContactAttendee,
    AppointmentSeries,
    ContactStandard,
    EnforcementAction,
    AuditEvent,
    TimelineEvent,
    CohortMembership,
    CohortReview,
    Allocation,
    Assessment,
    Need,
    NeedUpdate,
    Offence,
    Goal,
    Feedback,
    PartnerService,
    ServicePathway,
    Referral,
    ReferralEvent,
    AreaBaseline,
)


def counts():
    result = {model.__name__: model.objects.count() for model in MODELS}
    # Each seeding issues a fresh demo API token and revokes the last: the only rows a rerun adds.
    result["AuditEvent"] = AuditEvent.objects.exclude(action__startswith="api_token.").count()
    return result


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """seed_demo's output; its data stays for the class's tests and is rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


class TestTheDemo:
    def test_it_prints_a_working_api_token_and_revokes_the_last_one_when_seeded_again(self, seeded):
        match = re.search(r"Bearer (iom_[0-9a-f]{16}_\S+)'", seeded)
        assert match, seeded
        client = APIClient(HTTP_AUTHORIZATION=f"Bearer {match[1]}")
        me = client.get("/api/v1/me/")
        assert me.status_code == 200
        assert me.json()["email"] == "manager@demo.iom.example"
        seed()
        assert client.get("/api/v1/me/").status_code == 401

    def test_it_builds_the_demo_and_a_second_run_changes_nothing(self, seeded):
        first = counts()
        assert (first["Region"], first["Team"], first["Nominal"]) == (1, 2, 60)
        assert first["Contact"] >= 3 * 60
        # Six partner organisations (one national), and the support workers' own agency.
        assert Organisation.objects.filter(kind__in=["voluntary_community", "local_authority"]).count() == 7
        for model in (
            "CohortMembership",
            "Allocation",
            "Assessment",
            "Need",
            "Goal",
            "Offence",
            "Feedback",
            "ContactStandard",
            "EnforcementAction",
            "AppointmentSeries",
            "PartnerService",
            "Referral",
            "ReferralEvent",
        ):
            assert first[model] > 0, model
        assert "password for all: demo-password-iom-2026" in seeded
        assert "Demo data ready: 60 new nominals" in seeded

        assert "Demo data ready: 0 new nominals, 60 in all" in seed()
        assert counts() == first

    def test_every_role_has_a_login_printed_for_it(self, seeded):
        assert {role for (role,) in Membership.objects.values_list("role")} == set(Role.values)
        for user in User.objects.all():
            assert user.email in seeded
        assert "police.om@demo.iom.example" in seeded
        # Each team has a manager for its panel and every case-team place filled by someone.
        for team in Team.objects.all():
            roles = set(Membership.objects.filter(team=team).values_list("role", flat=True))
            assert Role.MANAGER in roles, team
            assert {Role.POLICE_OFFENDER_MANAGER, Role.PROBATION_PRACTITIONER} <= roles, team
            assert roles & {Role.SUPPORT_WORKER, Role.YOUNG_ADULT_SUPPORT_WORKER}, team

    def test_the_cohorts_are_spread_as_a_real_team_would_have_them(self, seeded):
        active = CohortMembership.objects.filter(status=CohortMembership.Status.ACTIVE)
        assert {cohort: active.filter(cohort=cohort).count() for cohort in ("fixed", "flex", "free")} == {
            "fixed": 20,
            "flex": 15,
            "free": 15,
        }
        assert CohortMembership.objects.filter(status=CohortMembership.Status.PROPOSED).count() == 5
        assert CohortMembership.objects.filter(status=CohortMembership.Status.ENDED).count() == 2
        on_or_proposed = CohortMembership.objects.filter(status__in=["active", "proposed"]).values("nominal")
        assert Nominal.objects.exclude(pk__in=on_or_proposed).count() == 5
        today = timezone.localdate()
        assert 1 <= active.filter(review_due__lt=today).count() <= 6
        assert active.filter(review_due__gte=today).exists()
        # Every accepted membership went through the panel, recorded by the team's manager.
        for membership in active.select_related("panel_recorded_by"):
            assert membership.panel_date is not None
            assert membership.panel_recorded_by is not None
            assert membership.proposed_on <= membership.panel_date <= today
            assert membership.panel_recorded_by.memberships.filter(
                role=Role.MANAGER, team_id=membership.nominal.team_id
            ).exists()
        audit = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"cohort.proposed", "cohort.panel_decided", "cohort.reviewed", "nominal.allocated"} <= audit

    def test_the_record_has_case_teams_risk_needs_and_custody(self, seeded):
        nominals = Nominal.objects.all()
        allocated = nominals.exclude(police_offender_manager=None).exclude(probation_practitioner=None)
        assert allocated.count() >= 50
        assert 1 <= nominals.filter(police_offender_manager=None, probation_practitioner=None).count() <= 6
        assert nominals.exclude(support_worker=None).exists()
        assert Assessment.objects.filter(kind=Assessment.Kind.ROSH).values("nominal").distinct().count() >= 45
        for pathway in (Pathway.ACCOMMODATION, Pathway.HEALTH):
            assert Need.objects.filter(
                pathway=pathway, status=NeedStatus.UNMET, unmet_reason=UnmetReason.NO_SERVICE
            ).exists(), pathway
        today = timezone.localdate()
        due_out = [n for n in nominals.filter(in_custody=True) if n.due_out_within(today)]
        assert len(due_out) >= 3
        for nominal in nominals:
            identifiers.validate_crn(nominal.crn or "")
            identifiers.validate_pnc_id(nominal.pnc_id or "")
            if nominal.in_custody:
                identifiers.validate_nomis_number(nominal.nomis_number or "")
                assert nominal.establishment
        # Written through the services: each piece has its timeline entry.
        assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.COHORT).count() >= 100
        assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.VOICE).exists()
        assert Goal.objects.filter(status=Goal.Status.ACTIVE).exists()

    def test_frontline_workers_attend_for_their_own_agency(self, seeded):
        agency = {
            Role.POLICE_OFFENDER_MANAGER: Organisation.Kind.POLICE_FORCE,
            Role.PROBATION_PRACTITIONER: Organisation.Kind.PROBATION_DELIVERY_UNIT,
            Role.SUPPORT_WORKER: Organisation.Kind.VOLUNTARY_COMMUNITY,
            Role.YOUNG_ADULT_SUPPORT_WORKER: Organisation.Kind.VOLUNTARY_COMMUNITY,
        }
        people = Membership.objects.filter(role__in=agency)
        for role, kind, email in people.values_list("role", "user__organisation__kind", "user__email"):
            assert kind == agency[Role(role)], email
        # Every attendance carries the agency the worker attended for.
        assert not ContactAttendee.objects.filter(organisation=None).exists()

    def test_contacts_show_joint_and_custody_visits_and_every_reach_of_note(self, seeded):
        held = Contact.objects.exclude(outcome="")
        agencies = defaultdict(set)
        for contact_id, kind in ContactAttendee.objects.filter(contact__kind=Kind.JOINT_VISIT).values_list(
            "contact_id", "organisation__kind"
        ):
            agencies[contact_id].add(kind)
        assert agencies
        for kinds in agencies.values():
            assert kinds == {Organisation.Kind.POLICE_FORCE, Organisation.Kind.PROBATION_DELIVERY_UNIT}
        assert held.filter(kind=Kind.JOINT_VISIT).count() >= 5
        assert held.filter(kind=Kind.CUSTODY_VISIT, nominal__in_custody=True).exists()
        police_notes = held.filter(sensitivity=Sensitivity.POLICE)
        assert 1 <= police_notes.count() <= held.count() // 10
        assert set(police_notes.values_list("logged_by__memberships__role", flat=True)) == {
            Role.POLICE_OFFENDER_MANAGER
        }
        assert held.filter(sensitivity=Sensitivity.PARTNERS).exists()
        assert held.filter(sensitivity=Sensitivity.TEAM).exists()

    def test_the_diary_and_appointments_ahead(self, seeded):
        today = timezone.localdate()
        frontline = User.objects.filter(
            memberships__role__in=[
                Role.POLICE_OFFENDER_MANAGER,
                Role.PROBATION_PRACTITIONER,
                Role.SUPPORT_WORKER,
                Role.YOUNG_ADULT_SUPPORT_WORKER,
            ]
        )
        assert frontline.count() == 6
        for worker in frontline:
            diary = list(selectors.my_diary(worker, start=today, end=today + timedelta(days=7)))
            assert any(contact.is_planned and contact.date > today for contact in diary), worker.email
            assert selectors.outcomes_due(worker).exists(), worker.email
        # The Fixed cohort's three a week, as series starting this week.
        fixed = CohortMembership.objects.filter(status=CohortMembership.Status.ACTIVE, cohort="fixed")
        series = AppointmentSeries.objects.filter(nominal__in=fixed.values("nominal"), weekdays="024")
        assert series.count() >= 4
        assert all(one.starts_on == today and one.appointments.count() >= 10 for one in series)
        # A custody visit before release for people due out soon.
        assert Contact.objects.filter(
            kind=Kind.CUSTODY_VISIT, outcome="", date__gt=today, nominal__in_custody=True
        ).exists()

    def test_standards_compliance_and_enforcement_prompts(self, seeded):
        today = timezone.localdate()
        active = CohortMembership.objects.filter(status=CohortMembership.Status.ACTIVE)
        flex_free = active.filter(cohort__in=["flex", "free"], nominal__in_custody=False)
        with_standard = flex_free.filter(nominal__contact_standards__isnull=False).distinct().count()
        assert with_standard >= 10
        assert 1 <= flex_free.count() - with_standard <= 4
        assert not ContactStandard.objects.filter(reason="").exists()
        last_week = week_starting(today) - timedelta(days=7)
        for team in Team.objects.all():
            people = Nominal.objects.filter(team=team)
            fixed = people.filter(pk__in=active.filter(cohort="fixed").values("nominal"))
            short = selectors.below_standard(fixed, week_starts=last_week)
            assert 1 <= len(short) <= fixed.count() // 2, team
            at_threshold = selectors.at_enforcement_threshold(people)
            assert len(at_threshold) >= 1, team
            statuses = selectors.enforcement_for(people)
            decided = [
                pk
                for pk, status in statuses.items()
                if len(status.absences) >= 2 and not status.needs_decision
            ]
            assert EnforcementAction.objects.filter(nominal__in=decided).exists(), team

    def test_the_directory_serves_most_pathways_and_leaves_some_needs_without_a_service(self, seeded):
        services = PartnerService.objects.all()
        assert 6 <= services.count() <= 10
        served = set(ServicePathway.objects.values_list("pathway", flat=True))
        unserved = set(Pathway.values) - served
        assert unserved == {Pathway.FAMILIES, Pathway.ATTITUDES}
        assert services.filter(capacity=Capacity.CLOSED).count() == 1
        assert services.filter(region=None).count() == 1  # the national one
        mind = services.get(organisation__name="Northshire Mind")
        assert (mind.capacity, mind.typical_wait_days) == (Capacity.WAITING_LIST, 42)
        assert mind.pathways.get().pathway == Pathway.HEALTH
        assert services.get(name="Housing advice and tenancy support").referral_email
        # Made as an administrator would make them, so each has its audit row.
        assert AuditEvent.objects.filter(action="partner_service.created").count() == services.count()
        # Recorded through the partners' service: an unmet need, no service available.
        no_service = Need.objects.filter(
            pathway__in=unserved, status=NeedStatus.UNMET, unmet_reason=UnmetReason.NO_SERVICE
        )
        assert {need.pathway for need in no_service} == unserved
        assert NeedUpdate.objects.filter(
            need__in=no_service, note__in=list(NO_SERVICE_NOTES.values())
        ).count() == 2 * len(unserved)

    def test_referrals_are_in_every_state_across_both_teams_and_several_pathways(self, seeded):
        today = timezone.localdate()
        referrals = Referral.objects.all()
        statuses = Counter(referrals.values_list("status", flat=True))
        assert set(statuses) == set(Referral.Status.values)
        assert statuses[Referral.Status.SENT] >= 5
        assert statuses[Referral.Status.IN_PROGRESS] >= 2
        outcomes = set(referrals.filter(status=Referral.Status.COMPLETED).values_list("outcome", flat=True))
        assert outcomes == set(Referral.Outcome.values)
        sent = referrals.filter(status=Referral.Status.SENT)
        assert 2 <= sent.filter(response_due__lt=today).count() < sent.count()
        for team in Team.objects.all():
            assert referrals.filter(nominal__team=team).count() >= 8, team
        assert len(set(referrals.values_list("pathway", flat=True))) >= 5
        # A declined or withdrawn referral says why.
        closing = ReferralEvent.objects.filter(
            to_status__in=[Referral.Status.DECLINED, Referral.Status.WITHDRAWN]
        )
        assert closing.count() == statuses[Referral.Status.DECLINED] + statuses[Referral.Status.WITHDRAWN]
        assert not closing.filter(note="").exists()
        sessions = ReferralEvent.objects.filter(kind=ReferralEvent.Kind.SESSION)
        assert {ReferralEvent.Attendance.ATTENDED, ReferralEvent.Attendance.DID_NOT_ATTEND} <= set(
            sessions.values_list("attendance", flat=True)
        )
        assert ReferralEvent.objects.filter(kind=ReferralEvent.Kind.PROGRESS).exists()

    def test_each_referral_moved_only_as_the_lifecycle_allows_on_days_in_order(self, seeded):
        today = timezone.localdate()
        for referral in Referral.objects.select_related("service").prefetch_related("events"):
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
            if referral.sent_at is not None:
                sent_on = timezone.localdate(referral.sent_at)
                assert sent_on == changes[1].occurred_on
                assert referral.response_due == add_working_days(
                    sent_on, referral.service.response_working_days
                )
            # Back in time with it: the timeline shows the referral when it happened.
            timeline = TimelineEvent.objects.filter(
                kind=TimelineEvent.Kind.REFERRAL, source_id=referral.pk
            ).values_list("occurred_on", flat=True)
            assert set(timeline) <= set(days), referral

    def test_sending_is_a_disclosure_audited_with_its_recipient(self, seeded):
        sent = Referral.objects.exclude(sent_at=None)
        disclosures = {
            int(event.target_id): event
            for event in AuditEvent.objects.filter(action="referral.sent", target_type="partners.referral")
        }
        assert set(disclosures) == set(sent.values_list("pk", flat=True))
        for referral in sent:
            event = disclosures[referral.pk]
            assert event.recipient_id == referral.organisation_id
            assert event.detail["shared_fields"] == referral.shared_fields
            assert "name" in referral.shared_fields
        bases = set(sent.values_list("lawful_basis", flat=True))
        assert Referral.LawfulBasis.CONSENT in bases
        assert len(bases) >= 2

    def test_the_housing_partner_has_new_referrals_overdue_ones_and_people_to_work_with(self, seeded):
        partner = User.objects.get(email="partner@demo.iom.example")
        assert partner.organisation is not None
        assert partner.organisation.name == "Northshire Housing Advice"
        today = timezone.localdate()
        inbox = list(partner_selectors.inbox_for(user=partner, filters=partner_selectors.InboxFilters()))
        new = [referral for referral in inbox if referral.status == Referral.Status.SENT]
        working = [referral for referral in inbox if referral.status in WORKING_STATUSES]
        assert len([referral for referral in new if not partner_selectors.is_overdue(referral, today)]) >= 2
        assert len([referral for referral in new if partner_selectors.is_overdue(referral, today)]) >= 2
        assert len(working) >= 2
        for referral in working:
            assert access.partner_sees_nominal(partner, referral.nominal)
            # Notes the team marked shareable with partners, for the partner to read.
            assert partner_selectors.shareable_notes(user=partner, referral=referral).exists()
        for referral in new:
            assert not access.partner_sees_nominal(partner, referral.nominal)

    def test_the_mental_health_partner_has_a_login_and_referrals_of_its_own(self, seeded):
        partner = User.objects.get(email="partner.mind@demo.iom.example")
        assert partner.organisation is not None
        assert partner.organisation.name == "Northshire Mind"
        assert "Northshire Mind" in seeded
        counts = partner_selectors.inbox_counts(user=partner)
        assert counts["new"] >= 1
        assert counts["working"] >= 1

    def test_partner_access_is_granted_while_a_referral_is_accepted_and_open(self, seeded):
        partners = {
            user.organisation_id: user for user in User.objects.filter(memberships__role=Role.PARTNER)
        }
        for referral in Referral.objects.select_related("nominal"):
            working = Referral.objects.filter(
                nominal=referral.nominal,
                organisation=referral.organisation,
                status__in=sorted(WORKING_STATUSES),
            ).exists()
            assert (
                access.partner_sees_nominal(partners[referral.organisation_id], referral.nominal) == working
            )
        assert AuditEvent.objects.filter(action="partner_access.revoked").exists()

    def test_the_notices_for_the_demo_history_count_as_sent(self, seeded):
        """So `make run`'s worker sends none of them when it starts."""
        sent = Referral.objects.exclude(sent_at=None)
        assert not sent.filter(partner_notified_at=None).exists()
        answered = ReferralEvent.objects.filter(by_partner=True)
        assert answered.exists()
        assert not answered.filter(case_worker_notified_at=None).exists()
        mail.outbox.clear()
        assert not any(notify_partner_of_referral(referral_id=pk) for pk in sent.values_list("pk", flat=True))
        assert not any(
            notify_case_worker(referral_event_id=pk) for pk in answered.values_list("pk", flat=True)
        )
        withdrawn = ReferralEvent.objects.filter(to_status=Referral.Status.WITHDRAWN)
        assert not any(
            notify_partner_of_withdrawal(referral_event_id=pk)
            for pk in withdrawn.values_list("pk", flat=True)
        )
        assert mail.outbox == []
        # And beat's sweep for lost notices finds nothing to send again.
        lost = lost_notices(now=timezone.now())
        assert (lost.referrals, lost.withdrawals, lost.partner_events) == ([], [], [])

    def test_each_team_has_its_areas_shares_labelled_as_demo_figures(self, seeded):
        baselines = AreaBaseline.objects.all()
        assert set(baselines.values_list("source", "year")) == {("Demo figures, not census data", 2021)}
        for team in Team.objects.all():
            mine = baselines.filter(team=team)
            for dimension in ("ethnicity", "age_band", "gender"):
                assert sum(one.share for one in mine.filter(dimension=dimension)) == 100, (team, dimension)
            categories = set(mine.values_list("category", flat=True))
            assert {
                "asian",
                "black",
                "mixed",
                "white",
                "other",
                "18-24",
                "55+",
                "male",
                "female",
            } <= categories
        city, county = (
            baselines.get(team__name=name, category="white").share
            for name in ("Northshire City IOM", "Northshire County IOM")
        )
        assert city < county

    def test_feedback_carries_the_themes_a_worker_would_tick(self, seeded):
        feedback = list(Feedback.objects.all())
        assert all(one.helps_themes for one in feedback)  # every demo "what helps" is themed
        ticked = {theme for one in feedback for theme in one.helps_themes + one.does_not_help_themes}
        assert {"worker", "housing"} <= ticked
        for one in feedback:
            assert bool(one.does_not_help_themes) == bool(one.what_does_not_help)

    def test_each_team_has_reoffending_before_and_after_entry_for_the_pack(self, seeded):
        """Enough people entered IOM a year before the last complete month for the pack to compare."""
        today = timezone.localdate()
        period_end = today.replace(day=1) - timedelta(days=1)
        period_start = period_end.replace(day=1)
        for team in Team.objects.all():
            scope = PackScope(team.name, f"team-{team.pk}", (team.pk,), period_start, period_end, today)
            (section,) = impact.sections(scope)
            tables = {block.key: block for block in section.blocks if isinstance(block, Table)}
            people = {str(row[0]): row[1] for row in tables["reoffending-summary"].rows}
            counted = people["People who entered IOM at least 12 months before the period's end"]
            assert isinstance(counted, int)
            assert counted >= 8, team
            by_category = tables["reoffending-by-category"]
            assert by_category.total is not None
            _, before, after, _, cost_before, _, _ = by_category.total
            assert isinstance(before, int)
            assert isinstance(after, int)
            assert 0 < after < before, team
            assert isinstance(cost_before, int)
            assert cost_before > 0, team
            categories = {str(row[0]) for row in by_category.rows}
            assert {"Robbery (personal)", "Theft of a vehicle", "Burglary (dwelling)"} <= categories, team

    def test_every_demo_user_can_sign_in(self, client, seeded):
        # Through the sign-in form: django-axes needs the request that authenticate() is given.
        for user in User.objects.all():
            response = client.post("/sign-in/", {"username": user.email, "password": DEMO_PASSWORD})
            assert response.status_code == 302, user.email
            client.logout()


def test_a_demo_database_from_before_the_richer_record_still_seeds(capsys):
    """Its people stay as they were; it gains only the new demo users."""
    region = Region.objects.create(name="Northshire")
    city = Team.objects.create(region=region, name="Northshire City IOM")
    county = Team.objects.create(region=region, name="Northshire County IOM")
    Nominal.objects.bulk_create(
        Nominal(
            crn=f"{prefix}{100001 + n:06d}",
            given_name="Dean",
            family_name="Robson",
            date_of_birth=date(1990, 1, 1) + timedelta(days=n),
            team=team,
        )
        for prefix, team in (("C", city), ("N", county))
        for n in range(30)
    )

    call_command("seed_demo")

    assert "Demo data ready: 0 new nominals, 60 in all" in capsys.readouterr().out
    assert Nominal.objects.count() == 60
    assert not CohortMembership.objects.exists()
    assert not Allocation.objects.exists()
    assert User.objects.filter(email="probation.county@demo.iom.example").exists()
    assert {role for (role,) in Membership.objects.values_list("role")} == set(Role.values)
