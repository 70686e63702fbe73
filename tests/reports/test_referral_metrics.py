"""The referrals dashboard's figures, each against hand-built data whose answer is written here.

TODAY is Wednesday 18 November 2026, so the last 12 months start on Tuesday 18 November 2025.
Referrals go through the partners' services (so their events and answers are real), then their
dates are moved to the days each test needs.
"""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import Nominal, Pathway, UnmetReason
from cohorts.services import update_need
from iom.core.models import Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from partners.response_times import add_working_days
from reports import metrics
from reports.metrics import AcceptanceTimes, PartnerNotResponding
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)
SINCE = date(2025, 11, 18)
STATUSES = ["sent", "accepted", "in_progress", "declined", "completed", "withdrawn"]


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment on a day in the service's time zone (London)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def partner_service(name: str, *pathways: str) -> PartnerService:
    organisation = PartnerOrganisationFactory.create(name=name)
    return PartnerServiceFactory.create(
        organisation=organisation, name=f"{name} service", pathways=list(pathways) or ["accommodation"]
    )


def partner_of(service: PartnerService) -> User:
    return member(Role.PARTNER, organisation=service.organisation)


def sent(
    manager: User, service: PartnerService, *, nominal: Nominal, pathway: str = "accommodation"
) -> Referral:
    return services.create_referral(
        actor=manager,
        nominal=nominal,
        service=service,
        pathway=pathway,
        reason="Needs support",
        lawful_basis=Referral.LawfulBasis.CONSENT,
        consent_given_on=timezone.localdate(),
        send=True,
    )


def dated(
    referral: Referral,
    *,
    sent_on: date | datetime,
    answered_on: date | datetime | None = None,
    due: date | None = None,
) -> Referral:
    """Move a referral's dates: sent, answered (accepted or declined) and due (5 working days by default)."""
    sent_at = sent_on if isinstance(sent_on, datetime) else at(sent_on)
    responded_at = answered_on if isinstance(answered_on, datetime | None) else at(answered_on)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent_at,
        responded_at=responded_at,
        response_due=due or add_working_days(timezone.localdate(sent_at), 5),
    )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def manager(world: World) -> User:
    return member(Role.MANAGER, team=world.own_team)


def test_referrals_sent_in_the_last_12_months_are_counted_by_pathway_and_their_status_now(world, manager):
    housing = partner_service("Harbour Housing", "accommodation", "health")
    partner = partner_of(housing)
    nominal = world.nominal
    dated(sent(manager, housing, nominal=nominal), sent_on=date(2026, 11, 10))
    accepted = sent(manager, housing, nominal=nominal)
    services.accept_referral(actor=partner, referral=accepted)
    working = sent(manager, housing, nominal=nominal)
    services.accept_referral(actor=partner, referral=working)
    services.add_progress_update(actor=partner, referral=working, note="Viewing booked")
    declined = sent(manager, housing, nominal=nominal)
    services.decline_referral(actor=partner, referral=declined, reason="Full")
    completed = sent(manager, housing, nominal=nominal, pathway="health")
    services.accept_referral(actor=partner, referral=completed)
    services.complete_referral(actor=partner, referral=completed, outcome="achieved", summary="Registered")
    withdrawn = sent(manager, housing, nominal=nominal, pathway="health")
    services.withdraw_referral(actor=manager, referral=withdrawn, reason="Moved away")
    for referral in (accepted, working, declined, completed, withdrawn):
        dated(referral, sent_on=date(2026, 6, 1))
    # The first minutes of the first day count; the last minutes of the day before do not (London time).
    dated(sent(manager, housing, nominal=nominal, pathway="health"), sent_on=at(SINCE, 0, 5))
    dated(sent(manager, housing, nominal=nominal, pathway="health"), sent_on=at(date(2025, 11, 17), 23, 55))
    # Never sent: a draft, and a draft withdrawn. Another team's referral is theirs.
    draft = services.create_referral(
        actor=manager, nominal=nominal, service=housing, pathway="accommodation", reason="Draft"
    )
    services.withdraw_referral(
        actor=manager,
        referral=services.create_referral(
            actor=manager, nominal=nominal, service=housing, pathway="accommodation", reason="Draft"
        ),
        reason="Not needed",
    )
    other_manager = member(Role.MANAGER, team=world.other_team)
    sent(other_manager, housing, nominal=world.other_nominal)
    assert draft.status == "draft"

    figures = metrics.referrals_by_pathway(team_id=world.own_team.pk, today=TODAY)

    assert figures.since == SINCE
    table = {row.pathway: [cell.count for cell in row.statuses] for row in figures.pathways}
    assert list(table) == list(Pathway.values)  # all seven, in order, empty ones too
    assert table["accommodation"] == [1, 1, 1, 1, 0, 0]
    assert table["health"] == [1, 0, 0, 0, 1, 1]
    assert all(
        counts == [0] * 6 for pathway, counts in table.items() if pathway not in ("accommodation", "health")
    )
    assert [row.total for row in figures.pathways][:3] == [4, 0, 3]
    assert [(cell.status, cell.count) for cell in figures.totals.statuses] == list(
        zip(STATUSES, [2, 1, 1, 1, 1, 1], strict=True)
    )
    assert figures.total == 7


