"""The partner's "Referrals to us" list: new referrals and those they work with, and nothing else."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.core.models import Role
from partners import services
from partners.factories import PartnerServiceFactory
from partners.models import Referral
from tests.actors import member
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db

URL = "/referrals-to-us/"


@pytest.fixture
def scene():
    return Scene()


def references(html: str) -> list[str]:
    return re.findall(r'href="/referrals-to-us/\d+/">(R-\d{6})<', html)


def refer_someone(scene: Scene, *, service=None, pathway: str = "accommodation") -> Referral:
    nominal = NominalFactory.create(team=scene.world.own_team, police_offender_manager=scene.worker)
    return services.create_referral(
        actor=scene.worker,
        nominal=nominal,
        service=service or scene.service,
        pathway=pathway,
        reason="Needs support",
        lawful_basis=Referral.LawfulBasis.CONSENT,
        consent_given_on=timezone.localdate(),
        send=True,
    )


def test_a_new_referral_is_listed_with_what_the_partner_needs_to_answer_it(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Referrals to us</h1>' in html
    assert 'aria-current="page">New (1)</a>' in html
    assert ">Working with (0)</a>" in html
    row = re.search(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell"><a.*?</tr>', html, re.S)
    assert row
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    ]
    assert cells == [
        f"{referral.reference} : Dean Robson",
        "Dean Robson",
        "Tenancy support",
        "Accommodation",
        "City IOM",
        f"{timezone.localdate():%-d %b %Y}",
        f"{referral.response_due:%-d %b %Y}",
        "New",
    ]
    assert "Overdue" not in html


def test_an_unanswered_referral_past_its_answer_date_is_tagged_overdue(client, scene):
    referral = scene.refer()
    Referral.objects.filter(pk=referral.pk).update(response_due=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(scene.partner)
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in client.get(URL).content.decode()


def test_accepted_referrals_are_under_working_with(client, scene):
    new = scene.refer()
    accepted = scene.accepted()
    client.force_login(scene.partner)

    new_tab = client.get(URL).content.decode()
    working_tab = client.get(URL, {"status": "working"}).content.decode()

    assert references(new_tab) == [new.reference]
    assert references(working_tab) == [accepted.reference]
    assert 'aria-current="page">Working with (1)</a>' in working_tab
    assert "Accepted</strong>" in working_tab


def test_closed_referrals_and_other_organisations_referrals_are_not_listed(client, scene):
    scene.completed()
    elsewhere = PartnerServiceFactory.create(name="Another trust's hostel", pathways=["accommodation"])
    refer_someone(scene, service=elsewhere)
    client.force_login(scene.partner)

    for tab in ("new", "working"):
        html = client.get(URL, {"status": tab}).content.decode()
        assert references(html) == []
    assert "No referrals waiting" in client.get(URL).content.decode()


def test_an_empty_inbox_says_no_referrals_are_waiting(client, scene):
    client.force_login(scene.partner)
    html = client.get(URL).content.decode()
    assert "No referrals waiting" in html
    assert "<table" not in html


def test_the_list_narrows_to_a_service_and_a_pathway(client, scene):
    hostel = PartnerServiceFactory.create(
        organisation=scene.organisation, name="Hostel beds", pathways=["accommodation", "health"]
    )
    tenancy = refer_someone(scene)
    hostel_housing = refer_someone(scene, service=hostel)
    hostel_health = refer_someone(scene, service=hostel, pathway="health")
    client.force_login(scene.partner)

    by_service = client.get(URL, {"service": hostel.pk, "sort": "oldest"}).content.decode()
    by_pathway = client.get(URL, {"pathway": "health"}).content.decode()
    both = client.get(URL, {"service": scene.service.pk, "pathway": "health"}).content.decode()

    assert references(by_service) == [hostel_housing.reference, hostel_health.reference]
    assert references(by_pathway) == [hostel_health.reference]
    assert "No referrals match your filters" in both
    assert tenancy.reference not in by_service


def test_the_list_sorts_by_answer_due_newest_or_oldest(client, scene):
    first = refer_someone(scene)
    second = refer_someone(scene)
    Referral.objects.filter(pk=first.pk).update(response_due=timezone.localdate() + dt.timedelta(days=9))
    client.force_login(scene.partner)

    assert references(client.get(URL).content.decode()) == [second.reference, first.reference]
    assert references(client.get(URL, {"sort": "oldest"}).content.decode()) == [
        first.reference,
        second.reference,
    ]
    assert references(client.get(URL, {"sort": "newest"}).content.decode()) == [
        second.reference,
        first.reference,
    ]


def test_filters_it_cannot_read_are_ignored(client, scene):
    referral = scene.refer()
    client.force_login(scene.partner)
    response = client.get(URL, {"service": "abc", "pathway": "nonsense", "sort": "sideways", "status": "x"})
    assert response.status_code == 200
    assert references(response.content.decode()) == [referral.reference]


def test_the_list_is_paged_by_25(client, scene):
    for _ in range(26):
        refer_someone(scene)
    client.force_login(scene.partner)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert len(references(first)) == 25
    assert len(references(second)) == 1
    assert "26 referrals waiting for an answer" in first
    assert "Showing 26 to 26 of 26" in second


@pytest.mark.parametrize(
    "who",
    [
        lambda scene: member(Role.POLICE_OFFENDER_MANAGER, team=scene.world.own_team),
        lambda scene: member(Role.MANAGER, team=scene.world.own_team),
        lambda scene: member(Role.REGIONAL_LEAD, region=scene.world.region),
        lambda scene: member(Role.ADMINISTRATOR),
    ],
    ids=["team member", "manager", "regional lead", "administrator"],
)
def test_anyone_who_is_not_partner_staff_gets_404(client, scene, who):
    scene.refer()
    client.force_login(who(scene))
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("referrals", [3, 25])
def test_the_page_takes_a_fixed_number_of_queries(client, scene, django_assert_num_queries, referrals):
    for _ in range(referrals):
        refer_someone(scene)
    client.force_login(scene.partner)
    # session, user, memberships, the organisation's services (filter choices), count and page of
    # referrals (with person, team, service, organisation, referrer), the tab counts, the
    # organisation's name in the caption
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert len(response.context["rows"]) == referrals


def test_one_unreadable_filter_leaves_the_others_in_place(client, scene):
    scene.refer()
    accepted = scene.accepted()
    client.force_login(scene.partner)
    html = client.get(URL, {"status": "working", "service": "abc"}).content.decode()
    assert references(html) == [accepted.reference]
