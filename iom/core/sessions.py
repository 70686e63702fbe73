"""Session limits: idle and absolute timeouts (filled in by issue 9's session work)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