def test_time_to_accept_counts_working_days_from_sending_to_acceptance_in_the_last_12_months(world, manager):
    housing = partner_service("Harbour Housing", "accommodation", "health")
    partner = partner_of(housing)

    def accepted(sent_on: date, answered_on: date, pathway: str = "accommodation") -> Referral:
        referral = sent(manager, housing, nominal=world.nominal, pathway=pathway)
        services.accept_referral(actor=partner, referral=referral)
        return dated(referral, sent_on=sent_on, answered_on=answered_on)

    # Accommodation: 2, 1 (Friday to Monday), 10 (late: due Monday 12 October) and 0 working days.
    accepted(date(2026, 11, 2), date(2026, 11, 4))
    accepted(date(2026, 10, 30), date(2026, 11, 2))
    accepted(date(2026, 10, 5), date(2026, 10, 19))
    accepted(date(2026, 10, 1), date(2026, 10, 1))
    # Health: one accepted in 4 working days and since completed, and one declined.
    completed = accepted(date(2026, 6, 1), date(2026, 6, 5), pathway="health")
    services.complete_referral(actor=partner, referral=completed, outcome="achieved", summary="Registered")
    declined = sent(manager, housing, nominal=world.nominal, pathway="health")
    services.decline_referral(actor=partner, referral=declined, reason="Full")
    dated(declined, sent_on=date(2026, 9, 1), answered_on=date(2026, 9, 2))
    # Accepted in 1 working day and withdrawn since by the team: the partner's answer still counts.
    withdrawn = accepted(date(2026, 7, 1), date(2026, 7, 2))
    services.withdraw_referral(actor=manager, referral=withdrawn, reason="Moved away")
    # Not counted: accepted before the 12 months, still waiting, marked accepted with no
    # acceptance on record, and another team's.
    accepted(date(2025, 11, 10), date(2025, 11, 17))
    dated(sent(manager, housing, nominal=world.nominal), sent_on=date(2026, 11, 16))
    unrecorded = sent(manager, housing, nominal=world.nominal)
    Referral.objects.filter(pk=unrecorded.pk).update(status="accepted", responded_at=at(date(2026, 11, 3)))
    other = sent(member(Role.MANAGER, team=world.other_team), housing, nominal=world.other_nominal)
    services.accept_referral(actor=partner, referral=other)

    figures = metrics.time_to_accept(team_id=world.own_team.pk, today=TODAY)

    assert figures.since == SINCE
    assert figures.overall == AcceptanceTimes(
        pathway="",
        label="All pathways",
        accepted=6,
        median_days=1.5,  # of 0, 1, 1, 2, 4, 10
        p90_days=10,  # nearest rank: the 6th of 6
        within_deadline=5,
        declined=1,
    )
    assert (figures.overall.within_deadline_percent, figures.overall.declined_percent) == (83, 14)
    by_pathway = {row.pathway: row for row in figures.pathways}
    assert list(by_pathway) == list(Pathway.values)
    accommodation = by_pathway["accommodation"]
    assert (accommodation.accepted, accommodation.median_days, accommodation.p90_days) == (5, 1.0, 10)
    assert (accommodation.within_deadline, accommodation.within_deadline_percent) == (4, 80)
    assert (accommodation.declined, accommodation.declined_percent) == (0, 0)
    health = by_pathway["health"]
    assert (health.accepted, health.median_days, health.p90_days, health.within_deadline) == (1, 4.0, 4, 1)
    assert (health.declined, health.answered, health.declined_percent) == (1, 2, 50)
    ete = by_pathway["ete"]
    assert (ete.accepted, ete.median_days, ete.p90_days) == (0, None, None)
    assert (ete.within_deadline_percent, ete.declined_percent) == (None, None)


