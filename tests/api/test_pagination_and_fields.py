"""Lists come in pages; large ones answer `?fields=` with only the fields asked for; bad query
parameters are 400 problems that name the parameter."""

import django_filters
import pytest
from django.urls import include, path
from rest_framework import mixins, serializers
from rest_framework.routers import SimpleRouter

from iom.core.api.serializers import SparseFieldsMixin
from iom.core.api.viewsets import ApiViewSet
from iom.core.factories import RegionFactory, TeamFactory
from iom.core.models import Role, Team
from tests.actors import member
from tests.api.clients import problem_of, token_client

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class TeamSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "region", "region_name"]


class TeamFilter(django_filters.FilterSet):
    region = django_filters.NumberFilter()
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Team
        fields = ["region", "name"]


class TeamViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, ApiViewSet):
    """A list like every app's, over a table every test has."""

    queryset = Team.objects.select_related("region")
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["name", "id"]
    ordering = ["id"]
    sparse_fields = True

    def perform_create(self, serializer):
        pass  # the test looks at what `fields` does to a write, nothing is saved


router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
urlpatterns = [path("api/", include(router.urls))]


@pytest.fixture
def client():
    return token_client(member(Role.ADMINISTRATOR))


def teams(count: int) -> list[Team]:
    region = RegionFactory.create(name="Northshire")
    return [TeamFactory.create(region=region, name=f"Team {number:03}") for number in range(count)]


def test_a_list_comes_in_pages_of_fifty_with_the_count_and_links(client):
    made = teams(60)

    first = client.get("/api/teams/").json()
    second = client.get("/api/teams/?page=2").json()

    assert first["count"] == 60
    assert [team["id"] for team in first["results"]] == [team.pk for team in made[:50]]
    assert first["previous"] is None
    assert first["next"].endswith("/api/teams/?page=2")
    assert [team["id"] for team in second["results"]] == [team.pk for team in made[50:]]
    assert second["next"] is None


def test_the_client_chooses_the_page_size_up_to_two_hundred(client):
    teams(205)

    assert len(client.get("/api/teams/?page_size=5").json()["results"]) == 5
    assert len(client.get("/api/teams/?page_size=1000").json()["results"]) == 200


@pytest.mark.parametrize("page", ["3", "0", "last-but-one"])
def test_a_page_that_does_not_exist_is_a_404_problem(client, page):
    teams(3)

    response = client.get(f"/api/teams/?page={page}")

    assert response.status_code == 404
    assert problem_of(response)["detail"] == "Invalid page."


def test_a_list_costs_the_same_queries_for_one_row_or_many(client, django_assert_num_queries):
    teams(1)
    client.get("/api/teams/")  # the token's first use records last_used_at
    # The token with its holder; the holder's memberships (a token is refused once they hold no role,
    # and every access check reads them anyway); the count; the page with its regions.
    with django_assert_num_queries(4):
        client.get("/api/teams/")
    teams_in_another_region = [TeamFactory.create(name=f"Extra {n}") for n in range(30)]
    assert teams_in_another_region
    with django_assert_num_queries(4):
        assert client.get("/api/teams/").json()["count"] == 31


def test_fields_returns_only_the_fields_asked_for(client):
    teams(2)

    results = client.get("/api/teams/?fields=id, name").json()["results"]

    assert [set(team) for team in results] == [{"id", "name"}, {"id", "name"}]


@pytest.mark.parametrize("fields", ["", " , "])
def test_no_fields_named_means_every_field(client, fields):
    teams(1)

    results = client.get(f"/api/teams/?fields={fields}").json()["results"]

    assert set(results[0]) == {"id", "name", "region", "region_name"}


def test_an_unknown_field_is_a_400_naming_fields(client):
    teams(1)

    response = client.get("/api/teams/?fields=id,date_of_birth,zzz")

    assert response.status_code == 400
    body = problem_of(response)
    assert body["type"] == "urn:iom:problem:validation-error"
    [error] = body["errors"]
    assert error["parameter"] == "fields"
    assert "No such field: date_of_birth, zzz." in error["detail"]
    assert "Choose from id, name, region, region_name." in error["detail"]


def test_fields_leaves_a_write_alone(client):
    region = RegionFactory.create()

    response = client.post("/api/teams/?fields=name", {"name": "City IOM", "region": region.pk})

    assert response.status_code == 201
    assert set(response.json()) == {"name", "region", "region_name"}


def test_filters_narrow_the_list(client):
    made = teams(3)
    TeamFactory.create(name="Team elsewhere")

    results = client.get(f"/api/teams/?region={made[0].region_id}&name=team 00").json()["results"]

    assert [team["id"] for team in results] == [team.pk for team in made]


def test_a_bad_filter_value_is_a_400_naming_the_parameter(client):
    response = client.get("/api/teams/?region=Northshire")

    assert response.status_code == 400
    body = problem_of(response)
    assert body["errors"] == [{"parameter": "region", "detail": "Enter a number."}]


def test_ordering_by_an_allowed_field(client):
    made = teams(3)

    results = client.get("/api/teams/?ordering=-name").json()["results"]

    assert [team["id"] for team in results] == [team.pk for team in reversed(made)]
