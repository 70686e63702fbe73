import pytest
from django.db import IntegrityError, transaction

from iom.core.factories import MembershipFactory, RegionFactory, TeamFactory, UserFactory
from iom.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.POLICE_OFFENDER_MANAGER, "region"),
        (Role.MANAGER, "none"),
        (Role.REGIONAL_LEAD, "team"),
        (Role.NATIONAL, "team"),
        (Role.ADMINISTRATOR, "region"),
        (Role.PARTNER, "team"),
    ],
)
def test_the_database_refuses_a_scope_that_does_not_fit_the_role(role, scope):
    team = TeamFactory.create() if scope == "team" else None
    region = RegionFactory.create() if scope == "region" else None
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory.create(role=role, team=team, region=region)


def test_the_same_role_in_the_same_team_is_held_once():
    user, team = UserFactory.create(), TeamFactory.create()
    MembershipFactory.create(user=user, role=Role.MANAGER, team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory.create(user=user, role=Role.MANAGER, team=team)
    MembershipFactory.create(user=user, role=Role.MANAGER, team=TeamFactory.create())


def test_an_unscoped_role_is_held_once():
    user = UserFactory.create()
    MembershipFactory.create(user=user, role=Role.NATIONAL, team=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory.create(user=user, role=Role.NATIONAL, team=None)
