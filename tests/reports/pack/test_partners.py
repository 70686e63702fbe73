"""The pack's referrals and unmet needs sections against hand-built data whose answers are written here.

The period is October 2026 (Thursday 1 to Saturday 31), reported on Monday 2 November. Referrals go
through the partners' services, so their events are real, then their dates are moved to the days each
test needs (times are London's).
"""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import Need, NeedStatus, Nominal, UnmetReason
from cohorts.services import record_need_status
from iom.core.models import Role, Team, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from reports.pack import Chart, PackScope, Paragraph, Section, Table
from reports.pack import partners as pack_partners
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

START, END, TODAY = date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 2)


def team_scope(team: Team) -> PackScope:
    return PackScope(team.name, f"team-{team.pk}", (team.pk,), START, END, TODAY)


def region_scope(world: World) -> PackScope:
    teams = (world.own_team.pk, world.other_team.pk)
    return PackScope("Northshire (all teams)", "region", teams, START, END, TODAY, world.region.pk)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def partner_service(name: str, *pathways: str) -> PartnerService:
    organisation = PartnerOrganisationFactory.create(name=name)
    return PartnerServiceFactory.create(
        organisation=organisation, name=f"{name} service", pathways=list(pathways)
    )


def partner_of(service: PartnerService) -> User:
    return member(Role.PARTNER, organisation=service.organisation)


