"""Recording the case team's enforcement decision from the Supervision tab."""

import datetime as dt

import pytest
from django.utils import timezone

from cohorts.models import Nominal
from iom.core.models import AuditEvent, Role, User
from supervision.factories import ContactFactory
from supervision.models import EnforcementAction, Outcome
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(nominal: Nominal) -> str:
    return f"/people/{nominal.pk}/supervision/enforcement/"


def case_worker(world, **fields) -> User:
    worker = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, **fields)
    world.nominal.police_offender_manager = worker
    world.nominal.save()
    return worker


def absence(nominal: Nominal, days_ago: int) -> None:
    ContactFactory.create(
        nominal=nominal, date=TODAY - dt.timedelta(days=days_ago), outcome=Outcome.UNACCEPTABLE_ABSENCE
    )


def test_the_form_shows_the_absences_and_defaults_to_today(client):
    world = build_world()
    absence(world.nominal, 20)
    absence(world.nominal, 2)
    client.force_login(case_worker(world))

    response = client.get(url(world.nominal))

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 unacceptable absences in the last 365 days (threshold 2):" in html
    for days in (20, 2):
        assert f"<li>{TODAY - dt.timedelta(days=days):%-d %b %Y}</li>" in html
    assert f'value="{TODAY:%d/%m/%Y}"' in html
    for kind in EnforcementAction.Kind:
        assert kind.label in html
    assert AuditEvent.objects.get(action="nominal.viewed").detail == {"page": "record-enforcement"}


def test_recording_a_decision_answers_the_prompt(client):
    world = build_world()
    absence(world.nominal, 20)
    absence(world.nominal, 2)
    worker = case_worker(world)
    client.force_login(worker)
    assert (
        "Enforcement threshold reached"
        in client.get(f"/people/{world.nominal.pk}/supervision/").content.decode()
    )

    response = client.post(
        url(world.nominal),
        {"kind": "final_warning", "decided_on": TODAY.strftime("%d/%m/%Y"), "reason": "Second missed visit"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/people/{world.nominal.pk}/supervision/", 302)]
    html = response.content.decode()
    assert "Enforcement decision recorded: final warning" in html
    assert "Enforcement threshold reached" not in html
    assert "The case team should decide" not in html
    action = EnforcementAction.objects.get()
    assert (action.kind, action.decided_on, action.reason, action.recorded_by) == (
        "final_warning",
        TODAY,
        "Second missed visit",
        worker,
    )
    assert AuditEvent.objects.filter(action="enforcement.recorded", actor=worker).count() == 1


def test_the_form_says_what_is_missing(client):
    world = build_world()
    client.force_login(case_worker(world))

    response = client.post(url(world.nominal), {"decided_on": "", "reason": ""})

    html = response.content.decode()
    assert response.status_code == 200
    for anchor, message in [
        ("#id_kind_0", "Select what the case team decided"),
        ("#id_decided_on", "Enter the date of the decision"),
        ("#id_reason", "Enter the reason for this decision"),
    ]:
        assert f'<a href="{anchor}">{message}</a>' in html
    assert not EnforcementAction.objects.exists()


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("31/02/2026", "Date of the decision must be a real date, like 17/11/2026"),
        (
            (TODAY + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
            "The date of the decision must be today or in the past",
        ),
        (
            (TODAY - dt.timedelta(days=400)).strftime("%d/%m/%Y"),
            "The date of the decision must be within the last year",
        ),
    ],
)
def test_a_bad_date_is_explained(client, entered, message):
    world = build_world()
    client.force_login(case_worker(world))
    response = client.post(
        url(world.nominal), {"kind": "first_warning", "decided_on": entered, "reason": "x"}
    )
    assert f'<a href="#id_decided_on">{message}</a>' in response.content.decode()
    assert not EnforcementAction.objects.exists()


def test_a_support_worker_not_on_the_case_team_gets_403(client):
    world = build_world()
    client.force_login(member(Role.SUPPORT_WORKER, team=world.own_team))
    assert client.get(url(world.nominal)).status_code == 403
    response = client.post(
        url(world.nominal), {"kind": "first_warning", "decided_on": TODAY.strftime("%d/%m/%Y"), "reason": "x"}
    )
    assert response.status_code == 403
    assert not EnforcementAction.objects.exists()


def test_another_teams_person_is_not_found(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.other_team))
    assert client.get(url(world.nominal)).status_code == 404
    response = client.post(
        url(world.nominal), {"kind": "first_warning", "decided_on": TODAY.strftime("%d/%m/%Y"), "reason": "x"}
    )
    assert response.status_code == 404
    assert not EnforcementAction.objects.exists()
