"""The second factor, end to end in a real browser.

A practitioner's first sign-in sets up an authenticator app (the key read from the page, the code
computed as the app would), saves the recovery codes and lands where they were going; they sign out,
and sign in again with a recovery code in place of the app. Every page passes axe and the CSP.
"""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from iom.core.models import AuditEvent, Role
from tests.actors import build_world, member
from tests.e2e.conftest import PageChecks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "correct horse battery staple"


def code_from_key(key_text: str) -> str:
    """What an authenticator app shows for the key typed in from the set-up page."""
    secret = "".join(key_text.split())
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def sign_in_with_password(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_first_sign_in_sets_up_an_app_and_a_recovery_code_signs_in_later(
    live_server: LiveServer, page: Page, page_checks: PageChecks
) -> None:
    world = build_world()
    practitioner = member(Role.PROBATION_PRACTITIONER, team=world.own_team)
    practitioner.set_password(PASSWORD)
    practitioner.save()
    base = live_server.url

    # First sign-in: the password, then setting up the app.
    sign_in_with_password(page, base, practitioner.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    page_checks.check("set up an authenticator app")
    page.locator("#id_code").fill("000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code must be 6 digits")
    page_checks.check("set-up page with an error")
    page.locator("#id_code").fill(code_from_key(page.locator("#authenticator-key").inner_text()))
    page.get_by_role("button", name="Continue").click()

    # The recovery codes, once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator app set up")
    codes = [code.inner_text() for code in page.locator("#recovery-codes code").all()]
    assert len(codes) == 10
    page_checks.check("recovery codes")
    page.get_by_role("button", name="I have saved these codes").click()
    expect(page.get_by_role("link", name="Account security")).to_be_visible()
    page_checks.check("signed in")

    page.get_by_role("link", name="Account security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account security")
    expect(page.locator(".govuk-summary-list")).to_contain_text("10 unused")
    page_checks.check("account security")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")

    # Later, without the phone: a recovery code.
    sign_in_with_password(page, base, practitioner.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    page_checks.check("enter the code")
    page.get_by_role("link", name="Use a recovery code instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Use a recovery code")
    page_checks.check("use a recovery code")
    page.locator("#id_code").fill(codes[0].upper())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 recovery codes left")
    page_checks.check("signed in with a recovery code")

    actions = list(AuditEvent.objects.filter(actor=practitioner).values_list("action", flat=True))
    assert "second_factor.enrolled" in actions
    assert "recovery_code.used" in actions
