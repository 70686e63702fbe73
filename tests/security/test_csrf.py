"""Cross-site request forgery: every form's POST needs the token, for pages and the API alike.

The URLs are every row of the permission matrix with a POST (every area's rows, merged), so a
form added later is checked as soon as it has its row. Each is posted by an actor the row lets
through, so a 403 here is the missing token and nothing else.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from iom.core.models import AuditEvent
from tests.actors import build_world
from tests.api.clients import problem_of, token_client
from tests.api.test_api_permission_matrix import OWNER
from tests.security.common import ACTORS, MATRIX, allowed_actor, row_counts, url_for

pytestmark = pytest.mark.django_db

POSTED = sorted(name for name, methods in MATRIX.items() if "POST" in methods)
# The API's writes, from its permission matrix: (name, method) -> an actor who may make them.
API_WRITES = sorted(
    (name, method, actor)
    for name, module in OWNER.items()
    for method, statuses in module.ENDPOINTS[name].items()
    if method in ("POST", "PUT", "PATCH", "DELETE")
    for actor in [next((a for a, status in statuses.items() if status < 401), None)]
    if actor is not None
)


def test_every_form_is_checked():
    # The discovery found the forms; an empty list would make the test below prove nothing.
    assert {"logout", "cohorts:nominal-create", "supervision:log-contact", "partners:accept"} <= set(POSTED)
    assert API_WRITES


@pytest.mark.parametrize("name", POSTED)
def test_a_post_without_the_token_is_refused_and_changes_nothing(name):
    world = build_world()
    actor = allowed_actor(MATRIX[name]["POST"])
    assert actor is not None, f"nobody may POST to {name}: its row has no 200 or 302"
    user = ACTORS[actor](world)
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    url = url_for(name, world, user)
    rows, audited = row_counts(), AuditEvent.objects.count()

    response = client.post(url, {})

    assert response.status_code == 403, f"POST {url} as {actor} without a CSRF token"
    assert row_counts() == rows
    assert AuditEvent.objects.count() == audited


def test_a_post_with_a_token_that_does_not_match_the_cookie_is_refused():
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(ACTORS["police_own"](world))
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    url = reverse("supervision:log-contact", args=[world.nominal.pk])

    response = client.post(url, {"csrfmiddlewaretoken": "b" * 32}, HTTP_X_CSRFTOKEN="b" * 32)

    assert response.status_code == 403


def test_signing_out_is_a_post_with_the_token():
    world = build_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(ACTORS["police_own"](world))
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session  # still signed in

    # Every page has the sign-out form in its header, with the token in it.
    page = client.get(reverse("account:api-tokens")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token.group(1)})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def _api_call(name, method, world, user):
    return OWNER[name].prepare(name, method, world, user)


@pytest.mark.parametrize(("name", "method", "actor"), API_WRITES)
def test_an_api_write_in_a_browser_session_needs_the_csrf_token(name, method, actor):
    world = build_world()
    user = ACTORS[actor](world)
    call = _api_call(name, method, world, user)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    rows, audited = row_counts(), AuditEvent.objects.count()

    send = getattr(client, method.lower())
    response = send(call.url, call.data if call.data is not None else {}, format="json", **call.headers)

    assert response.status_code == 403, f"{method} {call.url} as {actor}: {response.content[:300]!r}"
    assert "CSRF" in problem_of(response)["detail"]
    assert row_counts() == rows
    assert AuditEvent.objects.count() == audited


@pytest.mark.parametrize(("name", "method", "actor"), API_WRITES)
def test_an_api_write_with_a_token_needs_no_csrf_token(name, method, actor):
    world = build_world()
    user = ACTORS[actor](world)
    call = _api_call(name, method, world, user)
    client = token_client(user)
    client.enforce_csrf_checks = True
    # The browser's session cookie is no use to a forger here: the token in the header is.
    send = getattr(client, method.lower())
    response = send(call.url, call.data if call.data is not None else {}, format="json", **call.headers)

    assert response.status_code != 403 or "CSRF" not in response.content.decode()
    assert response.status_code == OWNER[name].ENDPOINTS[name][method][actor]
