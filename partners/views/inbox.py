"""The partner's side: "Referrals to us", one referral, and the answers and updates a partner gives.

Every page starts from a referral sent to the partner's organisation (selectors.get_referral_for_partner),
so another organisation's referral, a closed one, or anyone who is not partner staff gets 404.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from iom.core import access
from iom.core.http import AuthenticatedRequest
from partners import disclosure, selectors, services
from partners.forms.inbox import (
    AcceptReferralForm,
    CompleteReferralForm,
    DeclineReferralForm,
    InboxFilterForm,
    ProgressUpdateForm,
    ReferralActionForm,
    SessionForm,
)
from partners.models import WORKING_STATUSES, Referral

INBOX_PAGE_SIZE = 25
NOTES_PAGE_SIZE = 20


@dataclass(frozen=True)
class InboxRow:
    referral: Referral
    overdue: bool


def _require_partner(request: AuthenticatedRequest) -> None:
    # Only partner staff have referrals sent to them; for anyone else the pages do not exist.
    if not access.is_partner(request.user):
        raise Http404("No such page")


@require_GET
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    _require_partner(request)
    organisation_id = access.partner_organisation_id(request.user)
    # Every service the organisation offers, listed or not: older referrals may be to a withdrawn one.
    services_offered = (
        list(
            selectors.directory_services(
                filters=selectors.DirectoryFilters(organisation=organisation_id, include_inactive=True)
            ).prefetch_related(None)
        )
        if organisation_id is not None
        else []
    )
    form = InboxFilterForm(request.GET or None, services=services_offered)
    form.is_valid()  # a filter that cannot be read is no filter; the others still apply
    data: dict[str, Any] = getattr(form, "cleaned_data", {})
    tab = data.get("status") or "new"
    sort = data.get("sort") or "due"
    filters = selectors.InboxFilters(status=tab, service=data.get("service"), pathway=data.get("pathway", ""))
    referrals = selectors.inbox_for(user=request.user, filters=filters, sort=sort)
    page = Paginator(referrals, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [InboxRow(referral, selectors.is_overdue(referral, today)) for referral in page.object_list]
    counts = selectors.inbox_counts(user=request.user)
    return render(
        request,
        "partners/inbox/inbox.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "tab": tab,
            "sort": sort,
            "counts": counts,
            "filtered": filters.service is not None or bool(filters.pathway),
            "tabs": [
                {"key": "new", "label": "New", "count": counts["new"]},
                {"key": "working", "label": "Working with", "count": counts["working"]},
            ],
        },
    )


@require_GET
def inbox_detail(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = selectors.open_referral_for_partner(user=request.user, referral_id=referral_id)
    working = referral.status in WORKING_STATUSES
    notes = (
        Paginator(selectors.shareable_notes(user=request.user, referral=referral), NOTES_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        if working
        else None
    )
    return render(
        request,
        "partners/inbox/detail.html",
        {
            "referral": referral,
            "nominal": referral.nominal,
            "shared": disclosure.shared_view(referral.nominal, referral.shared_fields),
            "working": working,
            "new": referral.status == Referral.Status.SENT,
            "overdue": selectors.is_overdue(referral),
            "page": notes,
            "history": list(selectors.referral_history(referral=referral)),
        },
    )


# The partner's answers and updates ----------------------------------------------------------


def _referral(request: AuthenticatedRequest, referral_id: int) -> Referral:
    return selectors.get_referral_for_partner(user=request.user, referral_id=referral_id)


def _not_now(request: AuthenticatedRequest, referral: Referral, doing: str) -> HttpResponse:
    """An action the referral's status does not offer: back to the referral, which shows what it does."""
    status = "new" if referral.status == Referral.Status.SENT else referral.get_status_display().lower()
    messages.info(request, f"Referral {referral.reference} is {status}, so you cannot {doing} now")
    return redirect("partners:inbox-detail", referral_id=referral.pk)


