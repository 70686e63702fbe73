"""Each person's access log: who has looked at this record, shown to everyone who may open it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from iom.core import audit
from iom.core.factories import OrganisationFactory
from iom.core.models import AuditEvent, CaseAccessGrant, Role
from tests.actors import member

pytestmark = pytest.mark.django_db


def url(nominal) -> str:
    return reverse("dataprotection:access-log", args=[nominal.pk])


def viewed(actor, nominal, *, page="overview", days_ago=0):
    return AuditEvent.objects.create(
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        actor=actor,
        actor_label=actor.email,
        action="nominal.viewed",
        target_type="cohorts.nominal",
        target_id=str(nominal.pk),
        nominal_id=nominal.pk,
        detail={"page": page},
    )


def test_the_team_sees_who_looked_with_their_role_and_organisation(client, world):
    police = member(
        Role.POLICE_OFFENDER_MANAGER,
        team=world.own_team,
        full_name="Priya Shah",
        organisation=OrganisationFactory.create(name="Northshire Police"),
    )
    viewed(police, world.nominal, page="risk")
    reader = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    client.force_login(reader)
    response = client.get(url(world.nominal))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Priya Shah" in page
    assert "Northshire Police" in page
    assert "Police offender manager, City IOM" in page
    assert "risk" in page


def test_opening_the_access_log_is_itself_a_consultation(client, world):
    reader = member(Role.SUPPORT_WORKER, team=world.own_team)
    client.force_login(reader)
    client.get(url(world.nominal))
    opened = AuditEvent.objects.get(action="nominal.viewed", actor=reader)
    assert opened.nominal_id == world.nominal.pk
    assert opened.detail == {"page": "access"}
    assert audit.kind_of(opened.action) == audit.CONSULTATION


def test_it_counts_the_different_people_who_looked_in_the_last_90_days(client, world):
    one = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    two = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    long_ago = member(Role.SUPPORT_WORKER, team=world.own_team)
    viewed(one, world.nominal)
    viewed(one, world.nominal, page="timeline")
    viewed(two, world.nominal, days_ago=89)
    viewed(long_ago, world.nominal, days_ago=91)
    reader = member(Role.MANAGER, team=world.own_team)
    client.force_login(reader)
    response = client.get(url(world.nominal))
    # one, two, and the reader opening this page; not the one who looked 91 days ago.
    assert response.context["people_who_looked"] == 3
    assert "3 people have looked at this record in the last 90 days" in response.content.decode()


def test_break_glass_is_highlighted(client, world):
    manager = member(Role.MANAGER, team=world.own_team)
    audit.record(
        actor=manager,
        action="nominal.break_glass",
        target=world.nominal,
        nominal_id=world.nominal.pk,
        detail={"reason": "Urgent safeguarding call"},
    )
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    response = client.get(url(world.nominal))
    assert [row.break_glass for row in response.context["rows"]][-1] is True
    assert "Break-glass" in response.content.decode()


def test_other_events_about_the_person_are_listed_too(client, world):
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    housing = OrganisationFactory.create(name="Northshire Housing Trust")
    audit.record(actor=worker, action="referral.sent", nominal_id=world.nominal.pk, recipient=housing)
    client.force_login(worker)
    page = client.get(url(world.nominal)).content.decode()
    assert "Disclosure" in page
    assert "To Northshire Housing Trust" in page


def test_the_access_log_is_a_tab_of_the_record_after_history(client, world):
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    response = client.get(reverse("cohorts:nominal-detail", args=[world.nominal.pk]))
    labels = [tab["label"] for tab in response.context["person_tabs"]]
    assert labels[labels.index("History") + 1] == "Access log"
    tabs = client.get(url(world.nominal)).context["person_tabs"]
    assert [tab["label"] for tab in tabs if tab["current"]] == ["Access log"]


@pytest.mark.parametrize("role", [Role.POLICE_OFFENDER_MANAGER, Role.MANAGER])
def test_another_team_gets_404_and_the_attempt_is_logged(client, world, role):
    outsider = member(role, team=world.other_team)
    client.force_login(outsider)
    assert client.get(url(world.nominal)).status_code == 404
    assert AuditEvent.objects.filter(
        action="nominal.access_denied", actor=outsider, nominal_id=world.nominal.pk
    ).exists()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REGIONAL_LEAD, Role.NATIONAL, Role.ADMINISTRATOR])
def test_people_outside_the_team_get_404(client, world, role):
    client.force_login(member(role, region=world.region if role == Role.REGIONAL_LEAD else None))
    assert client.get(url(world.nominal)).status_code == 404


def test_a_restricted_case_answers_404_to_the_team_unless_they_are_on_its_allow_list(client, world):
    world.nominal.access_restricted = True
    world.nominal.save(update_fields=["access_restricted"])
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    client.force_login(worker)
    assert client.get(url(world.nominal)).status_code == 404
    CaseAccessGrant.objects.create(
        nominal_id=world.nominal.pk, user=worker, kind="allow_list", granted_by=worker
    )
    assert client.get(url(world.nominal)).status_code == 200


def test_the_page_is_never_cached(client, world):
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert "no-store" in client.get(url(world.nominal))["Cache-Control"]


def test_the_query_count_does_not_grow_with_the_log(client, world, django_assert_num_queries):
    lookers = [member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team) for _ in range(6)]
    for i in range(30):
        viewed(lookers[i % 6], world.nominal, days_ago=i)
    client.force_login(lookers[0])
    # 1-2 the session and the user (middleware; the second factor is marked in the session); 3 the
    # reader's memberships (access); 4 the person; 5 the consultation's audit row; 6 the count of events;
    # 7 the page of events with actor, organisation and recipient; 8 the actors' memberships with their
    # teams and regions (prefetched); 9 the number of people who looked in 90 days.
    with django_assert_num_queries(9):
        response = client.get(url(world.nominal))
    assert len(response.context["rows"]) == 31


def test_fifty_events_to_a_page(client, world):
    looker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    for _ in range(55):
        viewed(looker, world.nominal)
    client.force_login(looker)
    assert len(client.get(url(world.nominal)).context["rows"]) == 50
    # 55, and the two openings of this page: each is a consultation too.
    assert len(client.get(url(world.nominal), {"page": 2}).context["rows"]) == 7
