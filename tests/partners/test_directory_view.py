"""The partner directory list: who may read it, filters, sorting, pages and empty states."""

import pytest
from django.urls import reverse

from cohorts.models import Pathway
from iom.core.factories import RegionFactory
from iom.core.models import Role
from partners.factories import PartnerOrganisationFactory, PartnerServiceFactory
from partners.models import Capacity
from tests.actors import build_world, member, member_of_world

pytestmark = pytest.mark.django_db

URL = "/directory/"


def names(response) -> list[str]:
    return [service.name for service in response.context["page"].object_list]


def frontline(world=None):
    world = world or build_world()
    return member(Role.PROBATION_PRACTITIONER, team=world.own_team)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.POLICE_OFFENDER_MANAGER, 200),
        (Role.PROBATION_PRACTITIONER, 200),
        (Role.SUPPORT_WORKER, 200),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, 200),
        (Role.MANAGER, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.PARTNER, 404),
        (Role.REGIONAL_LEAD, 404),
        (Role.NATIONAL, 404),
    ],
)
def test_who_may_read_the_directory(client, role, status):
    world = build_world()
    client.force_login(member_of_world(role, world))
    assert client.get(URL).status_code == status


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_each_row_says_what_the_service_offers(client):
    housing = PartnerOrganisationFactory.create(name="Northshire Housing Trust")
    PartnerServiceFactory.create(
        organisation=housing,
        name="Tenancy support",
        pathways=[Pathway.ACCOMMODATION, Pathway.FINANCE],
        area_covered="City centre",
        typical_wait_days=14,
        capacity=Capacity.WAITING_LIST,
        response_working_days=3,
    )
    client.force_login(frontline())

    html = client.get(URL).content.decode()

    assert "1 service" in html
    assert "Tenancy support</a>" in html
    assert "Northshire Housing Trust" in html
    assert "<li>Accommodation</li>" in html
    assert "<li>Finance, benefit and debt</li>" in html
    assert "City centre" in html
    assert "14 days" in html
    assert '<strong class="govuk-tag govuk-tag--orange">Waiting list</strong>' in html
    assert "3 working days" in html


@pytest.mark.parametrize(
    ("capacity", "colour"),
    [
        (Capacity.OPEN, "green"),
        (Capacity.LIMITED, "yellow"),
        (Capacity.WAITING_LIST, "orange"),
        (Capacity.CLOSED, "red"),
    ],
)
def test_capacity_is_a_coloured_tag(client, capacity, colour):
    PartnerServiceFactory.create(capacity=capacity)
    client.force_login(frontline())
    html = client.get(URL).content.decode()
    assert f'<strong class="govuk-tag govuk-tag--{colour}">{Capacity(capacity).label}</strong>' in html


def test_an_unknown_waiting_time_says_so(client):
    PartnerServiceFactory.create(typical_wait_days=None)
    client.force_login(frontline())
    assert "Not known" in client.get(URL).content.decode()


