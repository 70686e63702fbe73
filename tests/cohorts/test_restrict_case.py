"""The services that restrict a case and keep its allow-list (cohorts/services.py, "Restricted cases")."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cohorts import services
from cohorts.selectors import nominals_visible_to
from iom.core import access
from iom.core.models import AuditEvent, CaseAccessGrant, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def manager(world):
    return member(Role.MANAGER, team=world.own_team, full_name="Maya Shah")


@pytest.fixture
def officer(world):
    return member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Tom Reed")


def fresh(user):
    """The user as a new request would see them (access caches grants on the user object)."""
    access.forget_cached_access(user)
    return user


def named(nominal):
    return set(
        CaseAccessGrant.objects.filter(
            nominal_id=nominal.pk, kind="allow_list", revoked_at__isnull=True
        ).values_list("user__full_name", flat=True)
    )


def test_restricting_names_the_manager_and_the_chosen_team_members_and_hides_the_record_from_the_rest(
    world, manager, officer
):
    other_worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    services.restrict_case(
        actor=manager, nominal=world.nominal, allowed_users=[officer], reason="Staff member"
    )
    world.nominal.refresh_from_db()
    assert world.nominal.access_restricted
    assert named(world.nominal) == {"Maya Shah", "Tom Reed"}
    assert world.nominal in nominals_visible_to(fresh(officer))
    assert world.nominal not in nominals_visible_to(fresh(other_worker))


def test_restricting_is_audited_with_the_reason_and_the_names(world, manager, officer):
    services.restrict_case(
        actor=manager, nominal=world.nominal, allowed_users=[officer], reason="Staff member"
    )
    event = AuditEvent.objects.get(action="restriction.added")
    assert (event.actor, event.nominal_id) == (manager, world.nominal.pk)
    assert event.detail == {"reason": "Staff member", "allowed_user_ids": sorted([manager.pk, officer.pk])}


def test_only_members_of_the_managing_team_may_be_named(world, manager):
    outsider = member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team, full_name="Kim Lee")
    with pytest.raises(ValidationError) as refused:
        services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[outsider], reason="Staff")
    assert refused.value.message_dict == {
        "allowed_users": ["Only members of City IOM may be named on the allow-list: Kim Lee is not"]
    }
    world.nominal.refresh_from_db()
    assert not world.nominal.access_restricted
    assert not CaseAccessGrant.objects.exists()


def test_a_reason_is_needed_to_restrict(world, manager):
    with pytest.raises(ValidationError) as refused:
        services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[], reason="  ")
    assert refused.value.message_dict == {"reason": ["Enter why this record is restricted"]}


def test_only_the_teams_managers_may_restrict(world, officer):
    with pytest.raises(PermissionDenied):
        services.restrict_case(actor=officer, nominal=world.nominal, allowed_users=[], reason="Staff member")


def test_a_restricted_record_is_not_restricted_twice(world, manager):
    services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[], reason="Staff member")
    with pytest.raises(ValidationError, match="already restricted"):
        services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[], reason="Again")


def test_adding_a_name_opens_the_record_to_them_and_is_audited(world, manager, officer):
    services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[], reason="Staff member")
    assert world.nominal not in nominals_visible_to(fresh(officer))
    grant = services.add_to_allow_list(actor=manager, nominal=world.nominal, user=officer)
    assert world.nominal in nominals_visible_to(fresh(officer))
    event = AuditEvent.objects.get(action="allow_list.added")
    assert (event.target_id, event.nominal_id, event.detail["user_id"]) == (
        str(grant.pk),
        world.nominal.pk,
        officer.pk,
    )


def test_a_name_already_on_the_list_is_not_added_again(world, manager, officer):
    services.restrict_case(
        actor=manager, nominal=world.nominal, allowed_users=[officer], reason="Staff member"
    )
    with pytest.raises(ValidationError) as refused:
        services.add_to_allow_list(actor=manager, nominal=world.nominal, user=officer)
    assert refused.value.message_dict == {"user": ["Tom Reed is already on the allow-list"]}


def test_names_are_added_only_to_a_restricted_record(world, manager, officer):
    with pytest.raises(ValidationError, match="not restricted"):
        services.add_to_allow_list(actor=manager, nominal=world.nominal, user=officer)


def test_removing_a_name_closes_the_record_to_them_and_is_audited(world, manager, officer):
    services.restrict_case(
        actor=manager, nominal=world.nominal, allowed_users=[officer], reason="Staff member"
    )
    services.remove_from_allow_list(actor=manager, nominal=world.nominal, user=officer)
    assert world.nominal not in nominals_visible_to(fresh(officer))
    assert named(world.nominal) == {"Maya Shah"}
    event = AuditEvent.objects.get(action="allow_list.removed")
    assert (event.actor, event.detail["user_id"]) == (manager, officer.pk)


def test_the_last_manager_on_the_list_is_not_removed(world, manager, officer):
    services.restrict_case(
        actor=manager, nominal=world.nominal, allowed_users=[officer], reason="Staff member"
    )
    with pytest.raises(ValidationError) as refused:
        services.remove_from_allow_list(actor=manager, nominal=world.nominal, user=manager)
    assert refused.value.messages == [
        "Maya Shah is the last of the team's managers on the allow-list. Add another manager first, "
        "or lift the restriction."
    ]
    assert named(world.nominal) == {"Maya Shah", "Tom Reed"}


def test_a_manager_may_remove_themselves_when_another_manager_stays(world, manager):
    deputy = member(Role.MANAGER, team=world.own_team, full_name="Ann Cole")
    services.restrict_case(
        actor=manager, nominal=world.nominal, allowed_users=[deputy], reason="Staff member"
    )
    services.remove_from_allow_list(actor=manager, nominal=world.nominal, user=manager)
    assert named(world.nominal) == {"Ann Cole"}
    assert world.nominal not in nominals_visible_to(fresh(manager))


def test_lifting_the_restriction_ends_every_grant_and_opens_the_record_to_the_team(world, manager, officer):
    services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[], reason="Staff member")
    services.break_glass(actor=fresh(officer), nominal=world.nominal, reason="Urgent safeguarding call")
    assert services.lift_restriction(actor=fresh(manager), nominal=world.nominal) == 2
    world.nominal.refresh_from_db()
    assert not world.nominal.access_restricted
    assert not CaseAccessGrant.objects.filter(revoked_at__isnull=True).exists()
    assert CaseAccessGrant.objects.filter(revoked_by=manager).count() == 2
    assert world.nominal in nominals_visible_to(fresh(member(Role.SUPPORT_WORKER, team=world.own_team)))
    event = AuditEvent.objects.get(action="restriction.lifted")
    assert event.detail == {"grants_ended": 2}


def test_a_manager_who_broke_the_glass_may_not_change_the_allow_list(world, manager):
    other_manager = member(Role.MANAGER, team=world.own_team)
    services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[], reason="Staff member")
    services.break_glass(actor=other_manager, nominal=world.nominal, reason="Covering the panel today")
    with pytest.raises(PermissionDenied):
        services.add_to_allow_list(actor=fresh(other_manager), nominal=world.nominal, user=other_manager)
    with pytest.raises(PermissionDenied):
        services.lift_restriction(actor=fresh(other_manager), nominal=world.nominal)