def _render_form(
    request: AuthenticatedRequest,
    referral: Referral,
    form: ReferralActionForm,
    *,
    title: str,
    submit_label: str,
    template: str = "partners/inbox/form.html",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "referral": referral,
            "form": form,
            "form_title": title,
            "submit_label": submit_label,
            "cancel_url": reverse("partners:inbox-detail", args=[referral.pk]),
            **extra,
        },
    )


@require_http_methods(["GET", "POST"])
def accept(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    if request.method == "GET" and referral.status != Referral.Status.SENT:
        return _not_now(request, referral, "accept it")
    if request.method == "POST":
        form = AcceptReferralForm(request.POST)
        if form.is_valid():
            try:
                services.accept_referral(
                    actor=request.user, referral=referral, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    f"Referral {referral.reference} accepted. You can now add updates and sessions, "
                    "and read notes the team shares with partners.",
                )
                return redirect("partners:inbox-detail", referral_id=referral.pk)
    else:
        form = AcceptReferralForm()
    return _render_form(
        request,
        referral,
        form,
        title="Accept the referral",
        submit_label="Accept referral",
        template="partners/inbox/accept.html",
    )


@require_http_methods(["GET", "POST"])
def decline(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    if request.method == "GET" and referral.status != Referral.Status.SENT:
        return _not_now(request, referral, "decline it")
    if request.method == "POST":
        form = DeclineReferralForm(request.POST)
        if form.is_valid():
            try:
                services.decline_referral(
                    actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                # The referral is closed now and its page answers 404, so back to the inbox.
                messages.success(
                    request,
                    f"Referral {referral.reference} declined. The referring worker has been told why.",
                )
                return redirect("partners:inbox")
    else:
        form = DeclineReferralForm()
    return _render_form(
        request,
        referral,
        form,
        title="Decline the referral",
        submit_label="Decline referral",
        template="partners/inbox/decline.html",
    )


@require_http_methods(["GET", "POST"])
def add_update(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    if request.method == "GET" and referral.status not in WORKING_STATUSES:
        return _not_now(request, referral, "add an update")
    if request.method == "POST":
        form = ProgressUpdateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_progress_update(
                    actor=request.user, referral=referral, note=data["note"], occurred_on=data["occurred_on"]
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, "Update added. The referring worker has been told.")
                return redirect("partners:inbox-detail", referral_id=referral.pk)
    else:
        form = ProgressUpdateForm(initial={"occurred_on": timezone.localdate()})
    return _render_form(request, referral, form, title="Add a progress update", submit_label="Add update")


@require_http_methods(["GET", "POST"])
def record_session(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    if request.method == "GET" and referral.status not in WORKING_STATUSES:
        return _not_now(request, referral, "record a session")
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.record_session(
                    actor=request.user,
                    referral=referral,
                    session_on=data["session_on"],
                    attendance=data["attendance"],
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                attendance = event.get_attendance_display().lower()
                messages.success(request, f"Session on {event.occurred_on:%-d %B %Y} recorded: {attendance}")
                return redirect("partners:inbox-detail", referral_id=referral.pk)
    else:
        form = SessionForm(initial={"session_on": timezone.localdate()})
    return _render_form(request, referral, form, title="Record a session", submit_label="Record session")


@require_http_methods(["GET", "POST"])
def complete(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral(request, referral_id)
    if request.method == "GET" and referral.status not in WORKING_STATUSES:
        return _not_now(request, referral, "close it with an outcome")
    if request.method == "POST":
        form = CompleteReferralForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                closed = services.complete_referral(
                    actor=request.user, referral=referral, outcome=data["outcome"], summary=data["summary"]
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                # Closing ends the organisation's access to the person, so the referral's page is gone.
                messages.success(
                    request,
                    f"Referral {closed.reference} closed: {closed.get_outcome_display().lower()}. "
                    "The referring worker has been told.",
                )
                return redirect("partners:inbox")
    else:
        form = CompleteReferralForm()
    return _render_form(
        request,
        referral,
        form,
        title="Close the referral with an outcome",
        submit_label="Close referral",
        template="partners/inbox/complete.html",
    )
