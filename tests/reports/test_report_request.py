"""services.request_report: who may ask for which pack, what a request must say, and what it leaves."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from iom.core.factories import TeamFactory
from iom.core.models import AuditEvent, Role
from reports.models import ReportRun
from reports.services import request_report
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db
OCTOBER: dict[str, Any] = {
    "period_start": datetime.date(2026, 10, 1),
    "period_end": datetime.date(2026, 10, 31),
}


def test_a_regional_lead_asks_for_their_regions_pack_which_is_built_after_commit(
    django_capture_on_commit_callbacks, mocker
):
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    delay = mocker.patch("reports.services.build_report_task.delay")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = request_report(actor=lead, kind="regional_pack", region=world.region, **OCTOBER)
        delay.assert_not_called()  # never before the run is committed
    assert (run.kind, run.status, run.requested_by, run.region, run.team) == (
        "regional_pack",
        "queued",
        lead,
        world.region,
        None,
    )
    assert len(callbacks) == 1
    callbacks[0]()
    delay.assert_called_once_with(run.pk)
    event = AuditEvent.objects.get(action="report.requested")
    assert (event.actor, event.target_id) == (lead, str(run.pk))
    assert event.detail == {
        "kind": "regional_pack",
        "region_id": world.region.pk,
        "team_id": None,
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
    }


def test_a_manager_asks_for_their_teams_pack_which_records_the_teams_region():
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    run = request_report(actor=manager, kind="team_pack", team=world.own_team, **OCTOBER)
    assert (run.kind, run.team, run.region) == ("team_pack", world.own_team, world.region)


def test_a_regional_lead_may_ask_for_any_team_of_their_region():
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    run = request_report(actor=lead, kind="team_pack", team=world.other_team, **OCTOBER)
    assert run.team == world.other_team


def test_a_national_user_asks_for_the_national_summary():
    member_national = member(Role.NATIONAL)
    run = request_report(actor=member_national, kind="national_summary", **OCTOBER)
    assert (run.kind, run.region, run.team, run.scope_name) == (
        "national_summary",
        None,
        None,
        "England and Wales",
    )


@pytest.mark.parametrize(
    ("who", "ask", "message"),
    [
        (
            "lead",
            {"kind": "regional_pack", "region": "other_region"},
            "You may not request packs for this region.",
        ),
        (
            "manager",
            {"kind": "regional_pack", "region": "region"},
            "You may not request packs for this region.",
        ),
        ("manager", {"kind": "team_pack", "team": "other_team"}, "You may not request packs for this team."),
        ("lead", {"kind": "team_pack", "team": "far_team"}, "You may not request packs for this team."),
        ("lead", {"kind": "national_summary"}, "Only national users may request the national summary."),
        ("manager", {"kind": "national_summary"}, "Only national users may request the national summary."),
    ],
)
def test_a_pack_out_of_the_users_scope_is_refused(who, ask, message):
    world = build_world()
    far_team = TeamFactory.create(name="Coast IOM", region=world.other_region)
    places = {
        "region": world.region,
        "other_region": world.other_region,
        "other_team": world.other_team,
        "far_team": far_team,
    }
    actor = {
        "lead": member(Role.REGIONAL_LEAD, region=world.region),
        "manager": member(Role.MANAGER, team=world.own_team),
    }[who]
    scope: dict[str, Any] = {name: places[value] for name, value in ask.items() if name != "kind"}
    with pytest.raises(PermissionDenied, match=message):
        request_report(actor=actor, kind=ask["kind"], **scope, **OCTOBER)
    assert not ReportRun.objects.exists()
    assert not AuditEvent.objects.filter(action="report.requested").exists()


@pytest.mark.parametrize(
    ("kind", "scope", "field", "message"),
    [
        ("regional_pack", {}, "region", "Select the region the pack is for"),
        (
            "regional_pack",
            {"region": "region", "team": "own_team"},
            "team",
            "A regional pack covers every team of the region: leave out the team",
        ),
        ("team_pack", {}, "team", "Select the team the pack is for"),
        (
            "team_pack",
            {"region": "other_region", "team": "own_team"},
            "team",
            "City IOM is not in Southshire",
        ),
        (
            "national_summary",
            {"region": "region"},
            "kind",
            "The national summary covers every region: leave out the region and team",
        ),
        ("annual_report", {}, "kind", "Select the kind of report"),
    ],
)
def test_the_scope_must_fit_the_kind(kind, scope, field, message):
    world = build_world()
    national = member(Role.NATIONAL)
    places: dict[str, Any] = {
        "region": world.region,
        "other_region": world.other_region,
        "own_team": world.own_team,
    }
    with pytest.raises(ValidationError) as refused:
        request_report(actor=national, kind=kind, **{k: places[v] for k, v in scope.items()}, **OCTOBER)
    assert refused.value.message_dict == {field: [message]}
    assert not ReportRun.objects.exists()


def test_a_period_must_be_in_order_and_not_in_the_future():
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    today = timezone.localdate()
    cases = [
        (
            (datetime.date(2026, 10, 31), datetime.date(2026, 10, 1)),
            "The period must end on or after the day it starts",
        ),
        (
            (today + datetime.timedelta(days=1), today + datetime.timedelta(days=30)),
            "The period must not start in the future",
        ),
        ((today.replace(day=1), today + datetime.timedelta(days=1)), "The period must not end after today"),
    ]
    for (start, end), message in cases:
        with pytest.raises(ValidationError) as refused:
            request_report(
                actor=lead, kind="regional_pack", region=world.region, period_start=start, period_end=end
            )
        assert refused.value.message_dict == {"period": [message]}
    assert not ReportRun.objects.exists()
    # This month up to today is a period that may be asked for.
    run = request_report(
        actor=lead,
        kind="regional_pack",
        region=world.region,
        period_start=today.replace(day=1),
        period_end=today,
    )
    assert run.period_end == today
