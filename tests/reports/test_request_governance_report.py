import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iom.core.models import AuditEvent, Role
from reports.models import ReportRun
from reports.services import request_governance_report
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db
OCTOBER = {"period_start": datetime.date(2026, 10, 1), "period_end": datetime.date(2026, 10, 31)}


def test_a_regional_lead_requests_a_report_which_is_queued_after_commit(
    django_capture_on_commit_callbacks, mocker
):
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    delay = mocker.patch("reports.services.render_governance_report_task.delay")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = request_governance_report(actor=lead, region=world.region, **OCTOBER)
        delay.assert_not_called()  # never before the run is committed
    assert (run.status, run.requested_by, run.region) == ("queued", lead, world.region)
    assert len(callbacks) == 1
    callbacks[0]()
    delay.assert_called_once_with(run.pk)
    assert AuditEvent.objects.get(action="report.requested").actor == lead


def test_another_region_is_refused():
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    with pytest.raises(PermissionDenied):
        request_governance_report(actor=lead, region=world.other_region, **OCTOBER)
    assert not ReportRun.objects.exists()


def test_a_period_that_ends_before_it_starts_is_refused():
    world = build_world()
    lead = member(Role.NATIONAL)
    with pytest.raises(ValidationError, match="end after it starts"):
        request_governance_report(
            actor=lead,
            region=world.region,
            period_start=datetime.date(2026, 10, 31),
            period_end=datetime.date(2026, 10, 1),
        )
    assert not ReportRun.objects.exists()
