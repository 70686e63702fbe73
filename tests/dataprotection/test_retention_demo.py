"""The demo data for retention review: two people due, made once."""

import pytest
from django.utils import timezone

from dataprotection.demo import add_retention_demo
from dataprotection.selectors.retention import people_due_for_retention_review
from iom.core.models import Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def test_the_demo_adds_two_people_due_for_review_and_a_second_run_adds_nothing():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    first = add_retention_demo(team=world.own_team, manager=manager)
    second = add_retention_demo(team=world.own_team, manager=manager)
    assert [person.pk for person in first] == [person.pk for person in second]
    due = people_due_for_retention_review(user=manager, today=timezone.localdate())
    assert sorted(person.family_name for person in due) == ["Prentice", "Whitlow"]
    assert all(person.cohort_memberships.count() == 1 for person in first)
