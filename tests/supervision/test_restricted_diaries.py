"""Diaries and the upcoming lists leave out a restricted case's appointments for anyone not on its
allow-list, and show them to those on it."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cohorts import services
from iom.core import access
from iom.core.models import Role
from supervision import selectors
from supervision.factories import ContactFactory
from supervision.models import ContactAttendee
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world: Any = build_world()  # with the people these tests name added
    today = timezone.localdate()
    world.named = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    world.unnamed = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    appointment = ContactFactory.create(nominal=world.nominal, outcome="", date=today)
    for user in (world.named, world.unnamed):
        ContactAttendee.objects.create(contact=appointment, user=user)
    world.nominal.in_custody = True
    world.nominal.conditional_release_date = today + datetime.timedelta(days=7)
    world.nominal.save()
    manager = member(Role.MANAGER, team=world.own_team)
    services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[world.named], reason="Staff")
    return world


def people_in_diaries(user):
    access.forget_cached_access(user)
    today = timezone.localdate()
    week = (today, today + datetime.timedelta(days=7))
    return {
        "my diary": [c.nominal.full_name for c in selectors.my_diary(user, start=week[0], end=week[1])],
        "team diary": [c.nominal.full_name for c in selectors.team_diary(user, start=week[0], end=week[1])],
        "releases": [n.full_name for n in selectors.upcoming_releases(user, today=today)],
    }


def test_the_diaries_leave_out_a_restricted_case_for_a_team_member_not_on_the_allow_list(world):
    assert people_in_diaries(world.unnamed) == {"my diary": [], "team diary": [], "releases": []}


def test_the_diaries_show_a_restricted_case_to_a_team_member_on_the_allow_list(world):
    assert people_in_diaries(world.named) == {
        "my diary": ["Dean Robson"],
        "team diary": ["Dean Robson"],
        "releases": ["Dean Robson"],
    }
