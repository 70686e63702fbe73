from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from iom.celery import app as celery_app
from iom.core import access
from iom.core.forms import SignInForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "core/sign_in.html"
    redirect_authenticated_user = True


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work starts."""
    if access.works_a_caseload(request.user):
        return redirect("cohorts:caseload")
    if access.uses_governance_reports(request.user):
        return redirect("reports:list")
    if access.is_partner(request.user):
        return redirect("partners:inbox")
    return render(
        request,
        "core/home.html",
        {
            "is_partner": access.is_partner(request.user),
            "can_administer": access.can_administer(request.user),
        },
    )


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up. Touches nothing else, so a slow database never restarts the web process."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: the database answers and the broker accepts connections."""
    checks: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as error:
        checks["broker"] = f"error: {type(error).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503)


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's reference, drawn by Swagger UI from /api/schema/ with files served here (no CDN)."""
    return render(request, "core/api_docs.html")
