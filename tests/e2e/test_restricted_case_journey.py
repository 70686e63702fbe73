"""A restricted case end to end in a real browser, with axe-core on every page.

The team's manager restricts a person's record, naming the police offender manager; a support worker
no longer finds the person, opens the record with break-glass access and a reason, and sees the
warning; the manager sees the opening on the dashboard, in the break-glass log, in the audit and in
the person's access log.
"""

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from iom.core.models import AuditEvent, CaseAccessGrant, Role
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"  # the user factory's
REASON = "Urgent call from the custody suite about his release"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    expect(page).to_have_url(re.compile(r"/sign-in/"))


def test_a_restricted_case_is_opened_with_break_glass_and_the_managers_see_it(
    live_server: LiveServer, page: Page, page_checks: PageChecks
) -> None:
    world = build_world()
    world.nominal.crn = "X123456"
    world.nominal.save(update_fields=["crn"])
    manager = member(Role.MANAGER, team=world.own_team, full_name="Maya Shah")
    member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team, full_name="Sam Carter")  # to be named
    support = member(Role.SUPPORT_WORKER, team=world.own_team, full_name="Jo Lee")
    base = live_server.url
    record = f"{base}/people/{world.nominal.pk}/"

    # The manager restricts the record, naming the police offender manager.
    sign_in(page, page_checks, base, manager.email, PASSWORD)
    page.goto(record)
    page.get_by_role("link", name="Restrict access to this record").click()
    expect(page.get_by_role("heading", level=2, name="Restrict access to this record")).to_be_visible()
    page_checks.check("restrict a record")
    page.get_by_label("Why the record is restricted").fill("A member of police staff")
    page.get_by_role("group", name="Who else may open the record").get_by_label("Sam Carter").check()
    page.get_by_role("button", name="Restrict the record").click()
    expect(page.locator(".govuk-tag", has_text="Restricted record")).to_be_visible()
    page_checks.check("the restricted record, for its manager")
    sign_out(page)

    # A support worker of the team no longer finds the person on the caseload ...
    sign_in(page, page_checks, base, support.email, PASSWORD)
    expect(page).to_have_url(f"{base}/people/")
    expect(page.get_by_role("link", name=re.compile("Robson"))).to_have_count(0)
    # ... and opens the record with break-glass access and a reason.
    page.get_by_role("link", name="Open a restricted record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a restricted record")
    page_checks.check("open a restricted record")
    page.get_by_label("CRN, PNC ID, NOMIS number or CRO number").fill("X123456")
    page.get_by_label("Why you need to open this record now").fill(REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_url(record)
    expect(page.get_by_text("with break-glass access until")).to_be_visible()
    page_checks.check("the record opened with break-glass access")
    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page.get_by_text("with break-glass access until")).to_be_visible()
    assert CaseAccessGrant.objects.filter(user=support, kind="break_glass", reason=REASON).exists()
    sign_out(page)

    # The manager sees the opening on the dashboard, in the log, the audit and the access log.
    sign_in(page, page_checks, base, manager.email, PASSWORD)
    page.get_by_role("link", name="Dashboard").first.click()
    figure = page.get_by_role("link", name=re.compile("restricted records opened with break-glass access"))
    expect(figure).to_contain_text("1")
    page_checks.check("the dashboard with a break-glass opening")
    figure.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Break-glass openings")
    expect(page.get_by_text(REASON)).to_be_visible()
    page_checks.check("break-glass openings")

    page.get_by_role("link", name="Audit", exact=True).click()
    page.get_by_label("Person").fill("X123456")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("nominal.break_glass").first).to_be_visible()
    page_checks.check("the audit, filtered by the person")

    page.goto(record)
    page.get_by_role("link", name="Access log").click()
    expect(page.get_by_role("cell", name=re.compile("Jo Lee")).first).to_be_visible()
    page_checks.check("the person's access log")
    assert AuditEvent.objects.filter(action="nominal.break_glass", actor=support).count() == 1
