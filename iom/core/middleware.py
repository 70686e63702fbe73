import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from iom.core import request_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only for the configured proxy hops."""
    hops = settings.IOM_TRUSTED_PROXY_HOPS
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives each request an id (or keeps a well-formed one from the proxy) for the audit trail and logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_context.current.set(request_context.RequestContext(request_id, client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            request_context.current.reset(token)
        response["X-Request-ID"] = request_id
        return response


def axes_client_ip(request: HttpRequest) -> str | None:
    """django-axes asks for the client's address with the request alone."""
    return client_ip(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in request.

    Almost every page a signed-in user sees holds personal data, and a page left in a shared
    computer's cache or a proxy outlives the session. A view that says something itself (never_cache,
    a download's own policy) keeps its word. Static files never get here: WhiteNoise answers first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Asked before the view too: signing out ends with an anonymous user, but its response was
        # still made for a signed-in one.
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if (signed_in or request.user.is_authenticated) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response