def test_managers_see_the_buttons_to_add_services_and_organisations(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    html = client.get(URL).content.decode()
    assert 'href="/directory/services/new/"' in html
    assert 'href="/directory/organisations/new/"' in html


def test_administrators_see_the_buttons_too(client):
    client.force_login(member(Role.ADMINISTRATOR))
    assert "Add a partner organisation" in client.get(URL).content.decode()


def test_frontline_workers_do_not_see_the_buttons(client):
    client.force_login(frontline())
    html = client.get(URL).content.decode()
    assert "Add a service" not in html
    assert "Add a partner organisation" not in html


def test_search_matches_the_service_the_organisation_or_the_area(client):
    PartnerServiceFactory.create(
        name="Tenancy support", organisation=PartnerOrganisationFactory.create(name="Keyring")
    )
    PartnerServiceFactory.create(name="Recovery cafe", area_covered="Eastbridge")
    client.force_login(frontline())
    assert names(client.get(URL, {"q": "tenancy"})) == ["Tenancy support"]
    assert names(client.get(URL, {"q": "keyring"})) == ["Tenancy support"]
    assert names(client.get(URL, {"q": "eastbr"})) == ["Recovery cafe"]


def test_filters_by_pathway_capacity_and_organisation(client):
    trust = PartnerOrganisationFactory.create(name="Trust")
    PartnerServiceFactory.create(name="Beds", pathways=[Pathway.ACCOMMODATION], organisation=trust)
    PartnerServiceFactory.create(
        name="Jobs", pathways=[Pathway.EDUCATION_EMPLOYMENT], capacity=Capacity.CLOSED
    )
    client.force_login(frontline())
    assert names(client.get(URL, {"pathway": "ete"})) == ["Jobs"]
    assert names(client.get(URL, {"capacity": "closed"})) == ["Jobs"]
    assert names(client.get(URL, {"organisation": trust.pk})) == ["Beds"]
    assert names(client.get(URL, {"pathway": "accommodation", "capacity": "closed"})) == []


def test_filtering_by_region_keeps_services_for_every_region(client):
    world = build_world()
    PartnerServiceFactory.create(name="Local", region=world.region)
    PartnerServiceFactory.create(name="Elsewhere", region=world.other_region)
    PartnerServiceFactory.create(name="National", region=None)
    client.force_login(frontline(world))
    assert names(client.get(URL, {"region": world.region.pk})) == ["Local", "National"]
    assert names(client.get(URL)) == ["Elsewhere", "Local", "National"]


def test_unrecognised_filter_values_are_ignored_not_an_error_page(client):
    PartnerServiceFactory.create(name="Beds")
    client.force_login(frontline())
    response = client.get(URL, {"region": "abc", "pathway": "nonsense", "page": "x", "sort": "evil"})
    assert response.status_code == 200
    assert names(response) == ["Beds"]


def test_a_search_too_long_is_explained(client):
    client.force_login(frontline())
    html = client.get(URL, {"q": "x" * 101}).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_q">Search must be 100 characters or fewer</a>' in html


def test_services_no_longer_listed_are_hidden_from_everyone_by_default(client):
    world = build_world()
    PartnerServiceFactory.create(name="Current")
    PartnerServiceFactory.create(name="Closed down", is_active=False)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert names(client.get(URL)) == ["Current"]


def test_managers_may_include_services_no_longer_listed(client):
    world = build_world()
    PartnerServiceFactory.create(name="Current")
    PartnerServiceFactory.create(name="Closed down", is_active=False)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get(URL, {"inactive": "on"})
    assert names(response) == ["Closed down", "Current"]
    assert "No longer listed" in response.content.decode()


def test_frontline_workers_cannot_include_services_no_longer_listed(client):
    PartnerServiceFactory.create(name="Current")
    PartnerServiceFactory.create(name="Closed down", is_active=False)
    client.force_login(frontline())
    response = client.get(URL, {"inactive": "on"})
    assert names(response) == ["Current"]
    assert "Include services no longer listed" not in response.content.decode()


def test_sorting_by_name_typical_wait_and_capacity(client):
    PartnerServiceFactory.create(name="Alpha", typical_wait_days=30, capacity=Capacity.CLOSED)
    PartnerServiceFactory.create(name="Bravo", typical_wait_days=None, capacity=Capacity.OPEN)
    PartnerServiceFactory.create(name="Charlie", typical_wait_days=2, capacity=Capacity.WAITING_LIST)
    client.force_login(frontline())
    assert names(client.get(URL)) == ["Alpha", "Bravo", "Charlie"]
    assert names(client.get(URL, {"sort": "-name"})) == ["Charlie", "Bravo", "Alpha"]
    assert names(client.get(URL, {"sort": "wait"})) == ["Charlie", "Alpha", "Bravo"]
    assert names(client.get(URL, {"sort": "-wait"})) == ["Alpha", "Charlie", "Bravo"]
    assert names(client.get(URL, {"sort": "capacity"})) == ["Bravo", "Charlie", "Alpha"]
    assert names(client.get(URL, {"sort": "-capacity"})) == ["Alpha", "Charlie", "Bravo"]
    assert names(client.get(URL, {"sort": "nonsense"})) == ["Alpha", "Bravo", "Charlie"]
    html = client.get(URL, {"sort": "wait"}).content.decode()
    assert 'aria-sort="ascending"' in html


def test_it_paginates_25_to_a_page_and_keeps_the_filters(client):
    PartnerServiceFactory.create_batch(30, pathways=[Pathway.HEALTH])
    PartnerServiceFactory.create(name="Other pathway", pathways=[Pathway.FAMILIES])
    client.force_login(frontline())
    first = client.get(URL, {"pathway": "health"})
    assert len(first.context["page"].object_list) == 25
    html = first.content.decode()
    assert "Showing 1 to 25 of 30" in html
    assert "pathway=health&amp;page=2" in html
    assert len(client.get(URL, {"pathway": "health", "page": 2}).context["page"].object_list) == 5
    assert client.get(URL, {"page": 999}).context["page"].number == 2


def test_an_empty_directory_says_so(client):
    client.force_login(frontline())
    html = client.get(URL).content.decode()
    assert "The directory has no services yet" in html
    assert "Ask your IOM manager" in html


def test_no_match_says_so_and_points_to_an_unmet_need(client):
    PartnerServiceFactory.create(name="Beds")
    client.force_login(frontline())
    html = client.get(URL, {"q": "nothing like it"}).content.decode()
    assert "No services match your filters" in html
    assert "unmet need" in html


def test_the_region_and_organisation_filters_offer_only_partners_and_regions(client):
    world = build_world()
    RegionFactory.create(name="Westshire")
    PartnerOrganisationFactory.create(name="Keyring")
    user = frontline(world)  # brings a probation organisation, which is no partner
    client.force_login(user)
    form = client.get(URL).context["form"]
    regions = [label for _, label in form.fields["region"].choices]
    assert regions[0] == "Any"
    assert {"Northshire", "Southshire", "Westshire"} <= set(regions)
    assert regions[1:] == sorted(regions[1:])
    assert [label for _, label in form.fields["organisation"].choices] == ["Any", "Keyring"]


@pytest.mark.parametrize("rows", [3, 25])
def test_the_query_count_does_not_grow_with_the_page(client, django_assert_num_queries, rows):
    for _ in range(rows):
        PartnerServiceFactory.create(pathways=[Pathway.ACCOMMODATION, Pathway.HEALTH])
    client.force_login(frontline())
    # session, user, memberships, regions and partner organisations for the filters, count,
    # page of services (organisation and region joined), their pathways
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == rows
