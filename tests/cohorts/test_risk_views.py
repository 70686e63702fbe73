import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cohorts import services
from cohorts.models import Assessment, TimelineEvent
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def _url(nominal):
    return reverse("cohorts:assessment-create", args=[nominal.pk])


def _in_error_summary(html, anchor, message):
    summary = html[html.index("govuk-error-summary") :]
    return f'<a href="{anchor}">{escape(message)}</a>' in summary


def _days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def test_the_teams_manager_gets_the_form(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get(_url(world.nominal))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Record an assessment" in html
    assert '<optgroup label="Risk of serious harm (RoSH)">' in html
    assert '<option value="mappa:C2 L3">Category 2, level 3 (C2 L3)</option>' in html


def test_an_allocated_worker_gets_the_form(client):
    world = build_world()
    worker = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    world.nominal.probation_practitioner = worker
    world.nominal.save()
    client.force_login(worker)
    assert client.get(_url(world.nominal)).status_code == 200


def test_a_team_member_not_on_the_case_team_is_refused(client):
    world = build_world()
    client.force_login(member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team))
    assert client.get(_url(world.nominal)).status_code == 403
    assert client.post(_url(world.nominal), {"kind": "rosh"}).status_code == 403
    assert not Assessment.objects.exists()


def test_another_teams_member_gets_404_and_the_attempt_is_audited(client):
    world = build_world()
    user = member(Role.MANAGER, team=world.other_team)
    client.force_login(user)
    assert client.get(_url(world.nominal)).status_code == 404
    assert AuditEvent.objects.filter(
        action="nominal.access_denied", actor=user, nominal_id=world.nominal.pk
    ).exists()


def test_the_risk_tab_offers_the_form_only_to_those_who_may_edit(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    assert _url(world.nominal) in client.get(f"/people/{world.nominal.pk}/risk/").content.decode()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert _url(world.nominal) not in client.get(f"/people/{world.nominal.pk}/risk/").content.decode()


def test_recording_a_level_saves_it_with_its_timeline_event_and_audit_row(client):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    client.force_login(manager)
    response = client.post(
        _url(world.nominal),
        {
            "kind": "rosh",
            "level": "rosh:high",
            "score": "",
            "assessed_on": _days_ago(2).strftime("%d/%m/%Y"),
            "notes": "Risk to a known adult",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/risk/", 302)]
    assert "Risk of serious harm (RoSH) recorded" in response.content.decode()
    assessment = Assessment.objects.get()
    assert (assessment.kind, assessment.level, assessment.score, assessment.assessed_by) == (
        "rosh",
        "high",
        None,
        manager,
    )
    assert assessment.assessed_on == _days_ago(2)
    event = TimelineEvent.objects.get(kind=TimelineEvent.Kind.ASSESSMENT)
    assert event.summary == "Risk of serious harm (RoSH): High"
    audit = AuditEvent.objects.get(action="assessment.recorded")
    assert (audit.actor, audit.nominal_id, audit.target_id) == (manager, world.nominal.pk, str(assessment.pk))


def test_recording_a_score_ignores_any_level_chosen(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.post(
        _url(world.nominal),
        {"kind": "ogrs", "level": "rosh:low", "score": "67", "assessed_on": _days_ago(0).isoformat()},
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.kind, assessment.level, assessment.score) == ("ogrs", "", 67)


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({}, "#id_kind_0", "Select the kind of assessment"),
        ({}, "#id_assessed_on", "Enter the date of the assessment"),
        ({"kind": "rosh"}, "#id_level", "Select the RoSH level"),
        (
            {"kind": "tier", "level": "mappa:C1 L1"},
            "#id_level",
            "Select the tier: the level chosen is for another kind of assessment",
        ),
        ({"kind": "ogp"}, "#id_score", "Enter the score as a whole percentage from 0 to 100"),
        ({"kind": "ogp", "score": "101"}, "#id_score", "Enter the score as a whole percentage from 0 to 100"),
        (
            {"kind": "ogp", "score": "high"},
            "#id_score",
            "Enter the score as a whole percentage from 0 to 100",
        ),
        (
            {"kind": "ogp", "score": "40", "assessed_on": "31/02/2026"},
            "#id_assessed_on",
            "Date of the assessment must be a real date, like 17/11/2026",
        ),
        # The service's own rule, shown on the field it concerns.
        (
            {"kind": "ogp", "score": "40", "assessed_on": "tomorrow"},
            "#id_assessed_on",
            "The assessment date must be today or in the past",
        ),
    ],
)
def test_each_problem_is_linked_from_the_error_summary_and_nothing_is_saved(client, data, anchor, message):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    if data.get("assessed_on") == "tomorrow":
        data = {**data, "assessed_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}
    response = client.post(_url(world.nominal), data)
    assert response.status_code == 200
    assert _in_error_summary(response.content.decode(), anchor, message)
    assert not Assessment.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_the_query_count_of_the_risk_tab_does_not_grow_with_assessments(client, django_assert_num_queries):
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    kinds = ["rosh", "tier", "ogrs"]
    for days in range(30):
        kind = kinds[days % 3]
        services.record_assessment(
            actor=manager,
            nominal=world.nominal,
            kind=kind,
            assessed_on=_days_ago(days),
            level={"rosh": "medium", "tier": "B", "ogrs": ""}[kind],
            score=50 if kind == "ogrs" else None,
        )
    client.force_login(manager)
    # session, user, memberships, nominal with team and case team, audit insert,
    # latest of each kind with assessors, every assessment with assessors
    with django_assert_num_queries(7):
        response = client.get(f"/people/{world.nominal.pk}/risk/")
    assert len(response.context["assessments"]) == 30
    assert len(response.context["latest"]) == 3
