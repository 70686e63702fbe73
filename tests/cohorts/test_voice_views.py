"""Goals and feedback in the person's own words: added and changed from the overview."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cohorts import services
from cohorts.factories import NominalFactory
from cohorts.models import Feedback, FeedbackTheme, Goal, TimelineEvent
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def _in_error_summary(html, anchor, message):
    summary = html[html.index("govuk-error-summary") :]
    return f'<a href="{anchor}">{escape(message)}</a>' in summary


def _days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def _goal(nominal, words="Get my own flat"):
    manager = member(Role.MANAGER, team=nominal.team)
    return services.add_goal(actor=manager, nominal=nominal, in_their_words=words, set_on=_days_ago(7))


def _urls(world):
    goal = _goal(world.nominal)
    return [
        reverse("cohorts:goal-create", args=[world.nominal.pk]),
        reverse("cohorts:goal-update", args=[world.nominal.pk, goal.pk]),
        reverse("cohorts:feedback-create", args=[world.nominal.pk]),
    ]


def test_the_teams_manager_gets_each_form(client):
    world = build_world()
    urls = _urls(world)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_an_allocated_worker_gets_each_form(client):
    world = build_world()
    urls = _urls(world)
    worker = member(Role.YOUNG_ADULT_SUPPORT_WORKER, team=world.own_team)
    world.nominal.support_worker = worker
    world.nominal.save()
    client.force_login(worker)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_a_team_member_not_on_the_case_team_is_refused(client):
    world = build_world()
    urls = _urls(world)
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert [client.post(url, {}).status_code for url in urls] == [403, 403, 403]


def test_another_teams_member_gets_404(client):
    world = build_world()
    urls = _urls(world)
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]


def test_the_overview_offers_the_links_only_to_those_who_may_edit(client):
    world = build_world()
    goal = _goal(world.nominal)
    links = [
        reverse("cohorts:goal-create", args=[world.nominal.pk]),
        reverse("cohorts:goal-update", args=[world.nominal.pk, goal.pk]),
        reverse("cohorts:feedback-create", args=[world.nominal.pk]),
    ]
    client.force_login(member(Role.MANAGER, team=world.own_team))
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    assert all(link in html for link in links)
    client.force_login(member(Role.PROBATION_PRACTITIONER, team=world.own_team))
    html = client.get(f"/people/{world.nominal.pk}/").content.decode()
    assert not any(link in html for link in links)


def test_adding_a_goal_saves_it_with_its_timeline_event_and_audit_row(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    response = client.post(
        reverse("cohorts:goal-create", args=[world.nominal.pk]),
        {"in_their_words": "  See my daughter every week  ", "set_on": _days_ago(0).strftime("%d/%m/%Y")},
        follow=True,
    )
    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/", 302)]
    assert "Goal added" in response.content.decode()
    goal = Goal.objects.get()
    assert (goal.in_their_words, goal.status, goal.recorded_by) == (
        "See my daughter every week",
        "active",
        manager,
    )
    assert TimelineEvent.objects.get(kind=TimelineEvent.Kind.VOICE).body == "See my daughter every week"
    audit = AuditEvent.objects.get(action="goal.added")
    assert (audit.actor, audit.nominal_id, audit.target_id) == (manager, world.nominal.pk, str(goal.pk))


def test_changing_a_goals_status_saves_it_with_its_timeline_event_and_audit_row(client):
    world = build_world()
    goal = _goal(world.nominal)
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    url = reverse("cohorts:goal-update", args=[world.nominal.pk, goal.pk])
    assert "Get my own flat" in client.get(url).content.decode()
    response = client.post(url, {"status": "achieved"})
    assert response.status_code == 302
    assert Goal.objects.get().status == "achieved"
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.VOICE, summary="Goal: achieved").exists()
    audit = AuditEvent.objects.get(action="goal.changed")
    assert (audit.actor, audit.nominal_id, audit.detail) == (
        manager,
        world.nominal.pk,
        {"status": "achieved"},
    )


def test_another_persons_goal_is_not_found(client):
    world = build_world()
    neighbour = NominalFactory.create(team=world.own_team)
    goal = _goal(neighbour)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    url = reverse("cohorts:goal-update", args=[world.nominal.pk, goal.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "dropped"}).status_code == 404
    assert Goal.objects.get().status == "active"


def test_recording_feedback_saves_it_with_its_timeline_event_and_audit_row(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    response = client.post(
        reverse("cohorts:feedback-create", args=[world.nominal.pk]),
        {
            "given_on": _days_ago(1).isoformat(),
            "what_helps": "Texts the day before",
            "what_does_not_help": "",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.what_helps, feedback.what_does_not_help, feedback.given_on) == (
        "Texts the day before",
        "",
        _days_ago(1),
    )
    assert TimelineEvent.objects.get(kind=TimelineEvent.Kind.VOICE).body == "What helps: Texts the day before"
    audit = AuditEvent.objects.get(action="feedback.recorded")
    assert (audit.actor, audit.nominal_id) == (manager, world.nominal.pk)


def test_feedback_themes_are_recorded_from_checkboxes_in_the_lists_order_and_optional(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    url = reverse("cohorts:feedback-create", args=[world.nominal.pk])
    html = client.get(url).content.decode()
    assert html.count('name="helps_themes"') == len(FeedbackTheme.values) == 10
    assert html.count('name="does_not_help_themes"') == 10
    assert "Too many appointments or conditions" in html
    response = client.post(
        url,
        {
            "given_on": _days_ago(2).isoformat(),
            "what_helps": "Someone came with me to the council",
            "helps_themes": ["housing", "worker"],
            "what_does_not_help": "Three appointments a week and a bus each way",
            "does_not_help_themes": ["travel", "demands"],
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.helps_themes == ["worker", "housing"]
    assert feedback.does_not_help_themes == ["demands", "travel"]

    client.post(url, {"given_on": _days_ago(1).isoformat(), "what_helps": "Texts the day before"})
    latest = Feedback.objects.order_by("id").last()
    assert latest is not None
    assert latest.helps_themes == []


def test_a_theme_not_on_the_list_is_refused_by_the_form_and_the_service(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    response = client.post(
        reverse("cohorts:feedback-create", args=[world.nominal.pk]),
        {"given_on": _days_ago(1).isoformat(), "what_helps": "Texts", "helps_themes": ["weather"]},
    )
    assert response.status_code == 200
    assert _in_error_summary(response.content.decode(), "#id_helps_themes_0", "Select themes from the list")
    with pytest.raises(ValidationError) as raised:
        services.record_feedback(
            actor=manager,
            nominal=world.nominal,
            given_on=_days_ago(1),
            what_does_not_help="Letters",
            does_not_help_themes=["housing", "weather"],
        )
    assert raised.value.message_dict == {"does_not_help_themes": ["Select themes from the list"]}
    assert not Feedback.objects.exists()


TOMORROW = "tomorrow"


@pytest.mark.parametrize(
    ("url_name", "data", "anchor", "message"),
    [
        ("goal-create", {}, "#id_in_their_words", "Enter the goal as the person put it"),
        (
            "goal-create",
            {"in_their_words": "   "},
            "#id_in_their_words",
            "Enter the goal as the person put it",
        ),
        ("goal-create", {}, "#id_set_on", "Enter the date set"),
        ("goal-create", {"set_on": TOMORROW}, "#id_set_on", "The date set must be today or in the past"),
        ("goal-update", {}, "#id_status_0", "Select what has happened to the goal"),
        ("goal-update", {"status": "paused"}, "#id_status_0", "Select what has happened to the goal"),
        ("feedback-create", {}, "#id_given_on", "Enter the date given"),
        # The service's own rules: "say something" is linked to the first box.
        (
            "feedback-create",
            {"given_on": "today", "what_helps": " ", "what_does_not_help": ""},
            "#id_what_helps",
            "Enter what helps, what does not help, or both",
        ),
        (
            "feedback-create",
            {"given_on": TOMORROW, "what_helps": "Meeting in town"},
            "#id_given_on",
            "The date must be today or in the past",
        ),
    ],
)
def test_each_problem_is_linked_from_the_error_summary_and_nothing_is_saved(
    client, url_name, data, anchor, message
):
    world = build_world()
    goal = _goal(world.nominal)
    client.force_login(member(Role.MANAGER, team=world.own_team))
    dates = {TOMORROW: timezone.localdate() + datetime.timedelta(days=1), "today": timezone.localdate()}
    data = {key: dates[value].isoformat() if value in dates else value for key, value in data.items()}
    args = [world.nominal.pk, goal.pk] if url_name == "goal-update" else [world.nominal.pk]
    response = client.post(reverse(f"cohorts:{url_name}", args=args), data)
    assert response.status_code == 200
    assert _in_error_summary(response.content.decode(), anchor, message)
    assert Goal.objects.get() == goal
    assert Goal.objects.get().status == "active"
    assert not Feedback.objects.exists()
    assert TimelineEvent.objects.count() == 1  # the goal made for the test
