import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cohorts.models import Nominal, Offence, OffenceCategory, TimelineEvent
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def _url(nominal):
    return reverse("cohorts:offence-create", args=[nominal.pk])


def _in_error_summary(html, anchor, message):
    summary = html[html.index("govuk-error-summary") :]
    return f'<a href="{anchor}">{escape(message)}</a>' in summary


def _days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def burglary():
    # Reference data from migration 0004.
    return OffenceCategory.objects.get(name="Burglary (dwelling)", is_neighbourhood_crime=True)


def test_the_teams_manager_gets_the_form_with_neighbourhood_crime_marked(client, burglary):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get(_url(world.nominal))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{burglary.pk}">Burglary (dwelling) (neighbourhood crime)</option>' in html
    assert ">Criminal damage and arson</option>" in html


def test_an_allocated_worker_gets_the_form(client):
    world = build_world()
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    world.nominal.police_offender_manager = worker
    world.nominal.save()
    client.force_login(worker)
    assert client.get(_url(world.nominal)).status_code == 200


def test_a_team_member_not_on_the_case_team_is_refused(client, burglary):
    world = build_world()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert client.get(_url(world.nominal)).status_code == 403
    data = {"kind": "arrest", "category": burglary.pk, "occurred_on": _days_ago(1).isoformat()}
    assert client.post(_url(world.nominal), data).status_code == 403
    assert not Offence.objects.exists()


def test_another_teams_member_gets_404(client):
    world = build_world()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.other_team))
    assert client.get(_url(world.nominal)).status_code == 404


def test_the_offences_tab_offers_the_form_only_to_those_who_may_edit(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert _url(world.nominal) in client.get(f"/people/{world.nominal.pk}/offences/").content.decode()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert _url(world.nominal) not in client.get(f"/people/{world.nominal.pk}/offences/").content.decode()


def test_recording_an_arrest_saves_it_with_its_timeline_event_and_audit_row(client, burglary):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    response = client.post(
        _url(world.nominal),
        {"kind": "arrest", "category": burglary.pk, "occurred_on": _days_ago(3).strftime("%d/%m/%Y")},
        follow=True,
    )
    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/offences/", 302)]
    assert "Arrest recorded" in response.content.decode()
    offence = Offence.objects.get()
    assert (offence.kind, offence.category, offence.occurred_on, offence.recorded_by) == (
        "arrest",
        burglary,
        _days_ago(3),
        manager,
    )
    assert TimelineEvent.objects.get(kind=TimelineEvent.Kind.OFFENCE).summary == "Arrest: Burglary (dwelling)"
    audit = AuditEvent.objects.get(action="offence.recorded")
    assert (audit.actor, audit.nominal_id, audit.target_id) == (manager, world.nominal.pk, str(offence.pk))


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({}, "#id_kind_0", "Select whether this is a proven offence or an arrest"),
        ({}, "#id_category", "Select the offence category"),
        ({"category": "999999"}, "#id_category", "Select the offence category"),
        ({}, "#id_occurred_on", "Enter the date of the offence or arrest"),
        # The service's own rules, shown on the field they concern.
        ({"occurred_on": "tomorrow"}, "#id_occurred_on", "The date must be today or in the past"),
        (
            {"occurred_on": "before birth"},
            "#id_occurred_on",
            "The date must be after the person's date of birth",
        ),
    ],
)
def test_each_problem_is_linked_from_the_error_summary_and_nothing_is_saved(
    client, burglary, data, anchor, message
):
    world = build_world()
    Nominal.objects.filter(pk=world.nominal.pk).update(date_of_birth=datetime.date(2000, 5, 1))
    client.force_login(member(Role.MANAGER, team=world.own_team))
    dates = {
        "tomorrow": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "before birth": "30/04/2000",
    }
    if data.get("occurred_on") in dates:
        data = {"kind": "proven", "category": burglary.pk, "occurred_on": dates[data["occurred_on"]]}
    response = client.post(_url(world.nominal), data)
    assert response.status_code == 200
    assert _in_error_summary(response.content.decode(), anchor, message)
    assert not Offence.objects.exists()
    assert not TimelineEvent.objects.exists()
