"""Who is due for retention review, who is restricted, and what was decided."""

import datetime

import pytest
from django.utils import timezone

from cohorts.factories import NominalFactory
from cohorts.models import CohortMembership, Nominal, RetentionStatus
from dataprotection.factories import RetentionDecisionFactory, left_iom
from dataprotection.selectors.retention import (
    RetentionFilters,
    is_due_for_review,
    people_due_for_retention_review,
    restricted_people,
    retention_decisions,
    review_cut_off,
)
from iom.core.models import CaseAccessGrant, Role
from tests.actors import member

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


def years_ago(years: int, days: int = 0) -> datetime.date:
    return TODAY.replace(year=TODAY.year - years) - datetime.timedelta(days=days)


def due_ids(manager, **filters) -> list[int]:
    people = people_due_for_retention_review(user=manager, today=TODAY, filters=RetentionFilters(**filters))
    return [person.pk for person in people]


def test_someone_who_left_iom_more_than_six_years_ago_is_due(world, manager, settings):
    settings.IOM_RETENTION_REVIEW_YEARS = 6
    left_iom(world.nominal, on=years_ago(6, days=1), by=manager)
    assert due_ids(manager) == [world.nominal.pk]
    assert is_due_for_review(world.nominal, today=TODAY)


def test_someone_who_left_exactly_six_years_ago_is_not_due_yet(world, manager):
    left_iom(world.nominal, on=years_ago(6), by=manager)
    assert due_ids(manager) == []
    assert not is_due_for_review(world.nominal, today=TODAY)


def test_the_period_is_a_setting(world, manager, settings):
    left_iom(world.nominal, on=years_ago(4), by=manager)
    assert due_ids(manager) == []
    settings.IOM_RETENTION_REVIEW_YEARS = 3
    assert due_ids(manager) == [world.nominal.pk]


def test_the_latest_membership_counts(world, manager):
    left_iom(world.nominal, on=years_ago(9), by=manager)
    left_iom(world.nominal, on=years_ago(2), by=manager)
    assert due_ids(manager) == []


def test_someone_still_on_iom_is_not_due_whatever_they_left_before(world, manager):
    left_iom(world.nominal, on=years_ago(9), by=manager)
    CohortMembership.objects.create(
        nominal=world.nominal,
        cohort="flex",
        proposed_by=manager,
        proposed_on=years_ago(8),
        proposal_reason="Back in the area",
    )
    assert due_ids(manager) == []


def test_someone_never_on_a_cohort_counts_from_when_their_record_was_made(world, manager):
    # The world's people were made today; this one years ago.
    old = NominalFactory.create(team=world.own_team, created_at=timezone.now().replace(year=TODAY.year - 8))
    people = list(people_due_for_retention_review(user=manager, today=TODAY))
    assert [person.pk for person in people] == [old.pk]
    assert getattr(people[0], "was_on_a_cohort") is False  # noqa: B009 (an annotation)


def test_a_decision_to_keep_holds_the_record_until_its_next_review(world, manager):
    left_iom(world.nominal, on=years_ago(7), by=manager)
    RetentionDecisionFactory.create(
        nominal_id=world.nominal.pk,
        team=world.own_team,
        decision="keep",
        next_review_on=TODAY + datetime.timedelta(days=1),
        decided_by=manager,
    )
    assert due_ids(manager) == []
    RetentionDecisionFactory.create(
        nominal_id=world.nominal.pk,
        team=world.own_team,
        decision="keep",
        next_review_on=TODAY,
        decided_by=manager,
    )
    assert due_ids(manager) == [world.nominal.pk]  # the latest decision's review date has come


def test_restricted_people_are_listed_apart_and_not_as_due(world, manager):
    left_iom(world.nominal, on=years_ago(7), by=manager)
    Nominal.objects.filter(pk=world.nominal.pk).update(retention_status=RetentionStatus.RESTRICTED)
    assert due_ids(manager) == []
    assert [person.pk for person in restricted_people(user=manager)] == [world.nominal.pk]