def sent(
    manager: User, service: PartnerService, nominal: Nominal, pathway: str = "accommodation"
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


def moved(
    referral: Referral,
    *,
    sent_on: date | datetime,
    answered_on: date | None = None,
    due: date | None = None,
    closed_on: date | None = None,
) -> Referral:
    """Put a referral's dates where the test needs them."""
    changes: dict[str, object] = {"sent_at": sent_on if isinstance(sent_on, datetime) else at(sent_on)}
    if answered_on is not None:
        changes["responded_at"] = at(answered_on)
    if due is not None:
        changes["response_due"] = due
    if closed_on is not None:
        changes["closed_at"] = at(closed_on)
    Referral.objects.filter(pk=referral.pk).update(**changes)
    referral.refresh_from_db()
    return referral


def section_named(scope: PackScope, key: str) -> Section:
    sections = pack_partners.sections(scope)
    assert [section.key for section in sections] == ["referrals", "unmet-needs"]
    return next(section for section in sections if section.key == key)


def table(section: Section, key: str) -> Table:
    return next(t for t in section.tables() if t.key == key)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def manager(world: World) -> User:
    return member(Role.MANAGER, team=world.own_team)


def test_referrals_sent_in_the_period_by_pathway_with_the_median_time_to_accept(world, manager):
    housing = partner_service("Harbour Housing", "accommodation", "health", "ete")
    partner = partner_of(housing)

    def accepted(sent_on: date, answered_on: date, pathway: str = "accommodation") -> Referral:
        referral = sent(manager, housing, world.nominal, pathway)
        services.accept_referral(actor=partner, referral=referral)
        return moved(referral, sent_on=sent_on, answered_on=answered_on)

    # Accommodation: accepted in 1, 2, 2 (Friday to Tuesday), 3 and 10 working days: median 2.
    accepted(date(2026, 10, 5), date(2026, 10, 6))
    accepted(date(2026, 10, 5), date(2026, 10, 7))
    accepted(date(2026, 10, 9), date(2026, 10, 13))
    completed = accepted(date(2026, 10, 12), date(2026, 10, 15))
    services.complete_referral(actor=partner, referral=completed, outcome="achieved", summary="Housed")
    # Accepted, then withdrawn by the team: still an acceptance.
    withdrawn_later = accepted(date(2026, 10, 12), date(2026, 10, 26))
    services.withdraw_referral(actor=manager, referral=withdrawn_later, reason="Moved away")
    declined = sent(manager, housing, world.nominal)
    services.decline_referral(actor=partner, referral=declined, reason="Full")
    moved(declined, sent_on=date(2026, 10, 6), answered_on=date(2026, 10, 7))
    withdrawn = sent(manager, housing, world.nominal)
    services.withdraw_referral(actor=manager, referral=withdrawn, reason="Not needed")
    moved(withdrawn, sent_on=date(2026, 10, 7))
    moved(sent(manager, housing, world.nominal), sent_on=date(2026, 10, 28))
    # Health: one accepted in 2 working days, one waiting. Too few acceptances for a median.
    accepted(date(2026, 10, 19), date(2026, 10, 21), pathway="health")
    moved(sent(manager, housing, world.nominal, "health"), sent_on=date(2026, 10, 29))
    # Education and work: the period's first and last minutes count, the minutes either side do not.
    moved(sent(manager, housing, world.nominal, "ete"), sent_on=at(date(2026, 10, 1), 0, 5))
    moved(sent(manager, housing, world.nominal, "ete"), sent_on=at(date(2026, 10, 31), 23, 55))
    moved(sent(manager, housing, world.nominal, "ete"), sent_on=at(date(2026, 9, 30), 23, 55))
    moved(sent(manager, housing, world.nominal, "ete"), sent_on=at(date(2026, 11, 1), 0, 5))
    # Not counted: a draft, and another team's referral.
    services.create_referral(
        actor=manager, nominal=world.nominal, service=housing, pathway="health", reason="x"
    )
    other = sent(member(Role.MANAGER, team=world.other_team), housing, world.other_nominal)
    moved(other, sent_on=date(2026, 10, 5))

    section = section_named(team_scope(world.own_team), "referrals")

    by_pathway = table(section, "referrals-by-pathway")
    assert by_pathway.columns == [
        "Pathway",
        "Sent",
        "Accepted",
        "Declined",
        "Completed",
        "Withdrawn",
        "Awaiting an answer",
        "Median working days to accept",
    ]
    rows = {row[0]: list(row[1:]) for row in by_pathway.rows}
    assert list(rows)[:3] == [
        "Accommodation",
        "Education, training and employment",
        "Health, including mental health",
    ]
    assert rows["Accommodation"] == [8, 5, 1, 1, 2, 1, 2.0]
    assert rows["Health, including mental health"] == [2, 1, 0, 0, 0, 1, None]
    assert rows["Education, training and employment"] == [2, 0, 0, 0, 0, 2, None]
    assert all(values == [0, 0, 0, 0, 0, 0, None] for values in list(rows.values())[3:])
    # Six acceptances: 1, 2, 2, 2, 3, 10.
    assert by_pathway.total == ["All pathways", 12, 6, 1, 1, 2, 4, 2.0]
    assert by_pathway.count_columns == frozenset({1, 2, 3, 4, 5, 6})
    assert by_pathway.shown_rows()[0] == ["Accommodation", "8", "5", "<5", "<5", "<5", "<5", "2.0"]
    chart = next(block for block in section.blocks if isinstance(block, Chart))
    assert (chart.kind, chart.table_key) == ("grouped", "referrals-by-pathway")
    assert chart.series[0] == ("Sent", [8, 2, 2, 0, 0, 0, 0])
    assert section.headlines[0] == ("Referrals sent", "12", "")
    assert section.headlines[1] == ("Median working days to accept", "2", "")

    # The region holds the other team's referral too.
    region = table(section_named(region_scope(world), "referrals"), "referrals-by-pathway")
    assert region.total == ["All pathways", 13, 6, 1, 1, 2, 5, 2.0]


def test_partners_not_answering_at_the_periods_end_most_overdue_first(world, manager):
    housing = partner_service("Harbour Housing", "accommodation")
    mind = partner_service("Mind the Gap", "health")
    elsewhere = partner_service("Elsewhere Trust", "accommodation")
    housing_partner = partner_of(housing)

    def referral(service: PartnerService, sent_on: date, due: date, **changes) -> Referral:
        pathway = "health" if service == mind else "accommodation"
        return moved(sent(manager, service, world.nominal, pathway), sent_on=sent_on, due=due, **changes)

    referral(housing, date(2026, 10, 1), date(2026, 10, 8))  # never answered
    answered_late = referral(housing, date(2026, 10, 5), date(2026, 10, 12))
    services.accept_referral(actor=housing_partner, referral=answered_late)
    moved(answered_late, sent_on=date(2026, 10, 5), answered_on=date(2026, 11, 2))  # after the period
    on_time = referral(housing, date(2026, 10, 5), date(2026, 10, 12))
    services.accept_referral(actor=housing_partner, referral=on_time)
    moved(on_time, sent_on=date(2026, 10, 5), answered_on=date(2026, 10, 20))
    referral(housing, date(2026, 10, 26), date(2026, 11, 2))  # not yet due
    referral(housing, date(2026, 10, 20), date(2026, 10, 30))  # a day overdue
    referral(housing, date(2026, 10, 22), date(2026, 10, 31))  # due on the last day: not yet overdue
    withdrawn_then = referral(housing, date(2026, 9, 1), date(2026, 9, 8))
    services.withdraw_referral(actor=manager, referral=withdrawn_then, reason="Moved")
    moved(withdrawn_then, sent_on=date(2026, 9, 1), closed_on=date(2026, 9, 15))
    withdrawn_since = referral(housing, date(2026, 9, 1), date(2026, 9, 8))
    services.withdraw_referral(actor=manager, referral=withdrawn_since, reason="Moved")
    moved(withdrawn_since, sent_on=date(2026, 9, 1), closed_on=date(2026, 11, 3))
    for _ in range(5):
        referral(mind, date(2026, 10, 13), date(2026, 10, 20))
    other_manager = member(Role.MANAGER, team=world.other_team)
    moved(
        sent(other_manager, elsewhere, world.other_nominal), sent_on=date(2026, 10, 1), due=date(2026, 10, 8)
    )

    section = section_named(team_scope(world.own_team), "referrals")

    partners = table(section, "partners-not-responding")
    assert partners.title == "Partners not answering referrals at 31 October 2026"
    assert partners.rows == [
        ["Mind the Gap", 5, "20 October 2026"],
        ["Harbour Housing", 4, "8 September 2026"],
    ]
    assert partners.shown_rows()[1] == ["Harbour Housing", "<5", "8 September 2026"]
    assert partners.total == ["All partners", 9, None]
    assert section.headlines[2] == ("Referrals past their answer date", "9", "with 2 partners")
    region = table(section_named(region_scope(world), "referrals"), "partners-not-responding")
    assert [row[0] for row in region.rows] == ["Mind the Gap", "Harbour Housing", "Elsewhere Trust"]


def test_no_partner_overdue_is_said_in_words(world):
    section = section_named(team_scope(world.own_team), "referrals")
    assert table(section, "partners-not-responding").rows == []
    texts = [block.text for block in section.blocks if isinstance(block, Paragraph)]
    assert texts == ["No partner held a referral past its answer date at the end of the period."]


def test_needs_unmet_at_the_periods_end_and_those_with_no_service(world, manager):
    def need(nominal: Nominal, pathway: str, *changes: tuple[date, str, str]) -> None:
        for updated_on, status, reason in changes:
            record_need_status(
                actor=manager,
                nominal=nominal,
                pathway=pathway,
                status=status,
                unmet_reason=reason,
                updated_on=updated_on,
            )

    def person(team: Team | None = None) -> Nominal:
        return NominalFactory.create(team=team or world.own_team)

    unmet, no_service, waiting, declined = (
        NeedStatus.UNMET,
        UnmetReason.NO_SERVICE,
        UnmetReason.WAITING_LIST,
        UnmetReason.DECLINED,
    )
    need(person(), "accommodation", (date(2026, 10, 10), unmet, no_service))
    need(person(), "accommodation", (date(2026, 10, 5), unmet, no_service), (date(2026, 11, 3), "met", ""))
    need(person(), "accommodation", (date(2026, 9, 1), unmet, waiting))
    need(person(), "health", (date(2026, 10, 20), unmet, no_service))
    need(person(), "health", (date(2026, 11, 2), unmet, no_service))  # after the period
    need(person(), "health", (date(2026, 9, 1), "identified", ""), (date(2026, 10, 31), unmet, no_service))
    need(person(), "finance", (date(2026, 10, 1), unmet, declined), (date(2026, 10, 15), "met", ""))
    # Needs recorded before updates were kept: as they are, if last changed by the period's end.
    Need.objects.create(
        nominal=person(),
        pathway="drugs_alcohol",
        status=unmet,
        unmet_reason=no_service,
        updated_on=date(2026, 7, 1),
    )
    Need.objects.create(
        nominal=person(),
        pathway="drugs_alcohol",
        status=unmet,
        unmet_reason=no_service,
        updated_on=date(2026, 11, 5),
    )
    need(person(world.other_team), "accommodation", (date(2026, 10, 1), unmet, no_service))

    section = section_named(team_scope(world.own_team), "unmet-needs")

    needs = table(section, "unmet-needs-by-pathway")
    assert needs.title == "Needs unmet at 31 October 2026, by pathway"
    assert needs.columns == ["Pathway", "Unmet needs", "Of which no service available"]
    assert needs.rows == [
        ["Accommodation", 3, 2],
        ["Education, training and employment", 0, 0],
        ["Health, including mental health", 2, 2],
        ["Drugs and alcohol", 1, 1],
        ["Finance, benefit and debt", 0, 0],
        ["Children and families", 0, 0],
        ["Attitudes, thinking and behaviour", 0, 0],
    ]
    assert needs.total == ["All pathways", 6, 5]
    assert needs.shown_total() == ["All pathways", "6", "5"]
    chart = next(block for block in section.blocks if isinstance(block, Chart))
    assert chart.series == [("Unmet", [3, 0, 2, 1, 0, 0, 0]), ("No service available", [2, 0, 2, 1, 0, 0, 0])]
    [gaps] = [block.text for block in section.blocks if isinstance(block, Paragraph)]
    assert gaps.startswith("5 unmet needs have no service available to meet them. These are structural gaps")
    assert gaps.endswith(
        "The largest gaps are in accommodation (<5) and health, including mental health (<5)."
    )
    assert section.headlines == [
        ("Needs unmet at the period's end", "6", ""),
        ("Of which no service available", "5", ""),
    ]
    region = table(section_named(region_scope(world), "unmet-needs"), "unmet-needs-by-pathway")
    assert region.total == ["All pathways", 7, 6]


def test_no_need_without_a_service_is_said_in_words(world):
    section = section_named(team_scope(world.own_team), "unmet-needs")
    [text] = [block.text for block in section.blocks if isinstance(block, Paragraph)]
    assert text.startswith("No unmet need was recorded as having no service available")


@pytest.mark.parametrize("size", [1, 10])
def test_both_sections_take_four_queries_however_many_referrals_and_needs(
    django_assert_num_queries, world, manager, size
):
    housing = partner_service("Harbour Housing", "accommodation")
    partner = partner_of(housing)
    for _ in range(size):
        nominal = NominalFactory.create(team=world.own_team)
        referral = sent(manager, housing, nominal)
        services.accept_referral(actor=partner, referral=referral)
        moved(referral, sent_on=date(2026, 10, 5), answered_on=date(2026, 10, 6))
        moved(sent(manager, housing, nominal), sent_on=date(2026, 10, 1), due=date(2026, 10, 8))
        record_need_status(
            actor=manager,
            nominal=nominal,
            pathway="health",
            status=NeedStatus.UNMET,
            unmet_reason=UnmetReason.NO_SERVICE,
            updated_on=date(2026, 10, 2),
        )
    # Referrals by pathway, acceptance times, partners not answering, needs at the period's end.
    with django_assert_num_queries(4):
        sections = pack_partners.sections(team_scope(world.own_team))
    assert table(sections[0], "referrals-by-pathway").total[1] == 2 * size  # type: ignore[index]
    assert table(sections[0], "partners-not-responding").rows == [["Harbour Housing", size, "8 October 2026"]]
    assert table(sections[1], "unmet-needs-by-pathway").total == ["All pathways", size, size]
