"""Referral lists leave out a restricted case: the partner's inbox, its counts and a referral's pages
(partners can never be on an allow-list, which names members of the managing team only), and the
team's referral list for anyone not on the allow-list."""

from typing import Any

import pytest
from django.urls import reverse

from cohorts import services as cohort_services
from iom.core import access
from iom.core.models import AuditEvent, Role
from partners import selectors
from tests.actors import member
from tests.partners.referrals_to_us import Scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    scene: Any = Scene()  # with the referral and manager these tests name added
    scene.referral = scene.refer()
    scene.manager = member(Role.MANAGER, team=scene.world.own_team)
    return scene


def restrict(scene, *allowed):
    cohort_services.restrict_case(
        actor=scene.manager,
        nominal=scene.world.nominal,
        allowed_users=list(allowed),
        reason="Member of staff",
    )
    for user in (scene.partner, scene.worker, scene.manager):
        access.forget_cached_access(user)


def test_the_partners_inbox_and_its_counts_leave_out_a_restricted_case(client, scene):
    restrict(scene)
    assert list(selectors.inbox_for(user=scene.partner, filters=selectors.InboxFilters())) == []
    assert selectors.inbox_counts(user=scene.partner) == {"new": 0, "working": 0}
    client.force_login(scene.partner)
    assert "Robson" not in client.get(reverse("partners:inbox")).content.decode()


def test_the_partners_inbox_shows_the_referral_again_once_the_restriction_is_lifted(scene):
    restrict(scene)
    cohort_services.lift_restriction(actor=scene.manager, nominal=scene.world.nominal)
    access.forget_cached_access(scene.partner)
    assert list(selectors.inbox_for(user=scene.partner, filters=selectors.InboxFilters())) == [scene.referral]
    assert selectors.inbox_counts(user=scene.partner) == {"new": 1, "working": 0}


def test_a_sent_referral_of_a_restricted_case_is_not_found_by_the_partner_and_the_attempt_logged(
    client, scene
):
    restrict(scene)
    client.force_login(scene.partner)
    for name in ("partners:inbox-detail", "partners:accept", "partners:decline"):
        assert client.get(reverse(name, args=[scene.referral.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="referral.access_denied", actor=scene.partner).count() == 3


def test_the_teams_referral_list_leaves_out_a_restricted_case_for_those_not_on_the_allow_list(client, scene):
    restrict(scene)
    client.force_login(scene.worker)
    assert "Robson" not in client.get(reverse("partners:team-referrals")).content.decode()
    assert list(selectors.team_referrals(user=scene.worker, filters=selectors.ReferralFilters())) == []


def test_the_teams_referral_list_shows_a_restricted_case_to_those_on_the_allow_list(client, scene):
    restrict(scene, scene.worker)
    client.force_login(scene.worker)
    assert "Robson" in client.get(reverse("partners:team-referrals")).content.decode()
