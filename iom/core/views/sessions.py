"""The timeout warning's keep-alive: "Stay signed in" posts here."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from iom.core import sessions
from iom.core.http import AuthenticatedRequest


@never_cache
@require_POST
def session_extend(request: AuthenticatedRequest) -> HttpResponse:
    """Seen now: the idle clock starts again (the absolute limit stands). No content: the page stays
    as it is, and the response header says how long the session now has."""
    sessions.keep_alive(request)
    return HttpResponse(status=204)
