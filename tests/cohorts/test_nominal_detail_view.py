import datetime

import pytest
from django.utils import timezone

from cohorts.models import TimelineEvent
from cohorts.services import add_timeline_event
from iom.core.models import AuditEvent, Role
from supervision.factories import ContactFactory
from supervision.services import log_contact
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def test_a_team_member_sees_the_person_and_the_view_is_audited(client):
    world = build_world()
    user = member(Role.YOUNG_ADULT_SUPPORT_WORKER, team=world.own_team)
    client.force_login(user)
    response = client.get(f"/people/{world.nominal.pk}/")
    assert response.status_code == 200
    assert "Dean Robson" in response.content.decode()
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert (event.actor, event.nominal_id, event.detail) == (user, world.nominal.pk, {"page": "overview"})


def test_another_teams_person_is_not_found_and_the_attempt_is_audited(client):
    world = build_world()
    user = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    client.force_login(user)
    response = client.get(f"/people/{world.other_nominal.pk}/")
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="nominal.access_denied")
    assert (event.actor, event.nominal_id) == (user, world.other_nominal.pk)
    assert not AuditEvent.objects.filter(action="nominal.viewed").exists()


def test_a_person_who_does_not_exist_gets_the_same_404_without_an_audit_row(client):
    world = build_world()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert client.get("/people/999999/").status_code == 404
    assert not AuditEvent.objects.filter(action="nominal.access_denied").exists()


def test_the_timeline_shows_logged_contacts_newest_first(client):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    log_contact(
        actor=worker,
        nominal=world.nominal,
        date=_days_ago(3),
        kind="office",
        purpose="monitoring",
        outcome="attended_complied",
        notes="Talked about housing.",
    )
    log_contact(
        actor=worker,
        nominal=world.nominal,
        date=_days_ago(1),
        kind="home_visit",
        purpose="monitoring",
        outcome="unacceptable_absence",
    )
    client.force_login(worker)
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    assert html.index("Home visit: unacceptable absence") < html.index(
        "Office appointment: attended and complied"
    )
    assert "Talked about housing." in html


def test_police_intelligence_is_hidden_from_probation(client):
    world = build_world()
    contact = ContactFactory.create(nominal=world.nominal)
    add_timeline_event(
        nominal=world.nominal,
        kind=TimelineEvent.Kind.CONTACT,
        occurred_on=_days_ago(0),
        summary="Intelligence: associates",
        source=contact,
        recorded_by=None,
        visibility=TimelineEvent.Visibility.POLICE,
    )
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert "Intelligence: associates" not in client.get(f"/people/{world.nominal.pk}/").content.decode()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert "Intelligence: associates" in client.get(f"/people/{world.nominal.pk}/").content.decode()


def test_notes_are_escaped(client):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    log_contact(
        actor=worker,
        nominal=world.nominal,
        date=_days_ago(0),
        kind="phone",
        purpose="relational_support",
        outcome="attended_complied",
        notes="<script>alert(1)</script>",
    )
    client.force_login(worker)
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_empty_timeline_says_so(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert (
        "Nothing has been recorded for Dean yet"
        in client.get(f"/people/{world.nominal.pk}/").content.decode()
    )


def test_the_query_count_does_not_grow_with_the_timeline(client, django_assert_num_queries):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    for days in range(30):
        log_contact(
            actor=worker,
            nominal=world.nominal,
            date=_days_ago(days),
            kind="office",
            purpose="monitoring",
            outcome="attended_complied",
        )
    client.force_login(worker)
    # session, user, memberships, nominal with team and case team, audit insert, current membership,
    # assessments, needs, goals, feedback, aliases, the five latest timeline entries; the panels
    # (supervision's nine, the open referrals)
    with django_assert_num_queries(22):
        response = client.get(f"/people/{world.nominal.pk}/")
    assert len(response.context["recent"]) == 5
    # session, user, memberships, nominal, audit insert, timeline count, timeline page with workers
    with django_assert_num_queries(7):
        response = client.get(f"/people/{world.nominal.pk}/timeline/")
    assert len(response.context["page"].object_list) == 20


def _days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)
