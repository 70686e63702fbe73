import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cohorts import services
from cohorts.models import Need, NeedUpdate, Pathway, TimelineEvent
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def _url(nominal, pathway="accommodation"):
    return reverse("cohorts:need-update", args=[nominal.pk, pathway])


def _in_error_summary(html, anchor, message):
    summary = html[html.index("govuk-error-summary") :]
    return f'<a href="{anchor}">{escape(message)}</a>' in summary


def _days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def test_the_teams_manager_gets_the_form(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get(_url(world.nominal, "ete"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Update need: Education, training and employment" in html
    assert "No updates recorded for this pathway yet." in html


def test_an_allocated_worker_gets_the_form(client):
    world = build_world()
    worker = member(Role.SUPPORT_WORKER, team=world.own_team)
    world.nominal.support_worker = worker
    world.nominal.save()
    client.force_login(worker)
    assert client.get(_url(world.nominal)).status_code == 200


def test_a_team_member_not_on_the_case_team_is_refused(client):
    world = build_world()
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    assert client.get(_url(world.nominal)).status_code == 403
    data = {"status": "met", "updated_on": _days_ago(0).isoformat()}
    assert client.post(_url(world.nominal), data).status_code == 403
    assert not Need.objects.exists()


def test_another_teams_member_gets_404(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(_url(world.nominal)).status_code == 404


def test_an_unknown_pathway_is_not_found(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert client.get(_url(world.nominal, "hobbies")).status_code == 404


def test_the_needs_tab_links_each_pathway_only_for_those_who_may_edit(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    html = client.get(f"/people/{world.nominal.pk}/needs/").content.decode()
    assert all(_url(world.nominal, pathway) in html for pathway in Pathway.values)
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert _url(world.nominal) not in client.get(f"/people/{world.nominal.pk}/needs/").content.decode()


def test_an_update_saves_the_need_its_history_timeline_event_and_audit_row(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    response = client.post(
        _url(world.nominal),
        {
            "status": "unmet",
            "unmet_reason": "waiting_list",
            "updated_on": _days_ago(1).strftime("%d/%m/%Y"),
            "note": "On the council list",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/needs/", 302)]
    assert "Accommodation need updated" in response.content.decode()
    need = Need.objects.get()
    assert (need.pathway, need.status, need.unmet_reason, need.updated_on) == (
        "accommodation",
        "unmet",
        "waiting_list",
        _days_ago(1),
    )
    update = NeedUpdate.objects.get()
    assert (update.note, update.updated_by) == ("On the council list", manager)
    assert TimelineEvent.objects.get(kind=TimelineEvent.Kind.NEED).summary == (
        "Accommodation: unmet (on a waiting list)"
    )
    audit = AuditEvent.objects.get(action="need.updated")
    assert (audit.actor, audit.nominal_id, audit.detail) == (
        manager,
        world.nominal.pk,
        {"pathway": "accommodation", "status": "unmet"},
    )


def test_a_reason_is_dropped_when_the_need_is_not_unmet(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    data = {"status": "met", "unmet_reason": "declined", "updated_on": _days_ago(0).isoformat()}
    assert client.post(_url(world.nominal), data).status_code == 302
    assert Need.objects.get().unmet_reason == ""


def test_the_form_shows_the_pathways_history_newest_first(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    for days, status, note in (
        (10, "identified", "Sofa surfing"),
        (2, "being_addressed", "Referred to Shelter"),
    ):
        services.update_need(
            actor=manager,
            nominal=world.nominal,
            pathway="accommodation",
            status=status,
            updated_on=_days_ago(days),
            note=note,
        )
    services.update_need(
        actor=manager,
        nominal=world.nominal,
        pathway="finance",
        status="met",
        updated_on=_days_ago(1),
        note="Debt",
    )
    client.force_login(manager)
    response = client.get(_url(world.nominal))
    html = response.content.decode()
    assert html.index("Referred to Shelter") < html.index("Sofa surfing")
    assert ">Debt<" not in html
    # The form starts from the need as it is now.
    assert 'value="being_addressed" checked' in html
    event = AuditEvent.objects.get(action="nominal.viewed")
    assert event.detail == {"page": "need-update"}


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({}, "#id_status_0", "Select the status of the need"),
        ({}, "#id_updated_on", "Enter the date of the update"),
        ({"status": "unmet"}, "#id_unmet_reason_0", "Select why the need is unmet"),
        ({"status": "closed"}, "#id_status_0", "Select the status of the need"),
        (
            {"updated_on": "yesterday"},
            "#id_updated_on",
            "Date of the update must be a real date, like 17/11/2026",
        ),
        # The service's own rule, shown on the field it concerns.
        (
            {"status": "met", "updated_on": "tomorrow"},
            "#id_updated_on",
            "The date must be today or in the past",
        ),
    ],
)
def test_each_problem_is_linked_from_the_error_summary_and_nothing_is_saved(client, data, anchor, message):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    if data.get("updated_on") == "tomorrow":
        data = {**data, "updated_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}
    response = client.post(_url(world.nominal), data)
    assert response.status_code == 200
    assert _in_error_summary(response.content.decode(), anchor, message)
    assert not Need.objects.exists()
    assert not NeedUpdate.objects.exists()


def test_the_query_count_of_the_needs_tab_does_not_grow_with_updates(client, django_assert_num_queries):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    pathways = Pathway.values
    for days in range(30):
        services.update_need(
            actor=manager,
            nominal=world.nominal,
            pathway=pathways[days % len(pathways)],
            status="identified",
            updated_on=_days_ago(days),
        )
    client.force_login(manager)
    # session, user, memberships, nominal with team and case team, audit insert,
    # needs, their updates, the workers who made them
    with django_assert_num_queries(8):
        response = client.get(f"/people/{world.nominal.pk}/needs/")
    assert sum(1 for _, _, need in response.context["pathways"] if need) == 7
    # The update form for one pathway reads the same: session, user, memberships, nominal,
    # audit insert, needs, updates, workers
    with django_assert_num_queries(8):
        response = client.get(_url(world.nominal))
    assert len(response.context["history"]) == 5
