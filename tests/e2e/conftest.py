"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test visits goes through `PageChecks.check`, which proves the CSS and the
CSP-safe JavaScript start-up loaded, fails on any console error (CSP violations included),
and runs axe-core against WCAG 2.2 AA.

No browser: the tests skip, unless IOM_REQUIRE_BROWSER=1 (CI), where they fail instead.
"""

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Error, Page, Response, expect

from iom.core import second_factor
from iom.core.models import User

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/e2e drives a browser, so `-m "not browser"` leaves it out.
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _missing_browser(reason: str) -> None:
    if os.environ.get("IOM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and IOM_REQUIRE_BROWSER=1 says the browser tests must run", pytrace=False)
    pytest.skip(f"{reason} (install Debian's chromium package to run the browser tests)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium: `playwright install` is never run here."""
    executable = shutil.which("chromium")
    if executable is None:
        _missing_browser("No `chromium` executable on PATH")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE.is_file():
        pytest.fail(f"{AXE_SOURCE} is missing: run `npm ci` to install axe-core", pytrace=False)
    return AXE_SOURCE.read_text(encoding="utf-8")


def format_axe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(str(selector) for selector in node['target'])}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now.

    Injected with evaluate(), which the page's `script-src 'self'` does not govern
    (add_script_tag would be an inline script, and the CSP rightly refuses it).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return without_govuk_conditional_reveals(results["violations"])


def _is_govuk_conditional_reveal(node: dict[str, Any]) -> bool:
    """A GOV.UK radio or checkbox whose only fault is the aria-expanded its conditional reveal sets.

    GOV.UK Frontend's radios and checkboxes script sets aria-expanded on the input that reveals a
    related question; ARIA 1.2 does not list it for role radio or checkbox, so axe reports it. The
    Design System keeps the pattern on purpose (alphagov/govuk-frontend#979, w3c/aria#1404) and its
    research found screen readers announce it usefully. Every other fault on those inputs still fails.
    """
    if not re.search(r'class="govuk-(radios|checkboxes)__input"', node["html"]):
        return False
    messages = [check["message"] for kind in ("any", "all", "none") for check in node.get(kind, [])]
    return bool(messages) and all(
        re.fullmatch(r"ARIA attributes? (is|are) not allowed: aria-expanded=\"(true|false)\"", message)
        for message in messages
    )


def without_govuk_conditional_reveals(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = []
    for violation in violations:
        if violation["id"] == "aria-allowed-attr":
            nodes = [node for node in violation["nodes"] if not _is_govuk_conditional_reveal(node)]
            if not nodes:
                continue
            violation = {**violation, "nodes": nodes}
        kept.append(violation)
    return kept


class PageChecks:
    """Collects what the browser complains about, and checks each page the test reaches."""

    def __init__(self, page: Page, axe_source: str) -> None:
        self.page = page
        self.axe_source = axe_source
        self.problems: list[str] = []
        self.checked: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        # Chromium reports CSP violations, failed loads and script errors as console errors.
        if message.type == "error":
            location = message.location
            self.problems.append(
                f"console error on {self.page.url}: {message.text} "
                f"({location.get('url', '')}:{location.get('lineNumber', '')})"
            )

    def _on_page_error(self, error: Error) -> None:
        self.problems.append(f"uncaught exception on {self.page.url}: {error.message}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def assert_no_problems(self) -> None:
        assert not self.problems, "The browser reported problems:\n" + "\n".join(self.problems)

    def check(self, label: str) -> None:
        """The page is fully started, has no console errors so far, and passes axe-core."""
        page = self.page
        page.wait_for_load_state("load")
        # init.js is a module that adds this class, then starts GOV.UK and MoJ Frontend:
        # seeing it proves the scripts loaded under the Content-Security-Policy.
        expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"), timeout=5000)
        stylesheet_rules = page.evaluate(
            "() => Array.from(document.styleSheets).reduce((n, sheet) => n + sheet.cssRules.length, 0)"
        )
        assert stylesheet_rules > 100, f"{label}: the stylesheet did not load ({stylesheet_rules} rules)"
        self.assert_no_problems()
        violations = run_axe(page, self.axe_source)
        assert not violations, f"axe-core found WCAG violations on {label} ({page.url}):\n" + (
            format_axe_violations(violations)
        )
        self.checked.append(label)


@pytest.fixture
def page_checks(page: Page, axe_source: str) -> Iterator[PageChecks]:
    checks = PageChecks(page, axe_source)
    yield checks
    # Anything that went wrong after the last page check still fails the test.
    if checks.problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(checks.problems), pytrace=False)


def current_code(email: str) -> str:
    """The code the person's authenticator app shows, computed here from the device's key as the app
    would. A code works once (django-otp remembers the last time step used), so a second sign-in in
    the same 30 seconds takes the next step's code, which django-otp's tolerance of one step allows."""
    device = second_factor.authenticator_for(User.objects.get(email=email))
    assert device is not None, f"{email} has no authenticator app"
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    if step > totp.t() + 1:
        time.sleep(device.step)
        return current_code(email)
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(page: Page, checks: PageChecks, base_url: str, email: str, password: str) -> None:
    """Sign in through the form, then pass the second factor with a code from the person's app
    (given one first if they have none, as if they had set it up before)."""
    user = User.objects.get(email=email)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    response = page.goto(f"{base_url}/sign-in/")
    assert response is not None
    assert response.ok
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, f"sign-in page served without the expected CSP: {csp!r}"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to IOM case manager")
    checks.check("sign-in page")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The code page is checked (axe, CSP) by tests/e2e/test_second_factor_journey.py; journeys list
    # the pages they check, so it is not added to theirs.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    page.locator("#id_code").fill(current_code(email))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