def test_the_90th_percentile_is_the_smallest_time_within_which_nine_in_ten_were_accepted(world, manager):
    housing = partner_service("Harbour Housing")
    partner = partner_of(housing)
    # Sent on Monday 2 November and accepted 0 to 9 working days later (the weekend skipped).
    answered = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13]
    for day in answered:
        referral = sent(manager, housing, nominal=world.nominal)
        services.accept_referral(actor=partner, referral=referral)
        dated(referral, sent_on=date(2026, 11, 2), answered_on=date(2026, 11, day))

    overall = metrics.time_to_accept(team_id=world.own_team.pk, today=TODAY).overall

    assert (overall.accepted, overall.median_days, overall.p90_days) == (10, 4.5, 8)
    # Due on Monday 9 November (5 working days): the last four were late.
    assert (overall.within_deadline, overall.within_deadline_percent) == (6, 60)


def test_partners_not_responding_are_those_holding_referrals_past_their_due_date_most_overdue_first(
    world, manager
):
    alpha = partner_service("Alpha Housing")
    beta = partner_service("Beta Health")
    coda = partner_service("Coda Recovery")
    delta = partner_service("Delta Homes")

    def waiting(service: PartnerService, due: date, nominal: Nominal | None = None) -> Referral:
        referral = sent(manager, service, nominal=nominal or world.nominal)
        return dated(referral, sent_on=date(2026, 10, 1), due=due)

    def answered_late(service: PartnerService, due: date, answered_on: date) -> None:
        referral = sent(manager, service, nominal=world.nominal)
        services.accept_referral(actor=partner_of(service), referral=referral)
        dated(referral, sent_on=date(2026, 10, 1), due=due, answered_on=answered_on)

    waiting(alpha, date(2026, 11, 10))
    waiting(alpha, date(2026, 11, 13))
    answered_late(alpha, date(2026, 11, 3), date(2026, 11, 5))
    answered_late(alpha, date(2026, 11, 3), date(2026, 11, 3))  # on the day: not late
    waiting(beta, date(2026, 11, 2))
    waiting(beta, date(2026, 11, 17))
    waiting(coda, date(2026, 11, 17))
    waiting(coda, TODAY)  # due today: not yet overdue
    answered_late(delta, date(2026, 11, 3), date(2026, 11, 6))  # late, but nothing waiting
    other_manager = member(Role.MANAGER, team=world.other_team)
    dated(
        sent(other_manager, coda, nominal=world.other_nominal),
        sent_on=date(2026, 10, 1),
        due=date(2026, 10, 2),
    )

    figures = metrics.partners_not_responding(team_id=world.own_team.pk, today=TODAY)

    organisation = {service.organisation.name: service.organisation_id for service in (alpha, beta, coda)}
    # Alpha and Beta have two each; Beta's oldest is older, so Beta first.
    assert figures.partners == [
        PartnerNotResponding(organisation["Beta Health"], "Beta Health", 2, date(2026, 11, 2), 0),
        PartnerNotResponding(organisation["Alpha Housing"], "Alpha Housing", 2, date(2026, 11, 10), 1),
        PartnerNotResponding(organisation["Coda Recovery"], "Coda Recovery", 1, date(2026, 11, 17), 0),
    ]
    assert (figures.organisations, figures.overdue) == (3, 5)
    # The team dashboard's figure and the referral list's overdue=1 count the same referrals.
    assert metrics.referrals_overdue(team_id=world.own_team.pk, today=TODAY) == 5


