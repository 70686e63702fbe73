"""The shared layout: error pages, and nothing the Content-Security-Policy would block."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

from iom.core.models import Role
from tests.actors import build_world, member

ROOT = Path(__file__).resolve().parents[2]
SERVED_TEMPLATES = [
    path
    for path in ROOT.glob("**/templates/**/*.html")
    if ".venv" not in path.parts and "node_modules" not in path.parts and "pdf" not in path.parts
]


def test_there_are_templates_to_check():
    assert len(SERVED_TEMPLATES) >= 15


@pytest.mark.parametrize("path", SERVED_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_style(path):
    html = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>: the CSP blocks it"
    assert not re.search(r"\sstyle=", html), "style attribute: the CSP blocks it"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler: the CSP blocks it"
    assert "<style" not in html


ALL_TEMPLATES = [
    path
    for path in ROOT.glob("**/templates/**/*.html")
    if ".venv" not in path.parts and "node_modules" not in path.parts
]


@pytest.mark.parametrize("path", ALL_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_comments_close_on_their_own_line(path):
    # Django's {# #} comment is one line only: a longer one is printed on the page.
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        opened = line.count("{#")
        assert opened == line.count("#}"), (
            f"line {number}: use {{% comment %}} for a comment over several lines"
        )


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/sign-in/")["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_the_404_page_says_so_without_confirming_anything(client):
    world = build_world()
    client.force_login(member(Role.MANAGER, team=world.own_team))
    response = client.get("/people/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Skip to main content" in html


@pytest.mark.django_db
def test_the_403_page_explains_and_offers_a_way_on():
    request = RequestFactory().get("/")
    request.user = member(Role.NATIONAL)
    response = defaults.permission_denied(
        request, PermissionDenied("You may not log contacts for this person.")
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "You may not log contacts for this person." in html
    assert "ask your team's manager" in html


def test_the_500_page_needs_no_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
