"""The GOV.UK timeout warning, in a real browser, with an idle limit of 20 seconds.

The dialog opens before the limit with focus inside it and passes axe; "Stay signed in" keeps the
session (the next page loads without signing in); left alone, the session ends and the sign-in page
says why.
"""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"
IDLE_SECONDS = 20
WARNING_SECONDS = 12


def focus_is_in_the_dialog(page: Page) -> bool:
    return page.evaluate("document.getElementById('timeout-warning').contains(document.activeElement)")


def test_the_timeout_warning_keeps_or_ends_the_session(
    live_server: LiveServer, page: Page, page_checks: PageChecks, settings
) -> None:
    settings.IOM_SESSION_IDLE_MINUTES = IDLE_SECONDS / 60
    settings.IOM_SESSION_WARNING_SECONDS = WARNING_SECONDS
    world = build_world()
    manager = member(Role.MANAGER, team=world.own_team)
    base = live_server.url

    sign_in(page, page_checks, base, manager.email, PASSWORD)
    page.goto(f"{base}/account/password/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    dialog = page.get_by_role("alertdialog", name="You are about to be signed out")
    expect(dialog).to_be_hidden()
    page_checks.check("a page, before the warning")

    # Shown before the idle limit, with focus moved into it and the time left.
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 5) * 1000)
    assert focus_is_in_the_dialog(page)
    expect(dialog).to_contain_text("we will sign you out in")
    expect(dialog.get_by_role("button", name="Sign out")).to_be_visible()
    page_checks.check("the timeout warning")

    with page.expect_response(lambda r: r.url.endswith("/session/extend/")) as extended:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert extended.value.status == 204
    expect(dialog).to_be_hidden()
    # Still signed in: another page loads without the sign-in page.
    page.goto(f"{base}/account/password/changed/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    page_checks.check("a page after staying signed in")

    # Left alone, the warning comes back and then the session ends.
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 5) * 1000)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in to IOM case manager", timeout=(WARNING_SECONDS + 10) * 1000
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text("without activity")
    page_checks.check("the sign-in page after timing out")
    assert AuditEvent.objects.filter(action="session.expired", actor=manager, detail__reason="idle").exists()
