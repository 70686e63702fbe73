from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from iom.celery import app as celery_app
from iom.core import access, selectors, services
from iom.core.forms import ApiTokenForm, ApiTokenHolderForm, SignInForm
from iom.core.http import AuthenticatedRequest
from iom.core.models import ApiToken

API_TOKENS_PAGE_SIZE = 25


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


# API tokens -----------------------------------------------------------------------------


def _require_token_holder(request: AuthenticatedRequest) -> None:
    if not access.may_hold_api_token(request.user):
        raise Http404("No such page")


def token_status(token: ApiToken, now: datetime) -> tuple[str, str]:
    """What the list says about a token, and the GOV.UK tag colour that says it."""
    if token.revoked_at is not None:
        return "Revoked", "govuk-tag--red"
    if token.expires_at <= now:
        return "Expired", "govuk-tag--grey"
    return "Active", "govuk-tag--green"


@never_cache
@require_GET
def api_tokens(request: AuthenticatedRequest) -> HttpResponse:
    """The user's API tokens; administrators see everyone's, and may narrow them to one holder."""
    _require_token_holder(request)
    administering = access.can_administer(request.user)
    form = ApiTokenHolderForm(request.GET if "holder" in request.GET else None) if administering else None
    holder = ""
    if form is not None and form.is_bound and form.is_valid():
        holder = form.cleaned_data["holder"]
    tokens = selectors.api_tokens_visible_to(request.user, holder_email=holder)
    page = Paginator(tokens, API_TOKENS_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"token": token, "status": token_status(token, now)} for token in page.object_list]
    return render(
        request,
        "core/api_tokens.html",
        {"administering": administering, "form": form, "holder": holder, "page": page, "rows": rows},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def api_token_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_token_holder(request)
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            issued = services.create_api_token(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            # The secret is shown in this response alone: not stored, not carried through the
            # session to a redirect, and not cached (never_cache sends no-store).
            return render(request, "core/api_token_created.html", {"issued": issued})
    return render(request, "core/api_token_create.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    # Someone else's token is "not found" unless an administrator asks.
    token = selectors.get_api_token_for_user(user=request.user, token_id=token_id)
    if token.revoked_at is not None:
        messages.info(request, f"The token \u201c{token.name}\u201d was already revoked")
        return redirect("account:api-tokens")
    if request.method == "POST":
        services.revoke_api_token(actor=request.user, token=token)
        messages.success(
            request, f"Token \u201c{token.name}\u201d revoked: anything using it can no longer use the API"
        )
        return redirect("account:api-tokens")
    return render(
        request,
        "core/api_token_revoke.html",
        {
            "token": token,
            "status": token_status(token, timezone.now()),
            "own": token.user_id == request.user.pk,
        },
    )
