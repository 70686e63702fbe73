"""/api/docs/: the API reference, drawn by Swagger UI from files we serve (no CDN, no inline script)."""

import re

import pytest

from iom.core.models import Role
from tests.actors import member

pytestmark = pytest.mark.django_db


def test_the_reference_is_for_signed_in_people(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_the_reference_loads_swagger_ui_from_our_own_static_files(client):
    client.force_login(member(Role.PARTNER))
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert sources == ["/static/api-docs/swagger-ui-bundle.js", "/static/js/api-docs.js"]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [
        "/static/api-docs/swagger-ui.css",
        "/static/css/api-docs.css",
    ]
    assert "https://" not in html
    assert 'data-schema-url="/api/schema/"' in html


def test_the_reference_keeps_the_strict_content_security_policy(client):
    client.force_login(member(Role.PARTNER))
    policy = client.get("/api/docs/")["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "unsafe-" not in policy


def test_the_reference_offers_a_way_back_and_to_the_tokens(client):
    client.force_login(member(Role.PARTNER))
    html = client.get("/api/docs/").content.decode()
    assert '<a href="/">Back to the service</a>' in html
    assert '<a href="/account/api-tokens/">Your API tokens</a>' in html
