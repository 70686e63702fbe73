"""Retention review and a subject access export end to end in a real browser, axe-core on every page.

A manager finds a person who left IOM seven years ago, prepares a subject access export of everything
held on them (built by the worker; the suite runs it in-process) and downloads the PDF, restricts the
record after review, finds it under Restricted, and erases it with the family name typed to confirm.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cohorts.factories import NominalFactory
from cohorts.models import Nominal
from dataprotection.factories import left_iom
from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"  # the user factory's


def test_a_manager_exports_reviews_restricts_and_erases_a_person_who_left_iom(
    live_server: LiveServer, page: Page, page_checks: PageChecks
) -> None:
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team, full_name="Maya Shah")
    gone = NominalFactory.create(team=world.own_team, given_name="Gary", family_name="Whitlow")
    left_iom(gone, on=timezone.localdate() - datetime.timedelta(days=365 * 7 + 2), by=manager)
    base = live_server.url

    sign_in(page, page_checks, base, manager.email, PASSWORD)
    page.get_by_role("link", name="Retention", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention review")
    page_checks.check("retention review, due")
    page.get_by_role("link", name="Whitlow, Gary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gary Whitlow")
    page_checks.check("a person's retention review")

    # Before deciding: everything held on them, for a subject access request.
    page.goto(f"{base}/data-protection/people/{gone.pk}/subject-access/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access export")
    page_checks.check("subject access export")
    page.get_by_role("button", name="Prepare the export").click()
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=60_000)
    page_checks.check("a subject access export, ready")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Restrict after review: hidden from normal use, listed under Restricted.
    page.goto(f"{base}/data-protection/retention/{gone.pk}/")
    page.get_by_label("Restrict: hide from normal use").check()
    page.get_by_label("Reason for the decision").fill("Kept while a complaint is open")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Restricted").click()
    expect(page.get_by_role("link", name="Whitlow, Gary")).to_be_visible()
    page_checks.check("retention review, restricted")

    # Erase: a page of its own, the family name typed to confirm.
    page.get_by_role("link", name="Whitlow, Gary").click()
    page.get_by_label("Erase personal data").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase Gary Whitlow's personal data")
    page_checks.check("erase: confirm")
    page.get_by_label("Type the person's family name to confirm").fill("whitlow")
    page.get_by_label("Reason for erasing").fill("Retention period over, complaint closed")
    page.get_by_role("button", name="Erase personal data").click()
    page_checks.check("after erasure")

    gone.refresh_from_db()
    assert gone.retention_status == "erased"
    assert "Whitlow" not in f"{gone.given_name} {gone.family_name}"
    assert not Nominal.objects.filter(family_name="Whitlow").exists()
    assert AuditEvent.objects.filter(action="nominal.erased", nominal_id=gone.pk).exists()
    assert AuditEvent.objects.filter(action="subject_access.exported", nominal_id=gone.pk).exists()
