"""The team's referral list: filters named as dashboards link to them, the overdue preset, sorting
and pages."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.core.factories import MembershipFactory
from iom.core.models import AuditEvent, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory, ReferralFactory
from partners.models import PartnerService, Referral
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

URL = "/referrals/"
TODAY = timezone.localdate()


class Scene:
    """Two workers of the own team, a housing and a debt service, and a referral in the other team."""

    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(
            Role.POLICE_OFFENDER_MANAGER, team=self.world.own_team, full_name="Pat Officer"
        )
        self.colleague: User = member(Role.MANAGER, team=self.world.own_team, full_name="Sue Sergeant")
        self.world.nominal.police_offender_manager = self.worker
        self.world.nominal.save()
        housing = PartnerOrganisationFactory.create(name="Shelter Housing Advice")
        self.housing: PartnerService = PartnerServiceFactory.create(
            organisation=housing, name="Tenancy sustainment", pathways=["accommodation"]
        )
        self.debt: PartnerService = PartnerServiceFactory.create(
            organisation=PartnerOrganisationFactory.create(name="Citizens Advice Northshire"),
            name="Debt advice",
            pathways=["finance"],
        )
        self.partner: User = member(Role.PARTNER, organisation=housing)
        other_manager = member(Role.MANAGER, team=self.world.other_team)
        self.elsewhere = self.refer(actor=other_manager, nominal=self.world.other_nominal)

    def refer(
        self,
        *,
        actor: User | None = None,
        service: PartnerService | None = None,
        send: bool = True,
        nominal=None,
    ) -> Referral:
        service = service or self.housing
        return services.create_referral(
            actor=actor or self.worker,
            nominal=nominal or self.world.nominal,
            service=service,
            pathway="accommodation" if service == self.housing else "finance",
            reason="Needs help",
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=TODAY,
            send=send,
        )

    def overdue(self, referral: Referral, days: int = 2) -> Referral:
        Referral.objects.filter(pk=referral.pk).update(response_due=TODAY - dt.timedelta(days=days))
        return referral


def references(response) -> list[Referral]:
    return [row.referral for row in response.context["rows"]]


def test_the_list_shows_the_teams_referrals_newest_first_and_is_audited(client):
    scene = Scene()
    first = scene.refer()
    second = scene.refer(service=scene.debt, actor=scene.colleague)
    draft = scene.refer(send=False)
    client.force_login(scene.worker)

    response = client.get(URL)

    assert response.status_code == 200
    assert references(response) == [draft, second, first]
    html = response.content.decode()
    assert "3 referrals</caption>" in html
    assert f'<a class="govuk-link" href="/referrals/{first.pk}/">{first.reference}</a>' in html
    assert f'<a class="govuk-link" href="/people/{scene.world.nominal.pk}/">Dean Robson</a>' in html
    assert "Citizens Advice Northshire · Finance, benefit and debt" in html
    assert "Sue Sergeant" in html
    assert "Wes Kerr" not in html
    assert AuditEvent.objects.get(action="team_referrals.viewed").detail == {
        "filtered": False,
        "overdue": False,
        "page": 1,
    }


def test_overdue_referrals_are_offered_as_a_preset_and_listed_longest_waiting_first(client):
    scene = Scene()
    scene.refer()
    late = scene.overdue(scene.refer(), days=2)
    later = scene.overdue(scene.refer(service=scene.debt), days=5)
    answered = scene.overdue(scene.refer(), days=9)
    services.accept_referral(actor=scene.partner, referral=answered)
    client.force_login(scene.worker)

    listing = client.get(URL).content.decode()
    response = client.get(URL, {"overdue": "1", "sort": "due"})

    assert (
        '<a class="govuk-link" href="/referrals/?overdue=1&amp;sort=due">'
        "2 referrals overdue: awaiting the partner's answer</a>"
    ) in listing
    assert references(response) == [later, late]
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Overdue: awaiting the partner\'s answer</h1>' in html
    assert html.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 2
    assert 'id="id_overdue" name="overdue" type="checkbox" value="1" checked' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ["accepted", "sent"]),
        ({"status": "closed"}, ["declined"]),
        ({"status": "draft"}, ["draft"]),
        ({"pathway": "finance"}, ["accepted"]),
        ({"referred_by": "colleague"}, ["declined"]),
        ({"referred_by": "worker"}, ["draft", "accepted", "sent"]),
        ({"organisation": "debt"}, ["accepted"]),
        ({"service": "housing"}, ["draft", "declined", "sent"]),
        ({"since": f"{TODAY:%Y-%m-%d}"}, ["declined", "accepted", "sent"]),
        ({"since": f"{TODAY + dt.timedelta(days=1):%d/%m/%Y}"}, []),
    ],
)
def test_each_filter_narrows_the_list_with_the_names_dashboards_use(client, params, expected):
    scene = Scene()
    scene.refer()
    accepted = scene.refer(service=scene.debt)
    services.accept_referral(
        actor=member(Role.PARTNER, organisation=scene.debt.organisation), referral=accepted
    )
    declined = scene.refer(actor=scene.colleague)
    services.decline_referral(actor=scene.partner, referral=declined, reason="Full")
    scene.refer(send=False)
    ids = {
        "colleague": scene.colleague.pk,
        "worker": scene.worker.pk,
        "debt": scene.debt.organisation_id,
        "housing": scene.housing.pk,
    }
    client.force_login(scene.worker)

    response = client.get(URL, {key: ids.get(value, value) for key, value in params.items()})

    assert response.status_code == 200
    assert [referral.status for referral in references(response)] == expected
    assert "There is a problem" not in response.content.decode()
    if not expected:
        assert "No referrals match your filters" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "lost"}, "Select a status from the list"),
        ({"pathway": "space"}, "Select a pathway from the list"),
        ({"organisation": "abc"}, "Select a partner organisation from the list"),
        ({"organisation": "999999"}, "Select a partner organisation from the list"),
        ({"referred_by": "-4"}, "Select who referred from the list"),
        ({"team": "999999"}, "Select one of your teams"),
        ({"since": "2026-13-45"}, "Sent on or after must be a real date"),
        ({"service": "housing"}, "The service in the link is not recognised"),
    ],
)
def test_a_bad_parameter_is_reported_and_ignored_never_a_server_error(client, params, message):
    scene = Scene()
    scene.refer()
    client.force_login(scene.worker)

    response = client.get(URL, {**params, "pathway": params.get("pathway", "accommodation")})

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert len(references(response)) == 1


def test_the_other_filters_still_apply_beside_a_bad_one(client):
    scene = Scene()
    scene.refer()
    scene.refer(service=scene.debt)
    client.force_login(scene.worker)
    response = client.get(URL, {"status": "nonsense", "pathway": "finance"})
    assert [referral.pathway for referral in references(response)] == ["finance"]


def test_someone_in_two_teams_sees_both_and_can_narrow_to_one(client):
    scene = Scene()
    mine = scene.refer()
    MembershipFactory.create(
        user=scene.worker, role=Role.POLICE_OFFENDER_MANAGER, team=scene.world.other_team
    )
    client.force_login(scene.worker)

    both = client.get(URL)
    one = client.get(URL, {"team": scene.world.other_team.pk})

    assert set(references(both)) == {mine, scene.elsewhere}
    assert references(one) == [scene.elsewhere]
    assert '<select name="team"' in both.content.decode()


def test_someone_in_one_team_has_no_team_choice(client):
    scene = Scene()
    client.force_login(scene.worker)
    html = client.get(URL).content.decode()
    assert '<select name="team"' not in html
    assert '<input type="hidden" name="team"' in html


def test_sorting_by_oldest_status_and_due(client):
    scene = Scene()
    first = scene.refer()
    second = scene.overdue(scene.refer(), days=3)
    draft = scene.refer(send=False)
    client.force_login(scene.worker)
    assert references(client.get(URL, {"sort": "oldest"})) == [first, second, draft]
    assert references(client.get(URL, {"sort": "status"})) == [draft, second, first]
    assert references(client.get(URL, {"sort": "due"}))[:2] == [second, first]
    assert references(client.get(URL, {"sort": "sideways"})) == [draft, second, first]


def test_an_empty_list_says_how_referrals_get_there(client):
    scene = Scene()
    client.force_login(scene.worker)
    html = client.get(URL).content.decode()
    assert "No referrals yet" in html
    assert "overdue: awaiting" not in html


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.ADMINISTRATOR])
def test_people_without_a_caseload_get_404(client, role):
    scene = Scene()
    client.force_login(member(role, region=scene.world.region if role == Role.REGIONAL_LEAD else None))
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize(("referrals", "page", "rows"), [(3, 1, 3), (30, 1, 25), (30, 2, 5)])
def test_the_query_count_does_not_grow_with_the_page(
    client, django_assert_num_queries, referrals, page, rows
):
    scene = Scene()
    nominals = NominalFactory.create_batch(3, team=scene.world.own_team)
    for number in range(referrals):
        ReferralFactory.create(nominal=nominals[number % 3], service=scene.housing, referred_by=scene.worker)
    client.force_login(scene.worker)
    # session, user; memberships; the filters' choices (partner organisations, the team's workers);
    # the count and the page of referrals with their person, service, organisation and referrer;
    # the audit row; the number overdue for the preset
    with django_assert_num_queries(9):
        response = client.get(URL, {"page": page, "status": "draft"})
    assert len(response.context["rows"]) == rows
    assert response.context["page"].paginator.count == referrals
