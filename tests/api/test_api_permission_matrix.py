"""Every API endpoint, for every role, in its own team and another, as DESIGN §3 says.

The rows live beside each app's API (tests/api/matrix_<app>.py, contract in tests/api/matrix.py);
this runs them with a real token for each actor (none for anonymous). A new endpoint without a
row fails `test_every_api_url_has_a_row`; a missing rows module fails
`test_every_app_has_its_rows_module` rather than being skipped.
"""

import importlib
from types import ModuleType

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.actors import build_world
from tests.api.clients import problem_of, token_client
from tests.test_permission_matrix import ACTORS

# The app an endpoint's view lives in -> the module holding its rows.
ROWS_MODULES = {
    "core": "tests.api.matrix_core",
    "cohorts": "tests.api.matrix_cohorts",
    "supervision": "tests.api.matrix_supervision",
    "partners": "tests.api.matrix_partners",
    "reports": "tests.api.matrix_reports",
}
# Answers for what is not an endpoint; tested in test_problems.py.
NOT_ENDPOINTS = {"api:not-found"}


def _import_rows() -> tuple[dict[str, ModuleType], list[str]]:
    found: dict[str, ModuleType] = {}
    missing: list[str] = []
    for app, module_name in ROWS_MODULES.items():
        try:
            found[app] = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise  # the module exists but is broken: say so, loudly
            missing.append(module_name)
    return found, missing


ROWS, MISSING = _import_rows()
# URL name -> the module that prepares its calls; a name in two modules is a mistake.
OWNER: dict[str, ModuleType] = {}
DUPLICATES: list[str] = []
for _module in ROWS.values():
    for _name in _module.ENDPOINTS:
        if _name in OWNER:
            DUPLICATES.append(_name)
        OWNER[_name] = _module

CASES = [
    pytest.param(name, method, actor, status, id=f"{name}-{method}-{actor}")
    for module in ROWS.values()
    for name, methods in module.ENDPOINTS.items()
    for method, statuses in methods.items()
    for actor, status in statuses.items()
]


def api_urls() -> dict[str, str]:
    """Every URL name in the `api` namespace -> the app its view lives in."""
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.pattern.regex.pattern.startswith("^api/"):
            for inner in pattern.url_patterns:
                if isinstance(inner, URLResolver) and inner.namespace == "api":
                    return dict(_named(inner.url_patterns))
    raise AssertionError("no `api` namespace under /api/")


def _named(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"api:{pattern.name}", _app_of(pattern.callback)


def _app_of(view) -> str:
    module = getattr(view, "cls", view).__module__
    return "core" if module.startswith("iom.") else module.split(".")[0]


def test_every_app_has_its_rows_module():
    assert not MISSING, f"rows modules to write: {', '.join(MISSING)}"


def test_a_url_has_its_rows_in_one_module_only():
    assert not DUPLICATES


def test_every_api_url_has_a_row():
    urls = {name: app for name, app in api_urls().items() if name not in NOT_ENDPOINTS}
    assert set(OWNER) - set(urls) == set(), "rows for URLs that do not exist"
    expected = {name for name, app in urls.items() if ROWS_MODULES.get(app) not in MISSING}
    assert expected - set(OWNER) == set(), "API URLs without a row"
    # Once every module exists, `expected` is every URL; until then, a missing module fails above.


def test_every_row_covers_every_actor():
    for name, methods in ((n, m) for module in ROWS.values() for n, m in module.ENDPOINTS.items()):
        for method, statuses in methods.items():
            assert set(statuses) == set(ACTORS), f"{name} {method}"
            assert statuses["anonymous"] == 401, f"{name} {method}: anonymous is always 401"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor", "status"), CASES)
def test_api_permission_matrix(name, method, actor, status):
    world = build_world()
    user = ACTORS[actor](world)
    call = OWNER[name].prepare(name, method, world, user)
    client = token_client(user) if user is not None else APIClient()

    send = getattr(client, method.lower())
    if method in ("GET", "HEAD", "DELETE"):
        response = send(call.url, **call.headers)
    else:
        response = send(call.url, call.data if call.data is not None else {}, format="json", **call.headers)

    assert response.status_code == status, f"{method} {call.url} as {actor}: {response.content[:300]!r}"
    if status >= 400:
        problem_of(response)
