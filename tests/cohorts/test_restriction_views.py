"""The restriction page, the allow-list's confirmation pages and the record's header
(cohorts/views/restriction.py)."""

import pytest
from django.urls import reverse

from cohorts import services
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


def restrict(world, manager, *allowed):
    services.restrict_case(
        actor=manager, nominal=world.nominal, allowed_users=list(allowed), reason="Staff member"
    )


def page(world, name="cohorts:restriction", *args):
    return reverse(name, args=[world.nominal.pk, *args])


def test_the_manager_restricts_the_record_naming_team_members(client, world, manager, officer):
    member(Role.MANAGER, team=world.other_team, full_name="Kim Lee")
    client.force_login(manager)
    form = client.get(page(world))
    html = form.content.decode()
    assert "Restrict access to this record" in html
    assert "Tom Reed" in html
    assert "Kim Lee" not in html  # only the managing team's members are offered
    response = client.post(page(world), {"reason": "A member of staff", "allowed_users": [officer.pk]})
    assert response.status_code == 302
    assert response["Location"] == page(world)
    world.nominal.refresh_from_db()
    assert world.nominal.access_restricted
    assert set(CaseAccessGrant.objects.values_list("user_id", flat=True)) == {manager.pk, officer.pk}


def test_restricting_without_a_reason_shows_the_error(client, world, manager):
    client.force_login(manager)
    html = client.post(page(world), {"reason": ""}).content.decode()
    assert "There is a problem" in html
    assert "Enter why the record is restricted" in html


def test_the_restricted_record_shows_its_allow_list_and_the_restriction(client, world, manager, officer):
    restrict(world, manager, officer)
    client.force_login(manager)
    html = client.get(page(world)).content.decode()
    assert "Who may open this record" in html
    assert "Reason: Staff member" in html
    assert "Maya Shah (you)" in html
    assert reverse("cohorts:allow-list-remove", args=[world.nominal.pk, officer.pk]) in html
    assert reverse("cohorts:restriction-lift", args=[world.nominal.pk]) in html


def test_the_manager_adds_a_name_to_the_allow_list(client, world, manager, officer):
    restrict(world, manager)
    client.force_login(manager)
    response = client.post(page(world), {"user": officer.pk}, follow=True)
    assert "Tom Reed added to the allow-list" in response.content.decode()
    assert CaseAccessGrant.objects.filter(user=officer, revoked_at__isnull=True).exists()


def test_removing_a_name_asks_first_then_removes_it(client, world, manager, officer):
    restrict(world, manager, officer)
    client.force_login(manager)
    url = page(world, "cohorts:allow-list-remove", officer.pk)
    assert "Remove Tom Reed from the allow-list?" in client.get(url).content.decode()
    assert CaseAccessGrant.objects.filter(user=officer, revoked_at__isnull=True).exists()
    assert client.post(url)["Location"] == page(world)
    assert not CaseAccessGrant.objects.filter(user=officer, revoked_at__isnull=True).exists()


def test_removing_the_last_manager_is_refused_on_the_confirmation_page(client, world, manager, officer):
    restrict(world, manager, officer)
    client.force_login(manager)
    response = client.post(page(world, "cohorts:allow-list-remove", manager.pk))
    assert response.status_code == 200
    assert "the last of the team&#x27;s managers on the allow-list" in response.content.decode()


def test_a_name_not_on_the_list_is_not_found(client, world, manager):
    restrict(world, manager)
    client.force_login(manager)
    stranger = member(Role.SUPPORT_WORKER, team=world.own_team)
    assert client.get(page(world, "cohorts:allow-list-remove", stranger.pk)).status_code == 404


def test_lifting_the_restriction_asks_first_then_lifts_it(client, world, manager, officer):
    restrict(world, manager, officer)
    client.force_login(manager)
    url = page(world, "cohorts:restriction-lift")
    assert "Lift the restriction on this record?" in client.get(url).content.decode()
    assert client.post(url)["Location"] == page(world, "cohorts:nominal-team")
    world.nominal.refresh_from_db()
    assert not world.nominal.access_restricted
    assert AuditEvent.objects.filter(action="restriction.lifted").count() == 1


def test_the_record_header_tags_a_restricted_record_and_links_managers_to_the_allow_list(
    client, world, manager, officer
):
    restrict(world, manager, officer)
    client.force_login(officer)
    html = client.get(page(world, "cohorts:nominal-detail")).content.decode()
    assert "Restricted record" in html
    assert page(world) not in html  # the officer may open it, not keep its list
    client.force_login(manager)
    html = client.get(page(world, "cohorts:nominal-detail")).content.decode()
    assert "Who may open this record" in html
    assert page(world) in html


def test_the_record_header_offers_managers_to_restrict_an_open_record(client, world, manager, officer):
    client.force_login(manager)
    html = client.get(page(world, "cohorts:nominal-detail")).content.decode()
    assert "Restrict access to this record" in html
    assert "Restricted record" not in html
    client.force_login(officer)
    assert (
        "Restrict access to this record"
        not in client.get(page(world, "cohorts:nominal-detail")).content.decode()
    )


def test_team_members_not_on_the_list_are_answered_as_if_the_record_did_not_exist(client, world, manager):
    restrict(world, manager)
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    client.force_login(worker)
    assert client.get(page(world, "cohorts:nominal-detail")).status_code == 404
    assert AuditEvent.objects.filter(action="nominal.access_denied", actor=worker).exists()
