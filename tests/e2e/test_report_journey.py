"""A regional lead requests a governance pack, watches it build, and downloads it, in a real browser.

Elsewhere (tests/e2e/test_thin_journey.py) Celery runs eagerly, so a pack is built before the page
that shows it; here the build is held back and run by the test itself, a step at a time, so the
page can be seen to follow the build by htmx polling, without a reload.
"""

import calendar
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from iom.core.models import AuditEvent, Role
from reports import services
from reports.models import ReportRun
from reports.pack import build
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"


def _last_month_label() -> str:
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return f"{calendar.month_name[last_month.month]} {last_month.year}"


def test_regional_lead_requests_a_pack_watches_it_build_and_downloads_it(
    live_server: LiveServer,
    page: Page,
    page_checks: PageChecks,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    base = live_server.url
    month = _last_month_label()
    # The worker: runs asked for are held here until the test builds them.
    queued: list[int] = []
    monkeypatch.setattr(services, "build_report_task", SimpleNamespace(delay_on_commit=queued.append))

    sign_in(page, page_checks, base, lead.email, PASSWORD)
    expect(page).to_have_url(f"{base}/reports/")
    expect(page.get_by_role("heading", name="No reports yet")).to_be_visible()
    page_checks.check("governance reports, none yet")

    page.get_by_role("button", name="Request a report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a report")
    # The kind reveals the question it needs: the region for a regional pack.
    region = page.get_by_label("Region", exact=True)
    expect(region).to_be_hidden()
    page_checks.check("request form")
    page.get_by_label("Regional governance pack").check()
    expect(region).to_be_visible()
    expect(page.get_by_label("Team", exact=True)).to_be_hidden()
    page_checks.check("request form, regional pack chosen")
    region.select_option(label="Northshire")
    page.get_by_label("Month", exact=True).select_option(label=month)
    page.get_by_role("button", name="Request report").click()

    run = ReportRun.objects.get()
    assert queued == [run.pk]
    expect(page).to_have_url(f"{base}/reports/{run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Northshire, {month}")
    expect(page.get_by_role("heading", name="Status: Queued")).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_have_text("Waiting for a worker to start the report.")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "0")
    page_checks.check("report queued")
    # Anything the page keeps in memory survives only if the page is never reloaded.
    page.evaluate("() => { window.iomNotReloaded = true; }")

    steps_seen: list[str] = []
    real_build_pack = build.build_pack

    def build_while_watching(
        built_run: ReportRun, *, progress: Callable[[int, str], None]
    ) -> build.BuiltPack:
        def progress_and_look(percent: int, note: str) -> None:
            progress(percent, note)
            if not steps_seen:  # the first step: the open page must show it by itself
                expect(status).to_have_text(f"Building the report: {percent}% done. {note}", timeout=10_000)
                expect(page.get_by_label("Progress")).to_have_attribute("value", str(percent))
                expect(page.get_by_role("heading", name="Status: Building")).to_be_visible()
                page_checks.check("report building")
            steps_seen.append(note)

        return real_build_pack(built_run, progress=progress_and_look)

    monkeypatch.setattr(build, "build_pack", build_while_watching)
    services.build_report(report_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.failure_reason) == ("succeeded", "")
    assert steps_seen, "the build reported no progress"

    expect(page.get_by_role("heading", name="Status: Ready")).to_be_visible(timeout=10_000)
    expect(status).to_have_text("The report is ready. Downloads are recorded in the audit trail.")
    assert page.evaluate("() => window.iomNotReloaded === true"), "the page reloaded"
    download_link = page.get_by_role("link", name=re.compile(r"^Download PDF"))
    expect(download_link).to_have_attribute("href", f"/reports/{run.pk}/download/")
    page_checks.check("report ready")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == run.download_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Download tables as CSV")).click()
    tables = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(tables)
    assert tables.read_bytes().startswith(b"PK")

    downloads = AuditEvent.objects.filter(action="report.downloaded", actor=lead, target_id=str(run.pk))
    assert sorted(event.detail["what"] for event in downloads) == ["csv", "pdf"]

    page.get_by_role("link", name="Back to governance reports").click()
    row = page.get_by_role("row", name=re.compile(f"Northshire, {month}"))
    expect(row).to_contain_text("Ready")
    page_checks.check("governance reports, one ready")
