import pytest

from cohorts.factories import NominalFactory
from iom.core.factories import TeamFactory
from iom.core.models import AuditEvent, Role
from supervision.factories import ContactFactory
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def names(response):
    return [nominal.full_name for nominal in response.context["page"].object_list]


def test_it_lists_my_teams_nominals_only(client):
    world = build_world()
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    response = client.get("/people/")
    assert response.status_code == 200
    assert names(response) == ["Dean Robson"]
    assert b"Wes" not in response.content


def test_viewing_the_caseload_is_audited(client):
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)
    client.force_login(user)
    client.get("/people/?q=robson")
    event = AuditEvent.objects.get(action="caseload.viewed")
    assert (event.actor, event.detail) == (user, {"search": True, "filtered": True, "page": 1})


def test_search_by_name_or_crn(client):
    world = build_world()
    NominalFactory.create(team=world.own_team, given_name="Ellie", family_name="Scott", crn="A123456")
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert names(client.get("/people/?q=scot")) == ["Ellie Scott"]
    assert names(client.get("/people/?q=a123456")) == ["Ellie Scott"]
    assert names(client.get("/people/?q=dean robson")) == ["Dean Robson"]
    empty = client.get("/people/?q=nobody")
    assert names(empty) == []
    assert "No people match your filters" in empty.content.decode()


def test_searching_cannot_reach_another_team(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert names(client.get("/people/?q=kerr")) == []


def test_sorting_by_name_crn_and_latest_activity(client):
    world = build_world()
    older = NominalFactory.create(team=world.own_team, given_name="Amy", family_name="Bell", crn="B000002")
    ContactFactory.create(nominal=older, date="2026-11-01")
    world.nominal.crn = "B000001"
    world.nominal.save()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert names(client.get("/people/?sort=name")) == ["Amy Bell", "Dean Robson"]
    assert names(client.get("/people/?sort=-name")) == ["Dean Robson", "Amy Bell"]
    assert names(client.get("/people/?sort=crn")) == ["Dean Robson", "Amy Bell"]
    assert names(client.get("/people/?sort=nonsense")) == ["Amy Bell", "Dean Robson"]
    html = client.get("/people/?sort=-name").content.decode()
    assert 'aria-sort="descending"' in html


def test_it_paginates_25_to_a_page(client):
    world = build_world()
    NominalFactory.create_batch(30, team=world.own_team)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    first = client.get("/people/")
    assert len(first.context["page"].object_list) == 25
    assert "Showing 1 to 25 of 31" in first.content.decode()
    assert len(client.get("/people/?page=2").context["page"].object_list) == 6
    assert client.get("/people/?page=999").context["page"].number == 2


def test_an_empty_caseload_says_so(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=TeamFactory.create(name="Empty IOM", region=world.region)))
    assert "has no people on its caseload yet" in client.get("/people/").content.decode()


def test_the_query_count_does_not_grow_with_the_page(client, django_assert_num_queries):
    world = build_world()
    for nominal in NominalFactory.create_batch(30, team=world.own_team):
        ContactFactory.create(nominal=nominal)
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    # session, user, memberships, workers for the filter, count, page of nominals (team, case team,
    # cohort, review date, RoSH and latest activity in one query), audit insert
    with django_assert_num_queries(7):
        response = client.get("/people/")
    assert len(response.context["page"].object_list) == 25
