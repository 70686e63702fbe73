"""services.build_report: claim, build, store, finish; safe to call twice, and after a worker dies."""

import datetime
import hashlib
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.db import OperationalError
from django.utils import timezone

from iom.core.models import AuditEvent
from reports.factories import ReportRunFactory
from reports.models import ReportRun
from reports.pack.build import BuiltPack
from reports.services import LEASE, MAX_ATTEMPTS, build_report
from tests.actors import build_world
from tests.reports.conftest import FAKE_PDF, FAKE_ZIP

pytestmark = pytest.mark.django_db


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in (folder / "reports").iterdir())


def test_it_builds_stores_and_records_both_files(fake_pack, media_root):
    world = build_world()
    run = ReportRunFactory.create(region=world.region)
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.progress, run.progress_note, run.attempts) == ("succeeded", 100, "Ready", 1)
    # Mid-build, the page could read the step the pack was at.
    assert fake_pack.seen == [(40, "Counting cohorts for City IOM", "running")]
    assert (run.file.name, run.csv_file.name) == (
        f"reports/report-run-{run.pk}.pdf",
        f"reports/report-run-{run.pk}-tables.zip",
    )
    assert (media_root / run.file.name).read_bytes() == FAKE_PDF
    assert (media_root / run.csv_file.name).read_bytes() == FAKE_ZIP
    assert (run.file_size, run.csv_size, run.page_count) == (len(FAKE_PDF), len(FAKE_ZIP), 3)
    assert run.file_sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
    assert run.csv_sha256 == hashlib.sha256(FAKE_ZIP).hexdigest()
    assert run.duration_ms is not None
    assert run.lease_expires_at is None
    assert files_in(media_root) == [f"report-run-{run.pk}-tables.zip", f"report-run-{run.pk}.pdf"]
    event = AuditEvent.objects.get(action="report.generated")
    assert event.detail["requested_by"] == run.requested_by_id
    assert (event.detail["pdf_bytes"], event.detail["csv_bytes"], event.detail["page_count"]) == (
        len(FAKE_PDF),
        len(FAKE_ZIP),
        3,
    )


def test_running_twice_builds_once(fake_pack, media_root):
    run = ReportRunFactory.create()
    build_report(report_run_id=run.pk)
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.attempts == 1
    assert fake_pack.call_count == 1
    assert AuditEvent.objects.filter(action="report.generated").count() == 1
    assert len(files_in(media_root)) == 2


def test_a_run_held_under_a_live_lease_is_left_alone(fake_pack):
    run = ReportRunFactory.create(
        status=ReportRun.Status.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)
    fake_pack.assert_not_called()


def test_a_failed_run_is_left_alone(fake_pack):
    run = ReportRunFactory.create(status=ReportRun.Status.FAILED, attempts=1, failure_reason="It broke.")
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.failure_reason) == ("failed", "It broke.")
    fake_pack.assert_not_called()


def test_a_run_whose_worker_died_is_taken_over_and_its_files_replaced_not_added(fake_pack, media_root):
    run = ReportRunFactory.create(
        status=ReportRun.Status.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    # The dead worker had moved a PDF into place, and left a temporary file half written.
    (media_root / "reports").mkdir()
    (media_root / "reports" / f"report-run-{run.pk}.pdf").write_bytes(b"%PDF from the first attempt")
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 2)
    assert (media_root / run.file.name).read_bytes() == FAKE_PDF
    assert files_in(media_root) == [f"report-run-{run.pk}-tables.zip", f"report-run-{run.pk}.pdf"]
    assert AuditEvent.objects.filter(action="report.generated").count() == 1


def test_a_run_out_of_attempts_is_marked_failed_with_a_reason(fake_pack):
    run = ReportRunFactory.create(
        status=ReportRun.Status.RUNNING, attempts=MAX_ATTEMPTS, lease_expires_at=timezone.now() - LEASE
    )
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.failure_reason == (
        "The report could not be built after 3 attempts: the worker building it stopped each time. "
        "Try again later; if it fails again, tell the service desk."
    )
    assert AuditEvent.objects.filter(action="report.failed").count() == 1
    fake_pack.assert_not_called()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            OSError(28, "No space left on device"),
            "The report's files could not be saved (No space left on device). Try again later.",
        ),
        (ValueError("the region has no teams"), "The report could not be built: the region has no teams"),
        (
            KeyError("cohort"),
            "The report could not be built because of a fault in the service. Try again; if it fails again, "
            "tell the service desk and quote report run {pk}.",
        ),
    ],
)
def test_an_error_in_the_build_fails_the_run_and_says_why(mocker, media_root, error, reason):
    run = ReportRunFactory.create()
    mocker.patch("reports.pack.build.build_pack", side_effect=error)
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.failure_reason == reason.format(pk=run.pk)
    assert (run.file.name, run.csv_file.name, run.lease_expires_at) == ("", "", None)
    assert AuditEvent.objects.get(action="report.failed").detail == {"reason": run.failure_reason}


def test_a_database_outage_hands_the_run_back_for_the_tasks_retry(mocker, media_root):
    run = ReportRunFactory.create()
    mocker.patch(
        "reports.pack.build.build_pack", side_effect=OperationalError("server closed the connection")
    )
    with pytest.raises(OperationalError):
        build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)
    assert run.lease_expires_at is not None
    assert run.lease_expires_at < timezone.now()  # expired: the retry may claim it at once
    mocker.stopall()
    mocker.patch(
        "reports.pack.build.build_pack", return_value=BuiltPack(pdf=FAKE_PDF, csv_zip=FAKE_ZIP, page_count=1)
    )
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("succeeded", 2)


def test_a_worker_that_lost_its_lease_does_not_record_the_outcome(mocker, media_root):
    """While one worker builds, its lease expires and another takes the run over: the first one's
    finish changes nothing, so the run has one success record, the second worker's."""
    run = ReportRunFactory.create()

    def taken_over_mid_build(built_run, *, progress):
        ReportRun.objects.filter(pk=built_run.pk).update(attempts=2)  # the second worker's claim
        return BuiltPack(pdf=FAKE_PDF, csv_zip=FAKE_ZIP, page_count=1)

    mocker.patch("reports.pack.build.build_pack", side_effect=taken_over_mid_build)
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 2)
    assert not AuditEvent.objects.filter(action="report.generated").exists()


def pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to read the PDF")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_real_pack_builds_a_team_pack_with_its_pdf_and_tables(media_root):
    world = build_world()
    run = ReportRunFactory.create(kind="team_pack", region=world.region, team=world.own_team)
    build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.failure_reason) == ("succeeded", "")
    pdf = media_root / run.file.name
    assert pdf.read_bytes().startswith(b"%PDF")
    assert run.page_count is not None
    assert run.page_count >= 1
    assert run.file_size == pdf.stat().st_size
    assert "City IOM" in pdf_text(pdf)
    with zipfile.ZipFile(BytesIO((media_root / run.csv_file.name).read_bytes())) as bundle:
        names = bundle.namelist()
    assert "README.txt" in names
    assert any(name.endswith(".csv") for name in names)
    assert AuditEvent.objects.get(action="report.generated").detail["page_count"] == run.page_count
