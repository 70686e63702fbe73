"""/api/v1/partner-services/: the partner directory, read-only, for those the directory pages serve."""

import pytest

from iom.core.models import AuditEvent, Role
from partners.factories import PartnerServiceFactory
from partners.models import Capacity
from tests.actors import build_world, member
from tests.api.clients import problem_of, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_the_directory_lists_services_by_name_without_auditing(world, django_assert_num_queries):
    PartnerServiceFactory.create(name="Tenancy support", pathways=["accommodation", "finance"])
    client = token_client(member(Role.SUPPORT_WORKER, team=world.own_team))
    client.get("/api/v1/partner-services/")

    # token, memberships, count, page, pathways
    with django_assert_num_queries(5):
        response = client.get("/api/v1/partner-services/")
    for number in range(5):
        PartnerServiceFactory.create(name=f"Advice {number}")
    with django_assert_num_queries(5):
        assert client.get("/api/v1/partner-services/").json()["count"] == 6

    row = response.json()["results"][0]
    assert row["name"] == "Tenancy support"
    assert row["pathways"] == ["accommodation", "finance"]
    assert row["region"] is None
    assert not AuditEvent.objects.filter(action__contains="viewed").exists()


def test_filters_and_sorts_are_the_pages(world):
    PartnerServiceFactory.create(name="Beds", capacity=Capacity.WAITING_LIST, typical_wait_days=30)
    PartnerServiceFactory.create(name="Advice", capacity=Capacity.OPEN, typical_wait_days=None)
    PartnerServiceFactory.create(name="Money", pathways=["finance"], typical_wait_days=5)
    client = token_client(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))

    def names(query: str) -> list[str]:
        return [
            service["name"] for service in client.get(f"/api/v1/partner-services/?{query}").json()["results"]
        ]

    assert names("pathway=finance") == ["Money"]
    assert names("capacity=waiting_list") == ["Beds"]
    assert names("ordering=typical_wait_days") == ["Money", "Beds", "Advice"]
    assert names("search=mon") == ["Money"]
    wrong = client.get("/api/v1/partner-services/?capacity=full&ordering=age")
    assert wrong.status_code == 400
    assert {error["parameter"] for error in problem_of(wrong)["errors"]} == {"capacity", "ordering"}


def test_a_service_no_longer_listed_is_for_managers_alone(world):
    gone = PartnerServiceFactory.create(name="Closed down", is_active=False)
    worker = token_client(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    manager = token_client(member(Role.MANAGER, team=world.own_team))

    assert worker.get(f"/api/v1/partner-services/{gone.pk}/").status_code == 404
    assert worker.get("/api/v1/partner-services/?include_inactive=true").json()["count"] == 0
    assert manager.get(f"/api/v1/partner-services/{gone.pk}/").json()["is_active"] is False
    assert manager.get("/api/v1/partner-services/?include_inactive=true").json()["count"] == 1


@pytest.mark.parametrize("role", [Role.PARTNER, Role.NATIONAL])
def test_the_directory_does_not_exist_for_those_the_pages_do_not_serve(world, role):
    service = PartnerServiceFactory.create()
    client = token_client(member(role))

    assert client.get("/api/v1/partner-services/").status_code == 404
    assert client.get(f"/api/v1/partner-services/{service.pk}/").status_code == 404
