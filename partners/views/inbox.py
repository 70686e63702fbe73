"""The partner's side: "Referrals to us", one referral, and the answers and updates a partner gives.

Every page starts from a referral sent to the partner's organisation (selectors.get_referral_for_partner),
so another organisation's referral, a closed one, or anyone who is not partner staff gets 404.
"""

from collections.abc import Callable
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
from iom.core.models import User
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


def _not_now(request: AuthenticatedRequest, referral: Referral, action: "PartnerAction") -> HttpResponse:
    """An action the referral's status does not offer: back to the referral, which shows what it does."""
    if referral.status == action.done_status:
        said = f"Referral {referral.reference} has already been {referral.get_status_display().lower()}"
    elif referral.status == Referral.Status.SENT:
        said = f"Referral {referral.reference} is new, so you cannot {action.doing} until it is accepted"
    else:
        status = referral.get_status_display().lower()
        said = f"Referral {referral.reference} is {status}, so you can no longer {action.doing}"
    messages.info(request, said)
    return redirect("partners:inbox-detail", referral_id=referral.pk)


@dataclass(frozen=True)
class PartnerAction:
    """One of the partner's answers or updates: which referrals offer it, its form, the service that
    does it, and what the partner is told. A closing action leaves the referral's page (now 404)
    for the inbox."""

    doing: str
    offered_in: frozenset[str]
    form_class: type[ReferralActionForm]
    act: Callable[[User, Referral, dict[str, Any]], str]
    title: str
    submit_label: str
    template: str = "partners/inbox/form.html"
    closes: bool = False
    initial: Callable[[], dict[str, Any]] = dict
    done_status: str = ""  # the status the action leaves the referral in, if it changes it


def _act(request: AuthenticatedRequest, referral_id: int, action: PartnerAction) -> HttpResponse:
    referral = _referral(request, referral_id)
    # Status before the form: a partner answering a referral a colleague has just answered is told
    # that, not that a field is missing.
    if referral.status not in action.offered_in:
        return _not_now(request, referral, action)
    if request.method == "POST":
        form = action.form_class(request.POST)
        if form.is_valid():
            try:
                done = action.act(request.user, referral, form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, done)
                if action.closes:
                    return redirect("partners:inbox")
                return redirect("partners:inbox-detail", referral_id=referral.pk)
    else:
        form = action.form_class(initial=action.initial())
    return render(
        request,
        action.template,
        {
            "referral": referral,
            "form": form,
            "form_title": action.title,
            "submit_label": action.submit_label,
            "cancel_url": reverse("partners:inbox-detail", args=[referral.pk]),
        },
    )


def _accepted(actor: User, referral: Referral, data: dict[str, Any]) -> str:
    services.accept_referral(actor=actor, referral=referral, note=data["note"])
    return (
        f"Referral {referral.reference} accepted. You can now add updates and sessions, "
        "and read notes the team shares with partners."
    )


def _declined(actor: User, referral: Referral, data: dict[str, Any]) -> str:
    services.decline_referral(actor=actor, referral=referral, reason=data["reason"])
    return f"Referral {referral.reference} declined. The referring worker has been told why."


def _updated(actor: User, referral: Referral, data: dict[str, Any]) -> str:
    services.add_progress_update(
        actor=actor, referral=referral, note=data["note"], occurred_on=data["occurred_on"]
    )
    return "Update added. The referring worker has been told."


def _session_recorded(actor: User, referral: Referral, data: dict[str, Any]) -> str:
    event = services.record_session(
        actor=actor,
        referral=referral,
        session_on=data["session_on"],
        attendance=data["attendance"],
        note=data["note"],
    )
    return f"Session on {event.occurred_on:%-d %B %Y} recorded: {event.get_attendance_display().lower()}"


def _completed(actor: User, referral: Referral, data: dict[str, Any]) -> str:
    closed = services.complete_referral(
        actor=actor, referral=referral, outcome=data["outcome"], summary=data["summary"]
    )
    return (
        f"Referral {closed.reference} closed: {closed.get_outcome_display().lower()}. "
        "The referring worker has been told."
    )


NEW = frozenset({Referral.Status.SENT})
ACCEPT = PartnerAction(
    doing="accept it",
    offered_in=NEW,
    form_class=AcceptReferralForm,
    act=_accepted,
    title="Accept the referral",
    submit_label="Accept referral",
    template="partners/inbox/accept.html",
    done_status=Referral.Status.ACCEPTED,
)
DECLINE = PartnerAction(
    doing="decline it",
    offered_in=NEW,
    form_class=DeclineReferralForm,
    act=_declined,
    title="Decline the referral",
    submit_label="Decline referral",
    template="partners/inbox/decline.html",
    closes=True,
    done_status=Referral.Status.DECLINED,
)
ADD_UPDATE = PartnerAction(
    doing="add an update",
    offered_in=WORKING_STATUSES,
    form_class=ProgressUpdateForm,
    act=_updated,
    title="Add a progress update",
    submit_label="Add update",
    initial=lambda: {"occurred_on": timezone.localdate()},
)
RECORD_SESSION = PartnerAction(
    doing="record a session",
    offered_in=WORKING_STATUSES,
    form_class=SessionForm,
    act=_session_recorded,
    title="Record a session",
    submit_label="Record session",
    initial=lambda: {"session_on": timezone.localdate()},
)
COMPLETE = PartnerAction(
    doing="close it with an outcome",
    offered_in=WORKING_STATUSES,
    form_class=CompleteReferralForm,
    act=_completed,
    title="Close the referral with an outcome",
    submit_label="Close referral",
    template="partners/inbox/complete.html",
    closes=True,
)


@require_http_methods(["GET", "POST"])
def accept(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, ACCEPT)


@require_http_methods(["GET", "POST"])
def decline(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, DECLINE)


@require_http_methods(["GET", "POST"])
def add_update(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, ADD_UPDATE)


@require_http_methods(["GET", "POST"])
def record_session(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, RECORD_SESSION)


@require_http_methods(["GET", "POST"])
def complete(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    return _act(request, referral_id, COMPLETE)
