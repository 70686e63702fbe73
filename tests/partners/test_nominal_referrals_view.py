"""The person's Referrals tab, and the Referrals panel on their Overview tab."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import NeedStatus, UnmetReason
from cohorts.services import record_need_status
from iom.core.models import AuditEvent, Role, User
from partners import services
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import PartnerService, Referral
from partners.views.referrals import referrals_overview
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


class Scene:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.worker: User = member(Role.PROBATION_PRACTITIONER, team=self.world.own_team)
        self.world.nominal.probation_practitioner = self.worker
        self.world.nominal.save()
        organisation = PartnerOrganisationFactory.create(name="Shelter Housing Advice")
        self.service: PartnerService = PartnerServiceFactory.create(
            organisation=organisation, name="Tenancy sustainment", pathways=["accommodation", "finance"]
        )
        self.partner: User = member(Role.PARTNER, organisation=organisation)

    @property
    def url(self) -> str:
        return f"/people/{self.world.nominal.pk}/referrals/"

    def refer(self, *, send: bool = True, pathway: str = "accommodation") -> Referral:
        return services.create_referral(
            actor=self.worker,
            nominal=self.world.nominal,
            service=self.service,
            pathway=pathway,
            reason="Needs a tenancy",
            lawful_basis=Referral.LawfulBasis.CONSENT,
            consent_given_on=TODAY,
            send=send,
        )

    def overdue(self, referral: Referral) -> Referral:
        Referral.objects.filter(pk=referral.pk).update(response_due=TODAY - dt.timedelta(days=2))
        return referral


def test_the_tab_lists_the_persons_referrals_newest_first_and_is_audited(client):
    scene = Scene()
    completed = scene.refer()
    services.accept_referral(actor=scene.partner, referral=completed)
    services.complete_referral(
        actor=scene.partner, referral=completed, outcome="partially_achieved", summary="Some help"
    )
    late = scene.overdue(scene.refer(pathway="finance"))
    draft = scene.refer(send=False)
    client.force_login(scene.worker)

    response = client.get(scene.url)

    assert response.status_code == 200
    assert [row.referral for row in response.context["rows"]] == [draft, late, completed]
    assert [row.overdue for row in response.context["rows"]] == [False, True, False]
    html = response.content.decode()
    assert "3 referrals for Dean Robson, newest first" in html
    assert f'<a class="govuk-link" href="/referrals/{late.pk}/">{late.reference}</a>' in html
    assert 'Tenancy sustainment<br><span class="govuk-body-s">Shelter Housing Advice</span>' in html
    assert '<strong class="govuk-tag govuk-tag--grey">Draft</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert "Partially achieved" in html
    assert "Not sent" in html
    assert f'href="/people/{scene.world.nominal.pk}/referrals/new/" role="button"' in html
    assert 'aria-current="page">Referrals</a>' in html
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "referrals"}


def test_the_tab_shows_each_need_with_its_open_referrals_and_a_way_to_refer_for_it(client):
    scene = Scene()
    scene.refer()
    record_need_status(
        actor=scene.worker,
        nominal=scene.world.nominal,
        pathway="families",
        status=NeedStatus.UNMET,
        unmet_reason=UnmetReason.NO_SERVICE,
        updated_on=TODAY,
    )
    client.force_login(scene.worker)

    response = client.get(scene.url)

    pathways = {
        value: (need.status if need else None, count)
        for value, _, need, count in response.context["pathways"]
    }
    assert pathways["accommodation"] == (NeedStatus.BEING_ADDRESSED, 1)
    assert pathways["families"] == (NeedStatus.UNMET, 0)
    assert pathways["health"] == (None, 0)
    html = response.content.decode()
    assert "Unmet: no service available" in html
    assert f'href="/people/{scene.world.nominal.pk}/referrals/new/?pathway=families">Refer' in html


def test_someone_with_no_referrals_sees_an_empty_state(client):
    scene = Scene()
    client.force_login(scene.worker)
    response = client.get(scene.url)
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "Dean has not been referred to a partner yet." in html
    assert "newest first" not in html


def test_team_members_not_on_the_case_team_see_the_referrals_but_cannot_make_one(client):
    scene = Scene()
    scene.refer()
    client.force_login(member(Role.SUPPORT_WORKER, team=scene.world.own_team))
    response = client.get(scene.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Make a referral" not in html
    assert "/referrals/new/" not in html
    assert len(response.context["rows"]) == 1


@pytest.mark.parametrize("who", ["other_team", "partner"])
def test_anyone_outside_the_team_gets_404(client, who):
    scene = Scene()
    scene.refer()
    user = member(Role.MANAGER, team=scene.world.other_team) if who == "other_team" else scene.partner
    client.force_login(user)
    assert client.get(scene.url).status_code == 404


@pytest.mark.parametrize("referrals", [3, 30])
def test_the_query_count_does_not_grow_with_the_referrals(client, django_assert_num_queries, referrals):
    scene = Scene()
    for _ in range(referrals):
        scene.refer()
    client.force_login(scene.worker)
    # session, user; memberships; the person with their team and case team; the consultation's audit
    # row; the referrals with their service, organisation and referrer; the needs
    with django_assert_num_queries(7):
        response = client.get(scene.url)
    assert len(response.context["rows"]) == referrals


# The overview panel ----------------------------------------------------------------------


def test_the_overview_panel_lists_open_referrals_and_warns_of_overdue_ones(client):
    scene = Scene()
    scene.overdue(scene.refer())
    accepted = scene.refer(pathway="finance")
    services.accept_referral(actor=scene.partner, referral=accepted)
    withdrawn = scene.refer()
    services.withdraw_referral(actor=scene.worker, referral=withdrawn, reason="Housed by family")
    scene.refer(send=False)
    client.force_login(scene.worker)

    html = client.get(f"/people/{scene.world.nominal.pk}/").content.decode()

    assert '<h2 class="govuk-heading-m">Referrals</h2>' in html
    assert "1 referral overdue: the partner has not accepted or declined in time." in html
    assert html.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 1
    assert '<strong class="govuk-tag govuk-tag--turquoise">Accepted</strong>' in html
    assert "Withdrawn</strong>" not in html
    assert f'href="/people/{scene.world.nominal.pk}/referrals/">See all referrals (2 open)</a>' in html


def test_the_overview_panel_without_open_referrals_says_so(client):
    scene = Scene()
    client.force_login(scene.worker)
    html = client.get(f"/people/{scene.world.nominal.pk}/").content.decode()
    assert "No open referrals." in html
    assert "See all referrals</a>" in html


@pytest.mark.parametrize("referrals", [2, 20])
def test_the_overview_panel_takes_one_query(rf, django_assert_num_queries, referrals):
    scene = Scene()
    for _ in range(referrals):
        scene.refer()
    request = rf.get(f"/people/{scene.world.nominal.pk}/")
    request.user = scene.worker
    with django_assert_num_queries(1):
        panel = referrals_overview(request, scene.world.nominal)
    assert (len(panel["open_referrals"]), panel["overdue"]) == (referrals, 0)