def test_erased_people_are_in_neither_list(world, manager):
    left_iom(world.nominal, on=years_ago(7), by=manager)
    Nominal.objects.filter(pk=world.nominal.pk).update(retention_status=RetentionStatus.ERASED)
    assert due_ids(manager) == []
    assert list(restricted_people(user=manager)) == []


def test_only_the_managers_own_teams_are_listed(world, manager):
    left_iom(world.nominal, on=years_ago(7), by=manager)
    left_iom(world.other_nominal, on=years_ago(7), by=manager)
    assert due_ids(manager) == [world.nominal.pk]
    assert due_ids(member(Role.MANAGER, team=world.other_team)) == [world.other_nominal.pk]


@pytest.mark.parametrize(
    "role", [Role.POLICE_OFFENDER_MANAGER, Role.REGIONAL_LEAD, Role.NATIONAL, Role.PARTNER]
)
def test_no_one_but_managers_has_anyone_to_review(world, manager, role):
    left_iom(world.nominal, on=years_ago(7), by=manager)
    user = member(
        role,
        team=world.own_team if role == Role.POLICE_OFFENDER_MANAGER else None,
        region=world.region if role == Role.REGIONAL_LEAD else None,
    )
    assert due_ids(user) == []


def test_a_restricted_case_is_listed_only_for_a_manager_on_its_allow_list(world, manager):
    left_iom(world.nominal, on=years_ago(7), by=manager)
    Nominal.objects.filter(pk=world.nominal.pk).update(access_restricted=True)
    assert due_ids(manager) == []
    named = member(Role.MANAGER, team=world.own_team)
    CaseAccessGrant.objects.create(
        nominal_id=world.nominal.pk, user=named, kind="allow_list", granted_by=manager
    )
    assert due_ids(named) == [world.nominal.pk]


def test_the_list_is_sorted_by_when_people_left_longest_ago_first(world, manager):
    recent = NominalFactory.create(team=world.own_team)
    left_iom(recent, on=years_ago(7), by=manager)
    left_iom(world.nominal, on=years_ago(10), by=manager)
    assert due_ids(manager) == [world.nominal.pk, recent.pk]
    assert due_ids(manager, sort="-left") == [recent.pk, world.nominal.pk]
    people = list(people_due_for_retention_review(user=manager, today=TODAY))
    assert getattr(people[0], "left_on") == years_ago(10)  # noqa: B009 (an annotation)


def test_the_list_filters_by_team_and_by_name_or_identifier(world, manager):
    second = member(Role.MANAGER, team=world.other_team)
    second.memberships.create(role=Role.MANAGER, team=world.own_team)
    left_iom(world.nominal, on=years_ago(7), by=manager)
    left_iom(world.other_nominal, on=years_ago(7), by=manager)
    assert set(due_ids(second)) == {world.nominal.pk, world.other_nominal.pk}
    assert due_ids(second, team=world.other_team.pk) == [world.other_nominal.pk]
    assert due_ids(second, search="robson") == [world.nominal.pk]
    assert due_ids(second, search=world.other_nominal.crn.lower()) == [world.other_nominal.pk]


def test_cut_off_on_29_february_falls_back_to_the_28th(settings):
    settings.IOM_RETENTION_REVIEW_YEARS = 6
    assert review_cut_off(datetime.date(2028, 2, 29)) == datetime.date(2022, 2, 28)


def test_decisions_are_listed_for_the_managers_teams_newest_first(world, manager):
    first = RetentionDecisionFactory.create(
        nominal_id=world.nominal.pk, team=world.own_team, decided_by=manager
    )
    second = RetentionDecisionFactory.create(
        nominal_id=world.nominal.pk, team=world.own_team, decided_by=manager
    )
    RetentionDecisionFactory.create(nominal_id=world.other_nominal.pk, team=world.other_team)
    assert list(retention_decisions(user=manager)) == [second, first]
