"""Hostile query strings: never a server error, never markup sent back unescaped, never a row
outside the asker's scope.

Every page in the permission matrix that someone may GET is asked by one who may. Its filters are
read from the page itself (the `name=` of each field in its GET forms), so a filter added later is
attacked too. The API's list endpoints are read from their filter sets.
"""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import resolve, reverse

from cohorts.models import Nominal
from tests.actors import build_world
from tests.api.clients import problem_of, token_client
from tests.api.test_api_permission_matrix import OWNER
from tests.permission_rows.common import PARTNERS, TEAM_OWN
from tests.security.common import ACTORS, MATRIX, assert_no_raw_markup, url_for

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    "' OR 1=1 --",
    "%00",
    "\x00",
    "A" * 5000,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "-1",
    "99999999999999999999",
    "2026-13-45",
]
PAGING_AND_SORTING = [
    {"page": "0"},
    {"page": "-1"},
    {"page": "abc"},
    {"page": "99999999999999999999"},
    {"sort": "password"},
    {"sort": "-id;DROP TABLE cohorts_nominal"},
    {"zz_unknown": "<script>alert(1)</script>", "ordering": "password"},
]
FINE = {200, 302, 400, 404}
# Someone no own-team user may see: their name must never appear, however the filters are bent.
OUT_OF_SCOPE = "Outofscopeson"
# Who asks: the own team's manager or police officer where they may, else whoever the row allows.
PREFERRED = ("manager_own", "police_own", "partner_referred", "regional_own", "administrator")
# The API's schema is a fixed document with no one's data, and slow to build.
NOT_LISTS = {"api-schema"}
PAGES = sorted(
    name
    for name, methods in MATRIX.items()
    if "GET" in methods
    and name not in NOT_LISTS
    and any(status == 200 for actor, status in methods["GET"].items() if actor != "anonymous")
)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def _reader(name: str) -> str:
    statuses = MATRIX[name]["GET"]
    return next(
        (actor for actor in PREFERRED if statuses.get(actor) == 200),
        next(actor for actor, status in statuses.items() if status == 200 and actor != "anonymous"),
    )


def _filter_names(html: str) -> list[str]:
    """The fields of the page's GET forms (a form with no method is a GET form)."""
    names: set[str] = set()
    for attributes, body in FORM.findall(html):
        method = re.search(r"method=\"([^\"]+)\"", attributes)
        if method and method.group(1).lower() != "get":
            continue
        names |= set(FIELD_NAME.findall(body))
    return sorted(names - {"csrfmiddlewaretoken"})


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(key)}={quote(value) if value != '%00' else '%00'}" for key, value in pairs)


def _pair(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key, value


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_every_page_is_asked():
    assert {"cohorts:caseload", "partners:directory", "reports:list", "partners:inbox"} <= set(PAGES)


def test_a_pages_filters_are_read_from_its_form():
    world = build_world()
    client = Client()
    client.force_login(ACTORS["manager_own"](world))
    html = _body(client.get(reverse("cohorts:caseload")))
    assert {"q", "cohort", "risk", "team"} <= set(_filter_names(html))


@pytest.mark.parametrize("name", PAGES)
def test_hostile_parameters_never_break_a_page_or_widen_its_scope(name):
    world = build_world()
    Nominal.objects.filter(pk=world.other_nominal.pk).update(family_name=OUT_OF_SCOPE)
    actor = _reader(name)
    user = ACTORS[actor](world)
    url = url_for(name, world, user)
    client = Client()
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} as {actor}"
    filters = _filter_names(_body(page)) if page["Content-Type"].startswith("text/html") else []
    scoped = actor in TEAM_OWN or actor in PARTNERS
    base, _, kept = url.partition("?")
    kept_pairs = [_pair(pair) for pair in kept.split("&") if "=" in pair]

    queries: list[list[tuple[str, str]]] = []
    for value in HOSTILE_VALUES if filters else ["<script>alert(1)</script>"]:
        queries.append([(field, value) for field in filters] or [("q", value)])
    if filters:
        queries.append([(field, value) for field in filters for value in ("1", "2")])  # ?x=1&x=2
    queries += [list(extra.items()) for extra in PAGING_AND_SORTING]

    for pairs in queries:
        asked = f"{base}?{_query([*kept_pairs, *pairs])}"
        response = client.get(asked)
        shown = f"GET {asked[:200]} as {actor}"
        assert response.status_code in FINE, f"{shown}: {response.status_code}"
        body = _body(response)
        if response.get("Content-Type", "").startswith("text/html"):
            assert_no_raw_markup(body, shown)
        if scoped:
            assert OUT_OF_SCOPE not in body, f"{shown} shows a person outside the asker's scope"


# The API's lists ---------------------------------------------------------------------------------

API_LISTS = sorted(
    name
    for name, module in OWNER.items()
    if name.endswith(("-list", "-referrals")) and 200 in module.ENDPOINTS[name].get("GET", {}).values()
)


def _api_reader(name: str) -> str:
    statuses = OWNER[name].ENDPOINTS[name]["GET"]
    return next(actor for actor in (*PREFERRED, *statuses) if statuses.get(actor) == 200)


def _api_filters(url: str) -> list[str]:
    view = getattr(resolve(url.partition("?")[0]).func, "cls", None)
    filterset = getattr(view, "filterset_class", None)
    names = list(filterset.base_filters) if filterset is not None else []
    return [*names, "ordering", "page", "page_size", "fields"]


def test_every_api_list_is_asked():
    assert {"api:nominal-list", "api:referral-list", "api:report-run-list"} <= set(API_LISTS)


@pytest.mark.parametrize("name", API_LISTS)
def test_hostile_parameters_never_break_an_api_list(name):
    world = build_world()
    Nominal.objects.filter(pk=world.other_nominal.pk).update(family_name=OUT_OF_SCOPE)
    actor = _api_reader(name)
    user = ACTORS[actor](world)
    call = OWNER[name].prepare(name, "GET", world, user)
    client = token_client(user)
    filters = _api_filters(call.url)
    scoped = actor in TEAM_OWN or actor in PARTNERS

    queries = [[(field, value) for field in filters] for value in HOSTILE_VALUES]
    queries.append([(field, value) for field in filters for value in ("1", "2")])
    queries += [list(extra.items()) for extra in PAGING_AND_SORTING]
    base, _, kept = call.url.partition("?")
    kept_pairs = [_pair(pair) for pair in kept.split("&") if "=" in pair]
    for pairs in queries:
        asked = f"{base}?{_query([*kept_pairs, *pairs])}"
        response = client.get(asked, **call.headers)
        shown = f"GET {asked[:200]} as {actor}"
        assert response.status_code in {200, 400, 404}, (
            f"{shown}: {response.status_code} {response.content[:300]!r}"
        )
        assert "html" not in response["Content-Type"], shown
        if response.status_code >= 400:
            problem_of(response)
        if scoped:
            assert OUT_OF_SCOPE not in response.content.decode(), f"{shown} shows a person outside the scope"
