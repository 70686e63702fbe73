"""Request types and small helpers that every app's views share."""

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from iom.core.models import User


class AuthenticatedRequest(HttpRequest):
    """LoginRequiredMiddleware guarantees a signed-in user on every view not marked otherwise."""

    user: User
    htmx: HtmxDetails


def query_with(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params, doseq=True) if params else "?"


def sort_headers(request: HttpRequest, current: str, columns: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Column headers for a server-sorted table: each links to its own sort, and says how it is sorted."""
    headers = []
    for key, label in columns:
        if current == key:
            aria, target = "ascending", f"-{key}"
        elif current == f"-{key}":
            aria, target = "descending", key
        else:
            aria, target = "none", key
        headers.append(
            {"label": label, "aria_sort": aria, "href": query_with(request, sort=target, page=None)}
        )
    return headers
