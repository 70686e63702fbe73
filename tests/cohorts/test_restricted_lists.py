"""Lists of people in cohorts (the panel queue, the caseload and its export, identifier clashes)
leave out a restricted case for anyone not on its allow-list, and show it to those on it."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts import selectors, services
from cohorts.models import CohortMembership
from iom.core import access
from iom.core.models import Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world: Any = build_world()  # with the people these tests name added
    world.named = member(Role.MANAGER, team=world.own_team, full_name="Maya Shah")
    world.unnamed = member(Role.MANAGER, team=world.own_team, full_name="Ann Cole")
    CohortMembership.objects.create(
        nominal=world.nominal,
        cohort="fixed",
        proposed_by=world.named,
        proposed_on=datetime.date(2026, 11, 2),
        proposal_reason="Persistent burglary",
    )
    services.restrict_case(
        actor=world.named, nominal=world.nominal, allowed_users=[], reason="Member of staff"
    )
    access.forget_cached_access(world.named)
    return world


def test_the_panel_queue_leaves_out_a_restricted_case_for_a_manager_not_on_the_allow_list(client, world):
    assert list(selectors.panel_queue_for(world.unnamed)) == []
    client.force_login(world.unnamed)
    response = client.get(reverse("cohorts:panel"))
    assert "Robson" not in response.content.decode()


def test_the_panel_queue_shows_a_restricted_case_to_a_manager_on_the_allow_list(client, world):
    assert [p.nominal for p in selectors.panel_queue_for(world.named)] == [world.nominal]
    client.force_login(world.named)
    assert "Dean Robson" in client.get(reverse("cohorts:panel")).content.decode()


def test_the_panel_queue_reads_in_one_query_whatever_the_restriction(world, django_assert_num_queries):
    access.team_ids(world.unnamed)  # memberships read once per user
    # The proposals, with each person's grant checked inside the same query (EXISTS).
    with django_assert_num_queries(1):
        list(selectors.panel_queue_for(world.unnamed))


def test_the_caseload_and_its_export_leave_out_a_restricted_case_for_those_not_on_the_allow_list(
    client, world
):
    client.force_login(world.unnamed)
    assert "Robson" not in client.get(reverse("cohorts:caseload")).content.decode()
    export = b"".join(client.get(reverse("cohorts:caseload-export")).streaming_content).decode()
    assert "Robson" not in export


def test_the_caseload_and_its_export_show_a_restricted_case_to_those_on_the_allow_list(client, world):
    client.force_login(world.named)
    assert "Robson" in client.get(reverse("cohorts:caseload")).content.decode()
    export = b"".join(client.get(reverse("cohorts:caseload-export")).streaming_content).decode()
    assert "Robson" in export


def test_an_identifier_clash_with_a_restricted_case_names_neither_the_person_nor_the_team(world):
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    with pytest.raises(ValidationError) as refused:
        services.create_nominal(
            actor=worker, team=world.own_team, given_name="Dan", family_name="Rob", crn=world.nominal.crn
        )
    assert refused.value.message_dict == {
        "crn": [
            f"CRN {world.nominal.crn} is already recorded for another person. "
            "Ask your IOM manager to resolve the duplicate."
        ]
    }


def test_an_identifier_clash_with_a_restricted_case_links_to_it_for_someone_on_the_allow_list(world):
    with pytest.raises(ValidationError) as refused:
        services.create_nominal(
            actor=world.named, team=world.own_team, given_name="Dan", family_name="Rob", crn=world.nominal.crn
        )
    assert f"/people/{world.nominal.pk}/" in refused.value.message_dict["crn"][0]
