"""The headers every page carries: a strict CSP, HSTS, no caching of personal data, and cookies that
only this host, over HTTPS, can read or set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from iom.core.models import Role
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3J9x-Qw7Lp2Zr8Vt5Nb1Mc6Hd4Fg0Ys-Ue3Ai9Oq2Wx7Ez5Rt1Yu8Io4Pa6Sd",
    "DJANGO_ALLOWED_HOSTS": "iom.example.org",
    "DATABASE_URL": "sqlite:////tmp/iom-headers-test.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}
COOKIE_SETTINGS = [
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
]


def production_settings(tmp_path_factory) -> dict[str, object]:
    """The cookie and HSTS settings as production computes them, from a process of its own."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "iom.settings",
            "IOM_DATA_DIR": str(tmp_path_factory.mktemp("data")),
            **PRODUCTION,
        }
    )
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {COOKIE_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    return production_settings(tmp_path_factory)


@pytest.fixture
def manager(client):
    world = build_world()
    user = member(Role.MANAGER, team=world.own_team)
    client.force_login(user)
    return world, user


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_the_content_security_policy_allows_nothing_inline(client, manager):
    world, _ = manager
    policy = directives(client.get(f"/people/{world.nominal.pk}/")["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_https_responses_carry_hsts_for_a_year_with_subdomains(client, production):
    assert production["SECURE_HSTS_SECONDS"] == 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    with override_settings(SECURE_HSTS_PRELOAD=True):
        header = client.get("/sign-in/", secure=True)["Strict-Transport-Security"]
    assert header == "max-age=31536000; includeSubDomains; preload"


def test_plain_http_responses_carry_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in/")


def test_the_other_security_headers(client, manager):
    response = client.get("/people/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_caseload_and_a_persons_page_are_never_stored(client, manager):
    world, _ = manager
    for url in ("/people/", f"/people/{world.nominal.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_page_that_sets_its_own_cache_control_keeps_it(client, manager):
    # never_cache's own header, not ours written over it.
    response = client.get("/account/api-tokens/")
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_anonymous_pages_are_left_alone(client):
    # The sign-in page itself is never_cache (Django's own); this one says nothing personal.
    assert "Cache-Control" not in client.get("/sign-in/reset/sent/")


def test_static_files_are_cached_as_whitenoise_says(client, manager):
    response = client.get("/static/js/init.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_production_cookies_are_host_only_secure_and_not_for_scripts(production, manager):
    _, user = manager
    assert production["SESSION_COOKIE_NAME"] == "__Host-iom-session"
    assert production["CSRF_COOKIE_NAME"] == "__Host-iom-csrf"
    with override_settings(**production):
        browser = Client()
        browser.get("/sign-in/", secure=True)
        response = browser.post("/sign-in/", {"username": user.email, "password": PASSWORD}, secure=True)
        assert response.status_code == 302
    # As the browser received them (the jar keeps each cookie's attributes), and as sent.
    assert "__Host-iom-session" in response.cookies
    assert "domain=" not in str(response.cookies).lower()
    for name in ("__Host-iom-session", "__Host-iom-csrf"):
        morsel = browser.cookies[name]
        assert morsel["secure"] is True, name
        assert morsel["httponly"] is True, name
        assert morsel["path"] == "/", name
        assert morsel["samesite"] == "Lax", name
        assert morsel["domain"] == "", name
