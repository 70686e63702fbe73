"""Administration of the packs' reference tables: unit costs of crime and area baselines, audited."""

from decimal import Decimal

import pytest
from django.contrib import admin

from cohorts.models import OffenceCategory
from iom.core.models import AuditEvent, Role
from reports.models import AreaBaseline, CrimeUnitCost, ReportRun
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

COSTS = "/admin/reports/crimeunitcost/"
BASELINES = "/admin/reports/areabaseline/"


def test_the_reference_tables_are_registered_and_report_runs_are_not():
    assert admin.site.is_registered(CrimeUnitCost)
    assert admin.site.is_registered(AreaBaseline)
    assert not admin.site.is_registered(ReportRun)


def test_an_administrator_edits_a_unit_cost_and_it_is_audited(client):
    administrator = member(Role.ADMINISTRATOR)
    cost = CrimeUnitCost.objects.get(category__name="Theft of a vehicle")
    client.force_login(administrator)
    assert client.get(f"{COSTS}{cost.pk}/change/").status_code == 200

    response = client.post(
        f"{COSTS}{cost.pk}/change/",
        {
            "category": str(cost.category_id),
            "cost": "11000.00",
            "cost_category": "Theft of vehicle",
            "source": "Local update of the Home Office figure",
            "price_year": "2023/24",
        },
    )

    assert response.status_code == 302
    cost.refresh_from_db()
    assert (cost.cost, cost.source, cost.price_year) == (
        Decimal("11000.00"),
        "Local update of the Home Office figure",
        "2023/24",
    )
    changed = AuditEvent.objects.get(action="crimeunitcost.changed")
    assert (changed.actor, changed.target_type, changed.target_id) == (
        administrator,
        "reports.crimeunitcost",
        str(cost.pk),
    )
    assert changed.detail["fields"] == ["cost", "price_year", "source"]


def test_an_administrator_adds_a_unit_cost_for_a_category_without_one(client):
    administrator = member(Role.ADMINISTRATOR)
    burglary = OffenceCategory.objects.get(name="Burglary (dwelling)")
    client.force_login(administrator)

    response = client.post(
        f"{COSTS}add/",
        {
            "category": str(burglary.pk),
            "cost": "5000",
            "cost_category": "Domestic burglary",
            "source": "Local estimate",
            "price_year": "2024/25",
        },
    )

    assert response.status_code == 302
    added = CrimeUnitCost.objects.get(category=burglary)
    assert added.cost == 5000
    assert AuditEvent.objects.filter(action="crimeunitcost.created", target_id=str(added.pk)).exists()


def test_the_unit_costs_list_searches_and_filters(client):
    client.force_login(member(Role.ADMINISTRATOR))

    def listed(query: dict) -> list[str]:
        return [cost.category.name for cost in client.get(COSTS, query).context["cl"].result_list]

    assert listed({}) == [
        "Criminal damage and arson",
        "Robbery (personal)",
        "Sexual offence",
        "Theft from a vehicle",
        "Theft of a vehicle",
    ]
    assert listed({"q": "vehicle"}) == ["Theft from a vehicle", "Theft of a vehicle"]
    assert listed({"category__is_neighbourhood_crime__exact": "0"}) == [
        "Criminal damage and arson",
        "Sexual offence",
    ]
    assert listed({"price_year": "2015/16"}) == listed({})


def test_an_administrator_edits_an_area_baseline_and_it_is_audited(client):
    world = build_world()
    administrator = member(Role.ADMINISTRATOR)
    baseline = AreaBaseline.objects.create(
        team=world.own_team, dimension="gender", category="female", share=50, source="Census 2021", year=2021
    )
    client.force_login(administrator)

    response = client.post(
        f"{BASELINES}{baseline.pk}/change/",
        {
            "team": str(world.own_team.pk),
            "dimension": "gender",
            "category": "female",
            "share": "51.20",
            "source": "Census 2021",
            "year": "2021",
        },
    )

    assert response.status_code == 302
    baseline.refresh_from_db()
    assert baseline.share == Decimal("51.20")
    changed = AuditEvent.objects.get(action="areabaseline.changed")
    assert (changed.actor, changed.target_id, changed.detail["fields"]) == (
        administrator,
        str(baseline.pk),
        ["share"],
    )
    listing = client.get(BASELINES, {"q": world.own_team.name})
    assert [row.pk for row in listing.context["cl"].result_list] == [baseline.pk]


def test_a_share_over_100_percent_is_refused(client):
    world = build_world()
    client.force_login(member(Role.ADMINISTRATOR))
    response = client.post(
        f"{BASELINES}add/",
        {
            "team": str(world.own_team.pk),
            "dimension": "gender",
            "category": "male",
            "share": "101",
            "source": "Census 2021",
            "year": "2021",
        },
    )
    assert response.status_code == 200
    assert not AreaBaseline.objects.exists()
    assert not AuditEvent.objects.filter(action="areabaseline.created").exists()


def test_people_without_the_administrator_role_cannot_use_it(client):
    client.force_login(member(Role.REGIONAL_LEAD, region=build_world().region))
    assert client.get(COSTS).status_code == 302
    assert client.get(BASELINES).status_code == 302
