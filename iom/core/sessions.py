"""Session limits: signed out after IOM_SESSION_IDLE_MINUTES without a request, and
IOM_SESSION_ABSOLUTE_HOURS after signing in, whatever happens in between.

The session holds when the user signed in and when they were last seen. Last-seen is written at most
once a minute (a session save is a database write), so the idle limit can end a session up to that
much early, never late. The page's timeout warning (templates/includes/timeout_warning.html) counts
down from what `SessionLimits.idle_remaining` says, and htmx and the keep-alive read the same figure
from the response header SESSION_REMAINING_HEADER.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url

from iom.core import audit
from iom.core.api.problems import PROBLEM_CONTENT_TYPE, problem

SIGNED_IN_AT = "iom_signed_in_at"
LAST_SEEN_AT = "iom_last_seen_at"
SESSION_REMAINING_HEADER = "IOM-Session-Idle-Remaining"
# Why a session ended, as the sign-in page's `signed_out` parameter says it.
IDLE, ABSOLUTE = "idle", "absolute"


def _amount(number: float, unit: str) -> str:
    shown = f"{number:g}"
    return f"{shown} {unit}" if shown == "1" else f"{shown} {unit}s"


@dataclass(frozen=True)
class SessionLimits:
    idle_seconds: float
    absolute_seconds: float
    warning_seconds: int
    # For the signed-in user: seconds until the idle limit, as of this request.
    idle_remaining: int | None = None

    @classmethod
    def from_settings(cls) -> "SessionLimits":
        return cls(
            idle_seconds=settings.IOM_SESSION_IDLE_MINUTES * 60,
            absolute_seconds=settings.IOM_SESSION_ABSOLUTE_HOURS * 60 * 60,
            warning_seconds=settings.IOM_SESSION_WARNING_SECONDS,
        )

    @property
    def touch_seconds(self) -> float:
        """How stale last-seen may get before a request writes it again."""
        return min(60.0, self.idle_seconds / 10)

    @property
    def idle_text(self) -> str:
        return _amount(settings.IOM_SESSION_IDLE_MINUTES, "minute")

    @property
    def absolute_text(self) -> str:
        return _amount(settings.IOM_SESSION_ABSOLUTE_HOURS, "hour")

    def signed_out_message(self, reason: str) -> str:
        if reason == ABSOLUTE:
            return f"You were signed out {self.absolute_text} after signing in. Sign in again to carry on."
        return f"You were signed out after {self.idle_text} without activity. Sign in again to carry on."


def start(request: HttpRequest) -> None:
    """Called at sign-in: both clocks start now."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def keep_alive(request: HttpRequest) -> None:
    """The user asked to stay signed in: seen now, whatever the last write was."""
    request.session[LAST_SEEN_AT] = time.time()


def ended_by(request: HttpRequest, limits: SessionLimits, now: float) -> str | None:
    signed_in = request.session.get(SIGNED_IN_AT)
    last_seen = request.session.get(LAST_SEEN_AT)
    if signed_in is None or last_seen is None:
        return None
    if now - signed_in >= limits.absolute_seconds:
        return ABSOLUTE
    if now - last_seen >= limits.idle_seconds:
        return IDLE
    return None


def sign_in_url(request: HttpRequest, reason: str) -> str:
    query = urlencode({"next": request.get_full_path(), "signed_out": reason})
    return f"{resolve_url(settings.LOGIN_URL)}?{query}"


class SessionLimitsMiddleware:
    """Ends a session past either limit: audited, then to the sign-in page saying why (a 401 problem
    for the API, an HX-Redirect for htmx). Otherwise notes the user as seen.

    Runs after authentication (it needs the user) and before the message middleware, so the reason
    travels as a query parameter that the sign-in page turns into words.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limits = SessionLimits.from_settings()
        request.session_limits = limits  # type: ignore[attr-defined]
        if not request.user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        reason = ended_by(request, limits, now)
        if reason is not None:
            return self.end(request, reason, limits)
        if SIGNED_IN_AT not in request.session:
            start(request)  # a session from before the limits existed: its clocks start now
        elif now - request.session[LAST_SEEN_AT] >= limits.touch_seconds:
            request.session[LAST_SEEN_AT] = now
        remaining = self.idle_remaining(request, limits)
        request.session_limits = limits = SessionLimits(  # type: ignore[attr-defined]
            idle_seconds=limits.idle_seconds,
            absolute_seconds=limits.absolute_seconds,
            warning_seconds=limits.warning_seconds,
            idle_remaining=remaining,
        )
        response = self.get_response(request)
        if request.user.is_authenticated and LAST_SEEN_AT in request.session:
            # After the view, which may have kept the session alive (session-extend).
            response[SESSION_REMAINING_HEADER] = str(self.idle_remaining(request, limits))
        return response

    @staticmethod
    def idle_remaining(request: HttpRequest, limits: SessionLimits) -> int:
        """Seconds to the earlier of the two limits, as the server will judge them."""
        now = time.time()
        idle = limits.idle_seconds - (now - request.session[LAST_SEEN_AT])
        absolute = limits.absolute_seconds - (now - request.session[SIGNED_IN_AT])
        return max(0, int(min(idle, absolute)))

    @staticmethod
    def end(request: HttpRequest, reason: str, limits: SessionLimits) -> HttpResponse:
        user = request.user
        audit.record(actor=user, action="session.expired", target=user, detail={"reason": reason})  # type: ignore[arg-type]
        logout(request)
        if request.path.startswith("/api/"):
            body = problem(401, detail=limits.signed_out_message(reason), instance=request.get_full_path())
            return JsonResponse(body, status=401, content_type=PROBLEM_CONTENT_TYPE)
        url = sign_in_url(request, reason)
        if request.headers.get("HX-Request") == "true":
            # htmx would swap the sign-in page into the part of the page it asked for: send it there.
            return HttpResponse(status=200, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)
