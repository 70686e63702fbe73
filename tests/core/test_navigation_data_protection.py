"""Managers find retention review and the audit; administrators the audit alone; frontline staff neither.
A person's access log sits under Caseload with the rest of their record."""

import pytest
from django.urls import reverse

from iom.core.models import Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def navigation(response) -> list[str]:
    return [item["text"] for item in response.context["primary_navigation"]]


def current(response) -> list[str]:
    return [item["text"] for item in response.context["primary_navigation"] if item["current"]]


def test_a_manager_finds_retention_review_and_the_audit(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))

    response = client.get(reverse("dataprotection:retention"))
    assert {"Retention", "Audit"} <= set(navigation(response))
    assert current(response) == ["Retention"]
    assert current(client.get(reverse("dataprotection:audit"))) == ["Audit"]


def test_an_administrator_finds_the_audit_but_no_retention_review(client):
    client.force_login(member(Role.ADMINISTRATOR))

    items = navigation(client.get(reverse("dataprotection:audit")))

    assert "Audit" in items
    assert "Retention" not in items


@pytest.mark.parametrize("role", [Role.POLICE_OFFENDER_MANAGER, Role.SUPPORT_WORKER])
def test_frontline_staff_find_neither(client, role):
    world = build_world()
    client.force_login(member(role, team=world.own_team))

    items = navigation(client.get(reverse("cohorts:caseload")))

    assert "Audit" not in items
    assert "Retention" not in items


def test_a_persons_access_log_sits_under_caseload(client):
    world = build_world()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))

    response = client.get(reverse("dataprotection:access-log", args=[world.nominal.pk]))

    assert current(response) == ["Caseload"]
