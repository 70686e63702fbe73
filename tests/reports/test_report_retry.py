"""services.retry_report: a failed run, by someone who may see it, queued again with its attempts reset."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iom.core.models import AuditEvent, Role
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.services import retry_report
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db


def failed_run(world, **fields):
    return ReportRunFactory.create(
        region=world.region,
        status=ReportRun.Status.FAILED,
        attempts=3,
        progress=40,
        failure_reason="It broke.",
        **fields,
    )


def test_a_failed_run_is_queued_again_with_its_attempts_reset(django_capture_on_commit_callbacks, mocker):
    world = build_world()
    run = failed_run(world)
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    delay = mocker.patch("reports.services.build_report_task.delay")
    with django_capture_on_commit_callbacks(execute=True):
        retried = retry_report(actor=lead, run=run)
    assert (retried.status, retried.attempts, retried.progress, retried.failure_reason) == (
        "queued",
        0,
        0,
        "",
    )
    delay.assert_called_once_with(run.pk)
    event = AuditEvent.objects.get(action="report.retried")
    assert (event.actor, event.target_id, event.detail) == (
        lead,
        str(run.pk),
        {"failure_reason": "It broke."},
    )


@pytest.mark.parametrize("status", ["queued", "running", "succeeded"])
def test_only_a_failed_run_is_tried_again(status, mocker):
    world = build_world()
    run = ReportRunFactory.create(region=world.region, status=status, attempts=1)
    delay = mocker.patch("reports.services.build_report_task.delay")
    with pytest.raises(ValidationError, match="Only a report that failed can be tried again"):
        retry_report(actor=member(Role.NATIONAL), run=run)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (status, 1)
    assert not AuditEvent.objects.filter(action="report.retried").exists()
    delay.assert_not_called()


def test_someone_who_may_not_see_the_run_may_not_retry_it():
    world = build_world()
    run = failed_run(world)
    for outsider in (
        member(Role.REGIONAL_LEAD, region=world.other_region),
        member(Role.MANAGER, team=world.own_team),  # a regional pack is not a manager's
    ):
        with pytest.raises(PermissionDenied):
            retry_report(actor=outsider, run=run)
    run.refresh_from_db()
    assert run.status == "failed"


def test_a_manager_retries_their_teams_pack():
    world = build_world()
    run = failed_run(world, kind="team_pack", team=world.own_team)
    assert retry_report(actor=member(Role.MANAGER, team=world.own_team), run=run).status == "queued"