def test_partners_not_responding_shows_the_first_25_and_counts_them_all(world, manager):
    for index in range(26):
        service = partner_service(f"Partner {index:02d}")
        referral = sent(manager, service, nominal=world.nominal)
        dated(referral, sent_on=date(2026, 10, 1), due=date(2026, 10, 1 + index))

    figures = metrics.partners_not_responding(team_id=world.own_team.pk, today=TODAY)

    assert len(figures.partners) == 25
    assert (figures.organisations, figures.overdue) == (26, 26)
    assert figures.partners[0].name == "Partner 00"  # one each: the oldest due first
    assert figures.partners[-1].name == "Partner 24"


def test_needs_with_no_service_available_are_counted_by_pathway_for_the_teams_people(world, manager):
    def no_service(nominal: Nominal, pathway: str) -> None:
        services.record_no_service_available(actor=manager, nominal=nominal, pathway=pathway)

    no_service(world.nominal, "accommodation")
    no_service(NominalFactory.create(team=world.own_team), "accommodation")
    no_service(world.nominal, "health")
    update_need(
        actor=manager,
        nominal=NominalFactory.create(team=world.own_team),
        pathway="ete",
        status="unmet",
        unmet_reason=UnmetReason.WAITING_LIST,
        updated_on=TODAY,
    )
    services.record_no_service_available(
        actor=member(Role.MANAGER, team=world.other_team), nominal=world.other_nominal, pathway="finance"
    )

    figures = metrics.referrals_dashboard(team_id=world.own_team.pk, today=TODAY)

    assert [(row.pathway, row.no_service) for row in figures.needs] == [
        ("accommodation", 2),
        ("ete", 0),
        ("health", 1),
        ("drugs_alcohol", 0),
        ("finance", 0),
        ("families", 0),
        ("attitudes", 0),
    ]
    assert figures.no_service == 3


@pytest.mark.parametrize("size", [3, 30])
def test_the_referrals_dashboard_takes_four_queries_however_many_referrals(
    world, manager, django_assert_num_queries, size
):
    services_by_name = [partner_service(name, *Pathway.values) for name in ("Alpha", "Beta", "Coda")]
    for index in range(size):
        service = services_by_name[index % 3]
        referral = sent(manager, service, nominal=world.nominal, pathway=Pathway.values[index % 7])
        if index % 2:
            services.accept_referral(actor=partner_of(service), referral=referral)
            dated(referral, sent_on=date(2026, 10, 1), answered_on=date(2026, 10, 1 + index % 20))
        else:
            dated(referral, sent_on=date(2026, 10, 1))
        services.record_no_service_available(
            actor=manager,
            nominal=NominalFactory.create(team=world.own_team),
            pathway=Pathway.values[index % 7],
        )
    # by pathway and status; answers for the time to accept; partners not responding; unmet needs
    with django_assert_num_queries(4):
        figures = metrics.referrals_dashboard(team_id=world.own_team.pk, today=TODAY)
    assert figures.by_pathway.total == size
    assert figures.time_to_accept.overall.accepted == size // 2
    assert figures.not_responding.overdue == size - size // 2
    assert figures.no_service == size


def test_a_team_with_no_referrals_has_empty_figures(world):
    figures = metrics.referrals_dashboard(team_id=world.own_team.pk, today=TODAY)
    assert (figures.by_pathway.total, figures.time_to_accept.overall.answered) == (0, 0)
    assert (figures.not_responding.partners, figures.not_responding.overdue, figures.no_service) == ([], 0, 0)
