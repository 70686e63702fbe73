"""Retention review pages: the list (due, restricted, decisions), one person's review, and the
erasure confirmation. Managers of the person's team only; everyone else is answered 404."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cohorts.models import Nominal, RetentionStatus
from dataprotection.forms.retention import ErasureForm, RetentionFilterForm, RetentionReviewForm
from dataprotection.models import RetentionDecision
from dataprotection.selectors import retention as selectors
from dataprotection.services import retention as services
from iom.core import access, audit
from iom.core.http import AuthenticatedRequest, query_with, sort_headers
from iom.core.models import Team

PAGE_SIZE = 25
Decision = RetentionDecision.Decision


def _require_reviewer(request: AuthenticatedRequest) -> None:
    if not access.retention_team_ids(request.user):
        raise Http404("No such page")


def _filters(
    request: AuthenticatedRequest, teams: list[Team]
) -> tuple[RetentionFilterForm, selectors.RetentionFilters]:
    view = request.GET.get("view", "due")
    sort = request.GET.get("sort", "left")
    form = RetentionFilterForm(request.GET or None, teams=teams)
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors.RetentionFilters(
        view=view if view in selectors.VIEWS else "due",
        team=data.get("team"),
        search=data.get("q", ""),
        sort=sort if sort in selectors.SORTS else "left",
    )


@never_cache
@require_GET
def retention(request: AuthenticatedRequest) -> HttpResponse:
    _require_reviewer(request)
    today = timezone.localdate()
    teams = list(Team.objects.filter(pk__in=access.retention_team_ids(request.user)).order_by("name"))
    form, filters = _filters(request, teams)
    rows: Any
    if filters.view == "restricted":
        rows = selectors.restricted_people(user=request.user, filters=filters)
    elif filters.view == "decisions":
        rows = selectors.retention_decisions(user=request.user, filters=filters)
    else:
        rows = selectors.people_due_for_retention_review(user=request.user, today=today, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    decision_rows = []
    if filters.view == "decisions":
        people = selectors.people_named_in(list(page.object_list), user=request.user)
        decision_rows = [(decision, people.get(decision.nominal_id)) for decision in page.object_list]
    else:
        for nominal in page.object_list:
            nominal.last_decision_label = (
                Decision(nominal.last_decision).label if nominal.last_decision else ""
            )
    audit.record(
        actor=request.user,
        action="retention.list_viewed",
        detail={"view": filters.view, "filtered": bool(filters.team or filters.search), "page": page.number},
    )
    tabs = [
        {
            "view": view,
            "label": label,
            "href": query_with(request, view=view, page=None),
            "current": view == filters.view,
        }
        for view, label in (
            ("due", "Due for review"),
            ("restricted", "Restricted"),
            ("decisions", "Decisions"),
        )
    ]
    headers = sort_headers(request, filters.sort, [("name", "Name"), ("left", "Left IOM")])
    return render(
        request,
        "dataprotection/retention/list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "decision_rows": decision_rows,
            "tabs": tabs,
            "headers": headers,
            "today": today,
            "years": settings.IOM_RETENTION_REVIEW_YEARS,
            "cut_off": selectors.review_cut_off(today),
        },
    )


def _decisions_open(nominal: Nominal, *, due: bool) -> list[str]:
    """What the review may decide now: a due record may be kept, restricted or erased; a restricted
    one returned to use or erased; anything else nothing."""
    if nominal.retention_status == RetentionStatus.RESTRICTED:
        return [Decision.RETURN_TO_USE, Decision.ERASE]
    if due:
        return [Decision.KEEP, Decision.RESTRICT, Decision.ERASE]
    return []


@never_cache
@require_http_methods(["GET", "POST"])
def retention_review(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    _require_reviewer(request)
    nominal = selectors.get_person_for_retention_review(user=request.user, nominal_id=nominal_id)
    today = timezone.localdate()
    due = selectors.is_due_for_review(nominal, today=today)
    decisions = _decisions_open(nominal, due=due)
    form = RetentionReviewForm(
        request.POST if decisions and request.method == "POST" else None, decisions=decisions
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["decision"] == Decision.ERASE:
            return redirect("dataprotection:retention-erase", nominal_id=nominal.pk)
        try:
            if data["decision"] == Decision.KEEP:
                services.keep_after_review(
                    actor=request.user,
                    nominal=nominal,
                    reason=data["reason"],
                    next_review_on=data["next_review_on"],
                )
                message = (
                    f"{nominal.full_name}'s record kept until its next review on "
                    f"{data['next_review_on'].day} {data['next_review_on']:%B %Y}"
                )
            elif data["decision"] == Decision.RESTRICT:
                services.restrict_after_review(actor=request.user, nominal=nominal, reason=data["reason"])
                message = f"{nominal.full_name}'s record restricted: it is hidden from normal use"
            else:
                services.return_to_use(
                    actor=request.user,
                    nominal=nominal,
                    reason=data["reason"],
                    next_review_on=data["next_review_on"],
                )
                message = f"{nominal.full_name}'s record returned to normal use"
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, message)
            return redirect("dataprotection:retention")
    audit.record(actor=request.user, action="retention.review_viewed", target=nominal, nominal_id=nominal.pk)
    return render(
        request,
        "dataprotection/retention/review.html",
        {
            "nominal": nominal,
            "form": form,
            "due": due,
            "decisions_open": decisions,
            "history": list(selectors.decisions_about(nominal)),
            "years": settings.IOM_RETENTION_REVIEW_YEARS,
            "today": today,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def retention_erase(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    _require_reviewer(request)
    nominal = selectors.get_person_for_retention_review(user=request.user, nominal_id=nominal_id)
    if not services.may_be_erased(nominal, today=timezone.localdate()):
        messages.error(
            request,
            f"{nominal.full_name}'s record may be erased only when it is due for retention review "
            "or has been restricted after review",
        )
        return redirect("dataprotection:retention-review", nominal_id=nominal.pk)
    form = ErasureForm(request.POST or None, expected_family_name=nominal.family_name)
    if form.is_bound and form.is_valid():
        name = nominal.full_name
        try:
            services.erase_personal_data(
                actor=request.user, nominal=nominal, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{name}'s personal data erased. The audit trail is kept.")
            return redirect(f"{reverse('dataprotection:retention')}?view=decisions")
    audit.record(actor=request.user, action="retention.erasure_viewed", target=nominal, nominal_id=nominal.pk)
    return render(
        request,
        "dataprotection/retention/erase.html",
        {
            "nominal": nominal,
            "form": form,
            "counts": selectors.erasure_counts(selectors.rows_held_on(nominal)),
        },
    )
