"""The manager's referrals dashboard: who may see it, what it links to, and what it costs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import Nominal, Pathway
from iom.core.factories import MembershipFactory
from iom.core.models import AuditEvent, Role, Team, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from tests.actors import World, build_world, member, member_of_world

pytestmark = pytest.mark.django_db

URL = "/reports/dashboard/referrals/"


def manager_of(*teams: Team) -> User:
    user = member(Role.MANAGER, team=teams[0])
    for team in teams[1:]:
        MembershipFactory.create(user=user, role=Role.MANAGER, team=team)
    return user


def partner_service(name: str) -> PartnerService:
    return PartnerServiceFactory.create(
        organisation=PartnerOrganisationFactory.create(name=name),
        name=f"{name} service",
        pathways=list(Pathway.values),
    )


def refer(
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


def overdue(referral: Referral) -> Referral:
    """Sent three weeks ago, due a week ago, still unanswered."""
    today = timezone.localdate()
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.now() - timedelta(days=21), response_due=today - timedelta(days=7)
    )
    return referral


@pytest.fixture
def world() -> World:
    return build_world()


def test_a_manager_sees_their_teams_referrals_in_figures(client, world):
    manager = manager_of(world.own_team)
    housing = partner_service("Harbour Housing")
    overdue(refer(manager, housing, world.nominal))
    accepted = refer(manager, housing, world.nominal, pathway="health")
    services.accept_referral(actor=member(Role.PARTNER, organisation=housing.organisation), referral=accepted)
    client.force_login(manager)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["team"] == world.own_team
    figures = response.context["figures"]
    assert (figures.by_pathway.total, figures.time_to_accept.overall.accepted) == (2, 1)
    assert figures.not_responding.overdue == 1
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">City IOM</h1>' in html
    assert "in the last 12 months" in html
    assert "Harbour Housing" in html
    assert 'name="team"' not in html  # one team: nothing to switch between
    assert "style=" not in html  # the Content-Security-Policy forbids inline styles


def test_the_sub_navigation_moves_between_the_team_and_its_referrals(client, world):
    client.force_login(manager_of(world.own_team))
    team = world.own_team.pk

    referrals = client.get(URL).content.decode()
    dashboard = client.get("/reports/dashboard/").content.decode()

    assert (
        f'<a class="moj-sub-navigation__link" href="/reports/dashboard/referrals/?team={team}" '
        'aria-current="page">Referrals</a>'
    ) in referrals
    assert f'<a class="moj-sub-navigation__link" href="/reports/dashboard/?team={team}">Team</a>' in referrals
    assert (
        f'<a class="moj-sub-navigation__link" href="/reports/dashboard/?team={team}" '
        'aria-current="page">Team</a>'
    ) in dashboard
    assert (
        f'<a class="moj-sub-navigation__link" href="/reports/dashboard/referrals/?team={team}">Referrals</a>'
    ) in dashboard


def test_the_team_dashboard_counts_referrals_past_their_due_date_and_links_to_them(client, world):
    manager = manager_of(world.own_team)
    housing = partner_service("Harbour Housing")
    overdue(refer(manager, housing, world.nominal))
    overdue(refer(manager, housing, world.nominal, pathway="health"))
    refer(manager, housing, world.nominal, pathway="ete")  # sent today: not due yet
    other_manager = manager_of(world.other_team)
    overdue(refer(other_manager, housing, world.other_nominal))
    client.force_login(manager)

    response = client.get("/reports/dashboard/")

    assert response.context["referrals_overdue"] == 2
    html = " ".join(response.content.decode().split())
    assert (
        f'href="/referrals/?team={world.own_team.pk}&amp;overdue=1"> '
        '<span class="app-figure__number">2</span> '
        '<span class="app-figure__label">referrals awaiting an answer past their due date</span>'
    ) in html


def test_every_figure_links_to_the_list_behind_it(client, world):
    manager = manager_of(world.own_team)
    housing = partner_service("Harbour Housing")
    waiting = overdue(refer(manager, housing, world.nominal))
    declined = refer(manager, housing, world.nominal, pathway="health")
    services.decline_referral(
        actor=member(Role.PARTNER, organisation=housing.organisation), referral=declined, reason="Full"
    )
    services.record_no_service_available(actor=manager, nominal=world.nominal, pathway="finance")
    client.force_login(manager)

    response = client.get(URL)

    since = (timezone.localdate() - timedelta(days=365)).isoformat()
    team = world.own_team.pk
    html = response.content.decode()
    referrals = f"/referrals/?team={team}"
    for query in [
        "&amp;pathway=accommodation&amp;status=sent",
        "&amp;pathway=accommodation",  # the row's total
        "&amp;pathway=health&amp;status=declined",
        "&amp;status=sent",  # the column's total
        "&amp;status=declined",
        "",  # every referral
    ]:
        assert f'href="{referrals}{query}&amp;since={since}"' in html, query
    # Empty cells are not links.
    assert f'href="{referrals}&amp;pathway=ete&amp;status=sent' not in html
    assert (
        f'href="{referrals}&amp;organisation={waiting.organisation_id}&amp;overdue=1">1'
        '<span class="govuk-visually-hidden"> referral awaiting an answer from Harbour Housing</span>'
    ) in html
    assert f'href="{referrals}&amp;overdue=1"' in html
    # Only a count above nought is a link, as in the other tables.
    for pathway in Pathway.values:
        link = f'href="/people/?team={team}&amp;need={pathway}&amp;need_reason=no_service"'
        assert (link in html) == (pathway == "finance"), pathway


def test_the_no_service_link_lists_the_people_it_counts(client, world):
    manager = manager_of(world.own_team)
    services.record_no_service_available(actor=manager, nominal=world.nominal, pathway="accommodation")
    client.force_login(manager)

    figures = client.get(URL).context["figures"]
    people = client.get(f"/people/?team={world.own_team.pk}&need=accommodation&need_reason=no_service")

    counted = next(row.no_service for row in figures.needs if row.pathway == "accommodation")
    assert counted == people.context["page"].paginator.count == 1


def test_a_team_with_no_referrals_says_so(client, world):
    client.force_login(manager_of(world.own_team))

    html = client.get(URL).content.decode()

    assert "No referrals were sent in the last 12 months." in html
    assert "No partner accepted or declined a referral in the last 12 months." in html
    assert "No referral is waiting for an answer past its due date." in html
    assert "No one's need is recorded as having no service available." in html
    # The no-service table lists every pathway, with its zero.
    assert html.count('<table class="govuk-table') == 1


def test_a_manager_of_several_teams_sees_the_first_by_name_and_may_switch(client, world):
    housing = partner_service("Harbour Housing")
    refer(manager_of(world.other_team), housing, world.other_nominal)
    client.force_login(manager_of(world.other_team, world.own_team))

    first = client.get(URL)
    assert first.context["team"] == world.own_team  # City IOM before County IOM
    assert first.context["figures"].by_pathway.total == 0
    html = first.content.decode()
    assert f'<form method="get" action="{URL}" class="app-team-switch">' in html
    assert f'<option value="{world.other_team.pk}">County IOM</option>' in html

    other = client.get(URL, {"team": world.other_team.pk})
    assert other.context["team"] == world.other_team
    assert other.context["figures"].by_pathway.total == 1


def test_a_manager_of_another_team_sees_only_their_own_teams_referrals(client, world):
    housing = partner_service("Harbour Housing")
    overdue(refer(manager_of(world.own_team), housing, world.nominal))
    client.force_login(manager_of(world.other_team))

    response = client.get(URL)

    assert response.context["team"] == world.other_team
    figures = response.context["figures"]
    assert (figures.by_pathway.total, figures.not_responding.overdue) == (0, 0)
    assert "Harbour Housing" not in response.content.decode()
    assert client.get(URL, {"team": world.own_team.pk}).status_code == 404
    assert client.get(URL, {"team": "not-a-number"}).status_code == 404


@pytest.mark.parametrize(
    "role",
    [
        Role.POLICE_OFFENDER_MANAGER,
        Role.PROBATION_PRACTITIONER,
        Role.SUPPORT_WORKER,
        Role.YOUNG_ADULT_SUPPORT_WORKER,
        Role.REGIONAL_LEAD,
        Role.NATIONAL,
        Role.PARTNER,
        Role.ADMINISTRATOR,
    ],
)
def test_anyone_but_a_manager_gets_404(client, world, role):
    client.force_login(member_of_world(role, world))
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"team": world.own_team.pk}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_the_page_shows_counts_and_partners_only_so_writes_no_audit_row(client, world):
    manager = manager_of(world.own_team)
    overdue(refer(manager, partner_service("Harbour Housing"), world.nominal))
    client.force_login(manager)
    before = AuditEvent.objects.count()

    html = client.get(URL).content.decode()

    assert AuditEvent.objects.count() == before
    assert world.nominal.family_name not in html


def test_partners_past_the_first_25_are_counted(client, world):
    manager = manager_of(world.own_team)
    for index in range(26):
        overdue(refer(manager, partner_service(f"Partner {index:02d}"), world.nominal))
    client.force_login(manager)

    html = client.get(URL).content.decode()

    assert "The 25 with the most overdue referrals, of 26 organisations." in html
    assert html.count("awaiting an answer from Partner") == 25


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_referrals(client, world, django_assert_num_queries, size):
    manager = manager_of(world.own_team)
    partners = [partner_service(name) for name in ("Alpha", "Beta", "Coda")]
    for index in range(size):
        service = partners[index % 3]
        referral = refer(manager, service, world.nominal, pathway=Pathway.values[index % 7])
        if index % 3 == 0:
            overdue(referral)
        elif index % 3 == 1:
            services.accept_referral(
                actor=member(Role.PARTNER, organisation=service.organisation), referral=referral
            )
        services.record_no_service_available(
            actor=manager,
            nominal=NominalFactory.create(team=world.own_team),
            pathway=Pathway.values[index % 7],
        )
    client.force_login(manager)
    # session, user, memberships, managed teams; referrals by pathway and status, answers for the
    # time to accept, partners not responding, unmet needs. Nothing is audited.
    with django_assert_num_queries(8):
        response = client.get(URL)
    figures = response.context["figures"]
    assert figures.by_pathway.total == size
    assert figures.not_responding.overdue == len(range(0, size, 3))
    assert figures.no_service == size


def test_the_last_12_months_start_a_year_before_today(client, world):
    manager = manager_of(world.own_team)
    housing = partner_service("Harbour Housing")
    old = refer(manager, housing, world.nominal)
    Referral.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=400))
    client.force_login(manager)

    figures = client.get(URL).context["figures"]

    assert figures.since == timezone.localdate() - timedelta(days=365)
    assert figures.by_pathway.total == 0
