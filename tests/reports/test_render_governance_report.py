import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from cohorts.factories import NominalFactory
from iom.core.models import AuditEvent
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.services import LEASE, MAX_ATTEMPTS, render_governance_report
from supervision.factories import ContactFactory
from tests.actors import build_world

pytestmark = pytest.mark.django_db


def october_region_with_activity():
    world = build_world()
    NominalFactory.create_batch(6, team=world.own_team)
    for day in range(1, 8):
        ContactFactory.create(nominal=world.nominal, date=datetime.date(2026, 10, day))
    ContactFactory.create(nominal=world.nominal, date=datetime.date(2026, 9, 30))  # outside the period
    return world


def pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to read the PDF")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_it_builds_a_one_page_pdf_with_the_regions_figures():
    world = october_region_with_activity()
    run = ReportRunFactory.create(region=world.region)
    render_governance_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts) == ("succeeded", 100, 1)
    path = Path(settings.MEDIA_ROOT) / str(run.file.name)
    assert path.read_bytes().startswith(b"%PDF")
    assert run.file_size == path.stat().st_size
    text = pdf_text(path)
    assert "IOM governance report: Northshire" in text
    assert "Period 1 October 2026 to 31 October 2026" in text
    assert "Page 1 of 1" in text
    # City IOM: 7 people, 7 contacts in October; County IOM: 1 person (shown <5), 0 contacts.
    rows = {
        line.split()[0]: line.split()[-2:]
        for line in text.splitlines()
        if line.strip().startswith(("City", "County", "Region"))
    }
    assert rows == {"City": ["7", "7"], "County": ["<5", "0"], "Region": ["8", "7"]}
    assert AuditEvent.objects.get(action="report.generated").detail["requested_by"] == run.requested_by_id


def test_running_twice_builds_once():
    world = october_region_with_activity()
    run = ReportRunFactory.create(region=world.region)
    render_governance_report(report_run_id=run.pk)
    render_governance_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.attempts == 1
    assert AuditEvent.objects.filter(action="report.generated").count() == 1
    assert len(list((Path(settings.MEDIA_ROOT) / "reports").iterdir())) == 1


def test_a_run_held_under_a_live_lease_is_left_alone():
    run = ReportRunFactory.create(
        status=ReportRun.Status.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    render_governance_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)


def test_a_run_whose_worker_died_is_taken_over_when_the_lease_expires():
    world = october_region_with_activity()
    run = ReportRunFactory.create(
        region=world.region,
        status=ReportRun.Status.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    render_governance_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 2)


def test_a_run_out_of_attempts_is_marked_failed_with_a_reason():
    run = ReportRunFactory.create(
        status=ReportRun.Status.RUNNING, attempts=MAX_ATTEMPTS, lease_expires_at=timezone.now() - LEASE
    )
    render_governance_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert f"after {MAX_ATTEMPTS} attempts" in run.failure_reason
    assert AuditEvent.objects.filter(action="report.failed").count() == 1


def test_a_rendering_error_fails_the_run_and_says_why(mocker):
    run = ReportRunFactory.create()
    mocker.patch("reports.services._render_pdf", side_effect=OSError("disk full"))
    render_governance_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.failure_reason == "The report could not be built: disk full"
    assert not run.file
