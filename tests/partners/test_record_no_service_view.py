"""Recording a need as unmet because no service exists: the issue's alternative to a referral."""

import pytest

from cohorts.models import Need, NeedStatus, Nominal, TimelineEvent, UnmetReason
from iom.core.models import AuditEvent, Role, User
from tests.actors import World, build_world, member

pytestmark = pytest.mark.django_db


def url(nominal: Nominal, pathway: str | None = None) -> str:
    base = f"/people/{nominal.pk}/referrals/no-service/"
    return base if pathway is None else f"{base}?pathway={pathway}"


def case_worker(world: World) -> User:
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    world.nominal.support_worker = worker
    world.nominal.save()
    return worker


def test_the_confirmation_names_the_pathway_from_the_link_and_is_audited(client):
    world = build_world()
    client.force_login(case_worker(world))

    response = client.get(url(world.nominal, "families"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Record the children and families need as unmet: no service available" in html
    assert '<input type="hidden" name="pathway" value="families"' in html
    assert 'type="radio"' not in html
    assert "Note (optional)" in html
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "record-no-service"}


def test_recording_marks_the_need_unmet_with_no_service_and_goes_to_the_needs_tab(client):
    world = build_world()
    worker = case_worker(world)
    client.force_login(worker)

    response = client.post(
        url(world.nominal, "families"),
        {"pathway": "families", "note": "No parenting course within 30 miles"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/needs/", 302)]
    assert "Children and families need recorded as unmet: no service available" in response.content.decode()
    need = Need.objects.get(nominal=world.nominal, pathway="families")
    assert (need.status, need.unmet_reason) == (NeedStatus.UNMET, UnmetReason.NO_SERVICE)
    assert need.updates.get().note == "No parenting course within 30 miles"
    assert TimelineEvent.objects.filter(nominal=world.nominal, kind=TimelineEvent.Kind.NEED).exists()
    assert AuditEvent.objects.filter(action="need.updated", actor=worker).count() == 1


def test_without_a_note_the_update_says_the_directory_had_nothing(client):
    world = build_world()
    client.force_login(case_worker(world))
    client.post(url(world.nominal, "ete"), {"pathway": "ete", "note": ""})
    need = Need.objects.get(nominal=world.nominal, pathway="ete")
    assert need.updates.get().note == "No service available in the partner directory"


@pytest.mark.parametrize("pathway", [None, "", "space_travel"])
def test_a_missing_or_unknown_pathway_is_asked_for_not_a_server_error(client, pathway):
    world = build_world()
    client.force_login(case_worker(world))

    shown = client.get(url(world.nominal, pathway))
    posted = client.post(url(world.nominal, pathway), {} if pathway is None else {"pathway": pathway})

    assert shown.status_code == 200
    assert 'name="pathway" type="radio" value="accommodation"' in shown.content.decode()
    assert "Record a need as unmet: no service available" in shown.content.decode()
    assert posted.status_code == 200
    assert '<a href="#id_pathway_0">Select the pathway with no service</a>' in posted.content.decode()
    assert not Need.objects.exists()


def test_a_pathway_chosen_on_the_page_is_recorded(client):
    world = build_world()
    client.force_login(case_worker(world))
    response = client.post(url(world.nominal), {"pathway": "health", "note": ""})
    assert response.status_code == 302
    assert Need.objects.get(nominal=world.nominal).pathway == "health"


def test_a_team_member_not_on_the_case_team_gets_403(client):
    world = build_world()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert client.get(url(world.nominal, "families")).status_code == 403
    assert client.post(url(world.nominal, "families"), {"pathway": "families"}).status_code == 403
    assert not Need.objects.exists()


def test_another_teams_person_is_not_found(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(url(world.nominal, "families")).status_code == 404
    assert client.post(url(world.nominal, "families"), {"pathway": "families"}).status_code == 404
    assert not Need.objects.exists()
