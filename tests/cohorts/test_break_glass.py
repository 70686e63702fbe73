"""Break-glass access to a restricted case: the services (cohorts/services.py, "Restricted cases")."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cohorts import services
from cohorts.factories import NominalFactory
from cohorts.selectors import nominals_visible_to
from iom.core import access
from iom.core.models import AuditEvent, CaseAccessGrant, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

REASON = "Urgent call from the custody suite about him"


@pytest.fixture
def world():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    world.nominal.pnc_id = "2001/0012345L"
    world.nominal.save()
    services.restrict_case(actor=manager, nominal=world.nominal, allowed_users=[], reason="Staff member")
    world.nominal.refresh_from_db()
    return world


@pytest.fixture
def officer(world):
    return member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)


def fresh(user):
    access.forget_cached_access(user)
    return user


def test_a_team_member_opens_the_record_for_a_few_hours_with_a_reason(world, officer, settings):
    settings.IOM_BREAK_GLASS_HOURS = 3
    before = timezone.now()
    grant = services.break_glass(actor=officer, nominal=world.nominal, reason=REASON)
    assert (grant.kind, grant.reason, grant.user) == ("break_glass", REASON, officer)
    assert grant.expires_at is not None
    assert before + dt.timedelta(hours=3) <= grant.expires_at <= timezone.now() + dt.timedelta(hours=3)
    assert world.nominal in nominals_visible_to(fresh(officer))


def test_breaking_the_glass_is_audited_with_the_reason(world, officer):
    grant = services.break_glass(actor=officer, nominal=world.nominal, reason=REASON)
    event = AuditEvent.objects.get(action="nominal.break_glass")
    assert grant.expires_at is not None
    assert (event.actor, event.nominal_id) == (officer, world.nominal.pk)
    assert event.detail == {
        "reason": REASON,
        "grant_id": grant.pk,
        "expires_at": grant.expires_at.isoformat(),
    }


def test_the_opening_ends_when_it_expires(world, officer):
    grant = services.break_glass(actor=officer, nominal=world.nominal, reason=REASON)
    CaseAccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert world.nominal not in nominals_visible_to(fresh(officer))


def test_a_reason_of_fewer_than_ten_characters_is_refused(world, officer):
    with pytest.raises(ValidationError) as refused:
        services.break_glass(actor=officer, nominal=world.nominal, reason="  urgent  ")
    assert "at least 10 characters" in refused.value.message_dict["reason"][0]
    assert not CaseAccessGrant.objects.filter(kind="break_glass").exists()


def test_only_members_of_the_managing_team_may_break_the_glass(world):
    for outsider in (
        member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team),
        member(Role.PARTNER),
        member(Role.NATIONAL),
    ):
        with pytest.raises(PermissionDenied):
            services.break_glass(actor=outsider, nominal=world.nominal, reason=REASON)


def test_the_glass_is_broken_only_on_a_restricted_record(world, officer):
    with pytest.raises(PermissionDenied):
        services.break_glass(actor=officer, nominal=NominalFactory.create(team=world.own_team), reason=REASON)


def test_the_search_opens_a_restricted_record_of_the_team_by_an_identifier(world, officer):
    found = services.break_glass_by_identifier(actor=officer, identifier=" 2001/0012345l ", reason=REASON)
    assert found.nominal == world.nominal
    assert found.grant is not None
    assert found.grant.kind == "break_glass"
    assert world.nominal in nominals_visible_to(fresh(officer))


def test_a_search_that_finds_nothing_is_logged_with_what_was_typed(world, officer):
    found = services.break_glass_by_identifier(actor=officer, identifier="x999999", reason=REASON)
    assert found.nominal is None
    event = AuditEvent.objects.get(action="break_glass.no_match")
    assert (event.actor, event.detail) == (officer, {"identifier": "X999999", "reason": REASON})


def test_the_search_answers_the_same_for_another_teams_record_and_an_unrestricted_one(world, officer):
    other = NominalFactory.create(team=world.other_team, crn="B222222", access_restricted=True)
    open_record = NominalFactory.create(team=world.own_team, crn="C333333")
    for identifier in (other.crn, open_record.crn):
        assert identifier is not None
        assert (
            services.break_glass_by_identifier(actor=officer, identifier=identifier, reason=REASON).nominal
            is None
        )
    assert AuditEvent.objects.filter(action="break_glass.no_match").count() == 2
    assert not CaseAccessGrant.objects.filter(kind="break_glass").exists()


def test_the_search_sends_someone_on_the_allow_list_to_the_record_without_breaking_the_glass(world, officer):
    manager = member(Role.MANAGER, team=world.own_team)
    CaseAccessGrant.objects.create(
        nominal_id=world.nominal.pk, user=manager, kind="allow_list", granted_by=manager
    )
    found = services.break_glass_by_identifier(actor=manager, identifier=world.nominal.crn, reason=REASON)
    assert (found.nominal, found.grant) == (world.nominal, None)
    assert not CaseAccessGrant.objects.filter(kind="break_glass").exists()


def test_the_search_needs_a_reason_before_it_looks(world, officer):
    with pytest.raises(ValidationError):
        services.break_glass_by_identifier(actor=officer, identifier=world.nominal.crn, reason="why")
    assert not AuditEvent.objects.filter(action__startswith="break_glass").exists()
