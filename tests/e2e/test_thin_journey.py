"""The thin journey, end to end in a real browser.

A: a police offender manager signs in, finds a person on the caseload and logs a contact.
B: a regional lead requests a governance report and downloads the PDF.

Each page is checked for console errors, CSP violations and WCAG 2.2 AA (axe-core).
"""

import calendar
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from iom.core.models import AuditEvent, Role
from reports.models import ReportRun
from supervision.models import Contact
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"


def test_offender_manager_logs_a_contact(
    live_server: LiveServer, page: Page, page_checks: PageChecks
) -> None:
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    base = live_server.url

    sign_in(page, page_checks, base, officer.email, PASSWORD)

    # Their start page is the caseload, with their team's people only.
    expect(page).to_have_url(f"{base}/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    expect(page.get_by_role("link", name="Robson, Dean")).to_be_visible()
    expect(page.get_by_text("Kerr, Wes")).to_have_count(0)
    page_checks.check("caseload")

    page.get_by_role("link", name="Robson, Dean").click()
    expect(page).to_have_url(f"{base}/people/{world.nominal.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dean Robson")
    expect(page.get_by_role("heading", name="Recent activity")).to_be_visible()
    expect(page.get_by_text("Nothing has been recorded for Dean yet.")).to_be_visible()
    page_checks.check("person page, empty timeline")

    page.get_by_role("button", name="Log a contact").click()
    expect(page).to_have_url(f"{base}/people/{world.nominal.pk}/contacts/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    page_checks.check("log contact form")

    # Nothing chosen: the GOV.UK error summary links to each question, and nothing is saved.
    page.get_by_role("button", name="Save contact").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    type_link = summary.get_by_role("link", name="Select the type of contact")
    expect(type_link).to_have_attribute("href", "#id_kind_0")
    expect(summary.get_by_role("link", name="Select the outcome")).to_have_attribute("href", "#id_outcome_0")
    expect(page).to_have_title(re.compile(r"\(error\)"))
    assert not Contact.objects.exists()
    page_checks.check("log contact form with errors")
    type_link.click()
    expect(page.locator("#id_kind_0")).to_be_focused()

    note = "Seen at home with his sister. Engaging well with the housing referral."
    page.get_by_role("group", name="Type of contact").get_by_label("Home visit").check()
    page.get_by_role("group", name="Outcome").get_by_label("Attended and complied").check()
    page.get_by_role("group", name="Purpose").get_by_label("Practical support").check()
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save contact").click()

    expect(page).to_have_url(f"{base}/people/{world.nominal.pk}/supervision/")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Contact logged for Dean Robson")
    page.get_by_role("link", name="Overview").click()
    timeline = page.locator(".moj-timeline")
    expect(timeline.get_by_role("heading", name="Home visit: attended and complied")).to_be_visible()
    expect(timeline).to_contain_text(note)
    expect(timeline).to_contain_text(f"by {officer.full_name}")
    page_checks.check("person page after logging a contact")

    contact = Contact.objects.get()
    assert (contact.nominal, contact.kind, contact.outcome) == (
        world.nominal,
        Contact.Kind.HOME_VISIT,
        Contact.Outcome.ATTENDED_COMPLIED,
    )
    assert contact.date == timezone.localdate()
    assert contact.logged_by == officer

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/sign-in/")
    page_checks.check("sign-in page after signing out")


def _last_month_label() -> str:
    first_of_this_month = timezone.localdate().replace(day=1)
    last_month = first_of_this_month - timedelta(days=1)
    return f"{calendar.month_name[last_month.month]} {last_month.year}"


def test_regional_lead_downloads_a_governance_report(
    live_server: LiveServer, page: Page, page_checks: PageChecks, tmp_path: Path
) -> None:
    world = build_world()
    lead = member(Role.REGIONAL_LEAD, region=world.region)
    base = live_server.url
    month = _last_month_label()

    sign_in(page, page_checks, base, lead.email, PASSWORD)

    expect(page).to_have_url(f"{base}/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Governance reports")
    expect(page.get_by_role("heading", name="No reports yet")).to_be_visible()
    page_checks.check("governance reports, none yet")

    page.get_by_role("button", name="Request a report").click()
    expect(page).to_have_url(f"{base}/reports/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a report")
    page_checks.check("request a report form")

    page.get_by_label("Regional governance pack").check()
    page.get_by_label("Region", exact=True).select_option(label="Northshire")
    page.get_by_label("Month", exact=True).select_option(label=month)
    page.get_by_role("button", name="Request report").click()

    # Tasks run eagerly in the tests, so the report is built before the redirect.
    run = ReportRun.objects.get()
    expect(page).to_have_url(f"{base}/reports/{run.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Northshire, {month}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Report requested")
    expect(page.get_by_role("heading", name="Status: Ready")).to_be_visible()
    download_link = page.get_by_role("link", name=re.compile(r"^Download PDF"))
    expect(download_link).to_have_attribute("href", f"/reports/{run.pk}/download/")
    page_checks.check("report run page, ready")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="report.downloaded", actor=lead, target_id=str(run.pk)).exists()

    page.get_by_role("link", name="Back to governance reports").click()
    expect(page).to_have_url(f"{base}/reports/")
    row = page.get_by_role("row", name=re.compile(f"Northshire, {month}"))
    expect(row).to_contain_text("Ready")
    page_checks.check("governance reports, one ready")
