import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from cohorts.models import Nominal
from iom.core import access
from iom.core.factories import OrganisationFactory
from iom.core.models import Organisation, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TEAM_ROLES = [
    Role.POLICE_OFFENDER_MANAGER,
    Role.PROBATION_PRACTITIONER,
    Role.SUPPORT_WORKER,
    Role.YOUNG_ADULT_SUPPORT_WORKER,
    Role.MANAGER,
]


@pytest.mark.parametrize("role", TEAM_ROLES)
def test_every_team_role_sees_its_own_teams_nominals_and_no_others(role):
    world = build_world()
    user = member(role, team=world.own_team)
    visible = access.scope_to_teams(user, Nominal.objects.all(), team_field="team_id")
    assert list(visible) == [world.nominal]
    assert access.can_view_nominal(user, world.nominal)
    assert not access.can_view_nominal(user, world.other_nominal)
    assert access.can_log_contact(user, world.nominal)
    assert not access.can_log_contact(user, world.other_nominal)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.NATIONAL, Role.ADMINISTRATOR])
def test_roles_without_a_team_see_no_nominals(role):
    world = build_world()
    user = member(role)
    assert not access.scope_to_teams(user, Nominal.objects.all(), team_field="team_id").exists()
    assert not access.can_view_nominal(user, world.nominal)
    with pytest.raises(PermissionDenied):
        access.require_log_contact(user, world.nominal)


def test_a_regional_lead_sees_no_case_records_but_reports_for_their_region():
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    assert not access.can_view_nominal(lead, world.nominal)
    assert access.report_region_ids(lead) == {world.region.pk}
    access.require_request_report(lead, kind="regional_pack", region_id=world.region.pk)
    with pytest.raises(PermissionDenied):
        access.require_request_report(lead, kind="regional_pack", region_id=world.other_region.pk)


def test_national_users_have_every_region_for_reports():
    world = build_world()
    assert access.report_region_ids(member(Role.NATIONAL)) == {world.region.pk, world.other_region.pk}


def test_team_members_have_no_reports():
    world = build_world()
    assert access.report_region_ids(member(Role.MANAGER, team=world.own_team)) == frozenset()


def test_a_deactivated_user_sees_nothing():
    world = build_world()
    user = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, is_active=False)
    assert not access.can_view_nominal(user, world.nominal)


def test_police_intelligence_is_for_police_in_the_managing_team_only():
    world = build_world()
    assert access.sees_police_intelligence(
        member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team), world.nominal
    )
    assert not access.sees_police_intelligence(
        member(Role.PROBATION_PRACTITIONER, team=world.own_team), world.nominal
    )
    assert not access.sees_police_intelligence(
        member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team), world.nominal
    )


def test_memberships_are_read_once_per_user_object(django_assert_num_queries):
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)
    with django_assert_num_queries(1):
        for _ in range(3):
            access.can_view_nominal(user, world.nominal)
            access.team_ids(user)


def _organisation(kind):
    return OrganisationFactory.create(name=f"Employer: {kind}", kind=kind)


@pytest.mark.parametrize(
    ("role", "kind", "sees"),
    [
        (Role.POLICE_OFFENDER_MANAGER, Organisation.Kind.POLICE_FORCE, True),
        (Role.MANAGER, Organisation.Kind.POLICE_FORCE, True),  # the IOM sergeant
        (Role.MANAGER, Organisation.Kind.PROBATION_DELIVERY_UNIT, False),  # the senior probation officer
        (Role.MANAGER, None, False),
        (Role.PROBATION_PRACTITIONER, Organisation.Kind.PROBATION_DELIVERY_UNIT, False),
        (Role.SUPPORT_WORKER, Organisation.Kind.VOLUNTARY_COMMUNITY, False),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, Organisation.Kind.VOLUNTARY_COMMUNITY, False),
        # Working for a police force is not enough without a police or manager role in the team.
        (Role.SUPPORT_WORKER, Organisation.Kind.POLICE_FORCE, False),
    ],
)
def test_police_intelligence_is_for_police_offender_managers_and_police_managers_of_the_team(
    role, kind, sees
):
    world = build_world()
    user = member(role, team=world.own_team, organisation=_organisation(kind) if kind else None)
    assert access.sees_police_intelligence(user, world.nominal) is sees
    assert not access.sees_police_intelligence(user, world.other_nominal)


def test_police_outside_the_managing_team_see_no_police_intelligence():
    world = build_world()
    police = _organisation(Organisation.Kind.POLICE_FORCE)
    for user in (
        member(Role.MANAGER, team=world.other_team, organisation=police),
        member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team, organisation=police),
        member(Role.REGIONAL_LEAD, region=world.region, organisation=police),
        member(Role.PARTNER, organisation=police),
        member(Role.NATIONAL, organisation=police),
        member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, organisation=police, is_active=False),
    ):
        assert not access.sees_police_intelligence(user, world.nominal), user
    assert not access.sees_police_intelligence(AnonymousUser(), world.nominal)


@pytest.mark.parametrize(
    ("role", "readable"),
    [
        (Role.POLICE_OFFENDER_MANAGER, {"partners", "team", "police"}),
        (Role.PROBATION_PRACTITIONER, {"partners", "team"}),
        (Role.SUPPORT_WORKER, {"partners", "team"}),
        (Role.YOUNG_ADULT_SUPPORT_WORKER, {"partners", "team"}),
        (Role.MANAGER, {"partners", "team"}),  # no organisation: not police
        (Role.PARTNER, set()),
        (Role.REGIONAL_LEAD, set()),
        (Role.ADMINISTRATOR, set()),
    ],
)
def test_who_may_read_a_note_of_each_sensitivity(role, readable):
    world = build_world()
    user = member(
        role,
        team=world.own_team if role in TEAM_ROLES else None,
        region=world.region if role == Role.REGIONAL_LEAD else None,
    )
    assert {
        s for s in ("partners", "team", "police") if access.can_read_note(user, world.nominal, s)
    } == readable
    assert not any(access.can_read_note(user, world.other_nominal, s) for s in ("partners", "team", "police"))
