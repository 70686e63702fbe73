"""The team dashboard counts restricted cases but names them only to a manager who may open them."""

from datetime import date
from typing import Any

import pytest

from cohorts import services
from iom.core import access
from iom.core.models import CaseAccessGrant, Role
from reports import metrics
from supervision.models import Outcome
from tests.actors import build_world, member
from tests.reports.test_dashboard_metrics import TODAY, contacts, on_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """The world's person is on the Fixed cohort, missed last week's contacts and was absent twice:
    below the standard and at the enforcement threshold."""
    world: Any = build_world()  # with the people these tests name added
    on_cohort(world.nominal, cohort="fixed")
    contacts(world.nominal, date(2026, 10, 1), date(2026, 11, 1), outcome=Outcome.UNACCEPTABLE_ABSENCE)
    world.manager = member(Role.MANAGER, team=world.own_team)
    world.named_manager = member(Role.MANAGER, team=world.own_team)
    services.restrict_case(
        actor=world.named_manager, nominal=world.nominal, allowed_users=[], reason="Member of staff"
    )
    access.forget_cached_access(world.named_manager)
    return world


def names(dashboard):
    return {row.name for row in dashboard.below_standard}, {row.name for row in dashboard.enforcement_due}


def test_the_dashboards_lists_do_not_name_a_restricted_case_to_a_manager_not_on_the_allow_list(world):
    dashboard = metrics.team_dashboard(team_id=world.own_team.pk, today=TODAY, viewer=world.manager)
    assert names(dashboard) == (set(), set())
    # The figures still count them: aggregates name no one.
    assert dashboard.people == 1
    assert dashboard.cohorts.fixed == 1


def test_the_dashboards_lists_name_a_restricted_case_to_a_manager_on_the_allow_list(world):
    dashboard = metrics.team_dashboard(team_id=world.own_team.pk, today=TODAY, viewer=world.named_manager)
    assert names(dashboard) == ({"Dean Robson"}, {"Dean Robson"})


def test_without_a_viewer_the_lists_name_no_restricted_case(world):
    assert names(metrics.team_dashboard(team_id=world.own_team.pk, today=TODAY)) == (set(), set())


def test_a_break_glass_opening_lets_the_lists_name_the_case_while_it_lasts(world):
    services.break_glass(actor=world.manager, nominal=world.nominal, reason="Panel this afternoon")
    assert CaseAccessGrant.objects.filter(kind="break_glass").exists()
    dashboard = metrics.team_dashboard(team_id=world.own_team.pk, today=TODAY, viewer=world.manager)
    assert names(dashboard) == ({"Dean Robson"}, {"Dean Robson"})
