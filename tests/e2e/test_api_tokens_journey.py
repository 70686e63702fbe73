"""API tokens and the API reference, end to end in a real browser.

A practitioner opens API tokens from the header, creates a token, sees it once, uses it
against the live server, revokes it, and the same call is refused. Then the API reference
(Swagger UI) draws the operations under the strict Content-Security-Policy.
"""

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from iom.core.models import ApiToken, AuditEvent, Role
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks, format_axe_violations, run_axe, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"

# Chromium also logs CSP violations to the console (PageChecks fails on those); the event says
# which directive was broken, which the console message does not always.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI} at ${where}`);
});
"""


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def call_me(base: str, token: str) -> tuple[int, dict[str, Any]]:
    """GET /api/v1/me/ as an integration would: no browser, no session, only the token."""
    request = urllib.request.Request(  # noqa: S310 (http:// on the live test server)
        f"{base}/api/v1/me/", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_practitioner_creates_uses_and_revokes_an_api_token(
    live_server: LiveServer, page: Page, page_checks: PageChecks
) -> None:
    world = build_world()
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    base = live_server.url
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    sign_in(page, page_checks, base, practitioner.email, PASSWORD)
    expect(page).to_have_url(f"{base}/people/")

    page.get_by_role("banner").get_by_role("link", name="API tokens").click()
    expect(page).to_have_url(f"{base}/account/api-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_role("heading", name="You have no API tokens")).to_be_visible()
    expect(page.get_by_role("link", name="IOM case manager API")).to_have_attribute("href", "/api/docs/")
    page_checks.check("API tokens, none yet")

    page.get_by_role("link", name="Create a token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an API token")
    page_checks.check("create a token")

    # Nothing given: the error summary links to each question, and no token is made.
    page.get_by_role("button", name="Create token").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter what the token is for")).to_have_attribute(
        "href", "#id_name"
    )
    expect(summary.get_by_role("link", name="Choose how long the token lasts")).to_have_attribute(
        "href", "#id_lifetime_days_0"
    )
    expect(page).to_have_title(re.compile(r"\(error\)"))
    assert not ApiToken.objects.exists()
    page_checks.check("create a token, with errors")

    page.get_by_label("What is the token for?").fill("Probation data feed")
    page.get_by_role("group", name="How long should it last?").get_by_label("30 days").check()
    with page.expect_response(lambda r: r.request.method == "POST" and "/api-tokens/new/" in r.url) as posted:
        page.get_by_role("button", name="Create token").click()
    assert "no-store" in posted.value.headers["cache-control"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Token created")
    expect(page.get_by_text("You will not see it again")).to_be_visible()
    raw = page.get_by_label("Your new API token").input_value()
    assert re.fullmatch(r"iom_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", raw), raw
    page_checks.check("the token, shown once")

    status, body = call_me(base, raw)
    assert (status, body["email"], body["token_name"]) == (200, practitioner.email, "Probation data feed")

    page.get_by_role("link", name="Back to your API tokens").click()
    row = page.get_by_role("row").filter(has_text="Probation data feed")
    expect(row.locator(".govuk-tag")).to_have_text("Active")
    expect(row).not_to_contain_text("Never")  # it has just been used
    expect(page.get_by_text(raw)).to_have_count(0)
    page_checks.check("API tokens, one active")

    row.get_by_role("link", name="Revoke Probation data feed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revoke Probation data feed")
    page_checks.check("revoke a token")
    page.get_by_role("button", name="Revoke token").click()
    expect(page).to_have_url(f"{base}/account/api-tokens/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Probation data feed")
    expect(page.get_by_role("row").filter(has_text="Probation data feed").locator(".govuk-tag")).to_have_text(
        "Revoked"
    )
    page_checks.check("API tokens, after revoking")
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=practitioner).count() == 1

    status, body = call_me(base, raw)
    assert status == 401
    assert body["status"] == 401

    assert csp_violations(page) == []
    page_checks.assert_no_problems()


def test_api_reference_draws_the_operations_under_the_strict_csp(
    live_server: LiveServer, page: Page, page_checks: PageChecks, axe_source: str
) -> None:
    world = build_world()
    officer = member(Role.POLICE_OFFENDER_MANAGER, team=world.own_team)
    base = live_server.url
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    sign_in(page, page_checks, base, officer.email, PASSWORD)
    expect(page).to_have_url(f"{base}/people/")

    page.get_by_role("contentinfo").get_by_role("link", name="API reference").click()
    expect(page).to_have_url(f"{base}/api/docs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("IOM case manager: API reference")
    # Swagger UI fetched the schema and drew an operation for each endpoint.
    me = page.locator(".opblock").filter(has_text="/api/v1/me/")
    expect(me).to_be_visible(timeout=10000)
    assert page.locator(".opblock").count() >= 1

    # Trying an operation uses the signed-in session (Swagger UI sends the CSRF token).
    me.locator(".opblock-summary-control").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    expect(me.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(me.locator(".live-responses-table")).to_contain_text(officer.email)
    # With an operation open, its parameters, code samples and the live response drawn. (Not
    # page_checks.check: the page is Swagger UI's, without GOV.UK Frontend's start-up to wait for.)
    violations = run_axe(page, axe_source)
    assert not violations, format_axe_violations(violations)
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.locator(".dialog-ux .modal-ux")).to_be_visible()
    page.keyboard.press("Escape")

    # Nothing Swagger UI did needed more than script-src 'self' and style-src 'self'.
    assert csp_violations(page) == []
    page_checks.assert_no_problems()
    page.get_by_role("link", name="Your API tokens").click()
    expect(page).to_have_url(f"{base}/account/api-tokens/")
