"""The team's side of referrals: a person's Referrals tab, making a referral (or recording that no
service exists), following one up, and the list of the referrals for the team's people."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import selectors as cohort_selectors
from cohorts.models import Nominal, Pathway
from cohorts.views.person import nominal_for_form, person_context, render_tab
from iom.core import access, audit
from iom.core.http import AuthenticatedRequest
from iom.core.models import TEAM_ROLES, Team, User
from partners import disclosure, selectors, services
from partners.forms.referrals import (
    CONSENT,
    NoServiceForm,
    PathwayForm,
    ReferralForm,
    TeamReferralFilterForm,
    WithdrawForm,
)
from partners.models import OPEN_STATUSES, Referral, ReferralEvent

TEAM_REFERRALS_PAGE_SIZE = 25


# What the pages show --------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    overdue: bool


def referral_rows(referrals: Iterable[Referral]) -> list[ReferralRow]:
    today = timezone.localdate()
    return [ReferralRow(referral, selectors.is_overdue(referral, today)) for referral in referrals]


@dataclass(frozen=True)
class HistoryEntry:
    """A referral event as the history says it: a title for what happened; the event has the rest."""

    event: ReferralEvent
    title: str


def history_title(event: ReferralEvent, referral: Referral) -> str:
    if event.kind == ReferralEvent.Kind.PROGRESS:
        return "Progress update"
    if event.kind == ReferralEvent.Kind.SESSION:
        return f"Session on {event.occurred_on:%-d %b %Y}: {event.get_attendance_display().lower()}"
    match event.to_status:
        case Referral.Status.DRAFT:
            return "Draft created"
        case Referral.Status.SENT:
            return f"Sent to {referral.organisation.name}"
        case Referral.Status.IN_PROGRESS:
            return "Work started"
        case Referral.Status.COMPLETED if referral.outcome:
            return f"Completed: {referral.get_outcome_display().lower()}"
    return event.get_to_status_display()


def basis_text(referral: Referral) -> str:
    """The lawful basis in one line, with the consent date or agreement it rests on."""
    if not referral.lawful_basis:
        return "Not recorded yet"
    if referral.lawful_basis == CONSENT:
        when = (
            f"on {referral.consent_given_on:%-d %B %Y}"
            if referral.consent_given_on
            else "(date not recorded)"
        )
        return f"The person consented {when}"
    agreement = referral.sharing_agreement or "no information sharing agreement recorded"
    return f"{referral.get_lawful_basis_display()}, under {agreement}"


def _status_message(referral: Referral, rule: str) -> str:
    return f"Referral {referral.reference} is {referral.get_status_display().lower()}{rule}"


# A person's referrals -------------------------------------------------------------------


@require_GET
def nominal_referrals(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        rows = referral_rows(selectors.referrals_for_nominal(nominal=nominal))
        # The tab shows each need's status now, not its history: no need for needs_for's prefetch.
        needs = {need.pathway: need for need in cohort_selectors.needs_for(nominal).prefetch_related(None)}
        open_by_pathway: dict[str, int] = {}
        for row in rows:
            if row.referral.status in OPEN_STATUSES:
                open_by_pathway[row.referral.pathway] = open_by_pathway.get(row.referral.pathway, 0) + 1
        return {
            "rows": rows,
            "pathways": [
                (value, label, needs.get(value), open_by_pathway.get(value, 0))
                for value, label in Pathway.choices
            ],
            "can_refer": access.can_refer(request.user, nominal),
        }

    return render_tab(request, nominal_id, "referrals", "partners/person/referrals.html", build)


def referrals_overview(request: AuthenticatedRequest, nominal: Nominal) -> dict[str, Any]:
    """The "Referrals" panel on the person's Overview tab: their open referrals. One query."""
    rows = referral_rows(
        selectors.referrals_for_nominal(nominal=nominal).filter(status__in=sorted(OPEN_STATUSES))
    )
    return {"open_referrals": rows, "overdue": sum(row.overdue for row in rows)}


def _referring(request: AuthenticatedRequest, nominal_id: int) -> Nominal:
    nominal = nominal_for_form(request, nominal_id)
    access.require_refer(request.user, nominal)
    return nominal


def _posted(request: AuthenticatedRequest) -> QueryDict | None:
    """A POST binds the form even when empty, so an empty submission is told what is missing."""
    return request.POST if request.method == "POST" else None


def _no_service_url(nominal: Nominal, pathway: str) -> str:
    return f"{reverse('partners:record-no-service', args=[nominal.pk])}?pathway={pathway}"


def _render_on_tab(
    request: AuthenticatedRequest, nominal: Nominal, template: str, **context: Any
) -> HttpResponse:
    return render(request, template, {**person_context(request, nominal, "referrals"), **context})


@require_http_methods(["GET", "POST"])
def referral_create(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    """Two steps: the pathway (a GET form, so the choice is in the address), then the service and
    the referral. A pathway with no service at all offers to record the need as unmet instead."""
    nominal = _referring(request, nominal_id)
    pathway_form = PathwayForm(request.GET if "pathway" in request.GET else None)
    if not pathway_form.is_valid():
        needs = {need.pathway: need for need in cohort_selectors.needs_for(nominal).prefetch_related(None)}
        return _render_on_tab(
            request,
            nominal,
            "partners/person/referral_pathway.html",
            form=pathway_form,
            pathways=[(value, label, needs.get(value)) for value, label in Pathway.choices],
        )
    pathway = pathway_form.cleaned_data["pathway"]
    offered = list(selectors.services_for_referral(nominal=nominal, pathway=pathway))
    context = {
        "pathway": pathway,
        "pathway_label": Pathway(pathway).label,
        "no_service_url": _no_service_url(nominal, pathway),
        "change_pathway_url": reverse("partners:referral-create", args=[nominal.pk]),
    }
    if not any(service.takes_referrals() for service in offered):
        return _render_on_tab(
            request, nominal, "partners/person/no_service_offered.html", closed=offered, **context
        )
    sending = request.POST.get("action") != "draft"
    form = ReferralForm(
        _posted(request), services=offered, sending=sending, initial={"submission_id": str(uuid.uuid4())}
    )
    if form.is_bound and form.is_valid():
        try:
            referral = services.create_referral(
                actor=request.user,
                nominal=nominal,
                pathway=pathway,
                send=sending,
                submission_id=form.cleaned_data["submission_id"],
                **form.referral_fields(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            # A second submission of the same form answers with the first referral, as it stands.
            if referral.status != Referral.Status.DRAFT:
                messages.success(
                    request, f"Referral {referral.reference} sent to {referral.organisation.name}"
                )
            else:
                messages.success(request, f"Draft saved: referral {referral.reference} has not been sent")
            return redirect("partners:referral-detail", referral_id=referral.pk)
    return _render_on_tab(
        request,
        nominal,
        "partners/person/referral_form.html",
        form=form,
        **context,
    )


@require_http_methods(["GET", "POST"])
def record_no_service(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = _referring(request, nominal_id)
    form = NoServiceForm(_posted(request), pathway=request.GET.get("pathway", ""))
    if form.is_bound and form.is_valid():
        pathway = form.cleaned_data["pathway"]
        try:
            services.record_no_service_available(
                actor=request.user, nominal=nominal, pathway=pathway, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, f"{Pathway(pathway).label} need recorded as unmet: no service available"
            )
            return redirect("cohorts:nominal-needs", nominal_id=nominal.pk)
    pathway = form["pathway"].value() if form.pathway_fixed else ""
    return _render_on_tab(
        request,
        nominal,
        "partners/person/record_no_service.html",
        form=form,
        pathway_label=Pathway(pathway).label if pathway else "",
    )


# One referral ---------------------------------------------------------------------------


@require_GET
def referral_detail(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = selectors.open_referral(user=request.user, referral_id=referral_id)
    can_refer = access.can_refer(request.user, referral.nominal)
    return render(
        request,
        "partners/referrals/detail.html",
        {
            "referral": referral,
            "overdue": selectors.is_overdue(referral),
            "basis": basis_text(referral),
            "shared": disclosure.labels(referral.shared_fields),
            "history": [
                HistoryEntry(event, history_title(event, referral))
                for event in selectors.referral_history(referral=referral)
            ],
            "can_change_draft": can_refer and referral.status == Referral.Status.DRAFT,
            "can_withdraw": can_refer and referral.may_be_withdrawn(),
        },
    )


def _referral_to_act_on(request: AuthenticatedRequest, referral_id: int) -> Referral:
    """A referral the user may change: showing the form shows the referral (a consultation, logged);
    a POST is logged by the service that writes. Outside the team 404, in it but not a referrer 403."""
    if request.method == "GET":
        referral = selectors.open_referral(user=request.user, referral_id=referral_id)
    else:
        referral = selectors.get_referral_for_user(user=request.user, referral_id=referral_id)
    access.require_refer(request.user, referral.nominal)
    return referral


@require_http_methods(["GET", "POST"])
def referral_edit(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral_to_act_on(request, referral_id)
    if request.method == "GET" and referral.status != Referral.Status.DRAFT:
        messages.error(request, _status_message(referral, ": only a draft can be changed"))
        return redirect("partners:referral-detail", referral_id=referral.pk)
    offered = list(selectors.services_for_referral(nominal=referral.nominal, pathway=referral.pathway))
    # "Save and continue" goes on to the disclosure's confirmation, so it needs what sending needs.
    continuing = request.POST.get("action") != "draft"
    form = ReferralForm(
        _posted(request),
        services=offered,
        sending=continuing,
        initial=ReferralForm.initial_for(referral),
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_draft_referral(
                actor=request.user, referral=referral, pathway=referral.pathway, **form.referral_fields()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if continuing:
                return redirect("partners:referral-send", referral_id=referral.pk)
            messages.success(request, f"Draft saved: referral {referral.reference} has not been sent")
            return redirect("partners:referral-detail", referral_id=referral.pk)
    return render(
        request,
        "partners/referrals/edit.html",
        {
            "referral": referral,
            "form": form,
            "pathway_label": referral.get_pathway_display(),
            "no_service_url": _no_service_url(referral.nominal, referral.pathway),
        },
    )


@require_http_methods(["GET", "POST"])
def referral_send(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    """Sending is a disclosure: the page says what goes to whom and on what basis before it goes."""
    referral = _referral_to_act_on(request, referral_id)
    if request.method == "GET" and referral.status != Referral.Status.DRAFT:
        messages.error(request, _status_message(referral, ": only a draft can be sent"))
        return redirect("partners:referral-detail", referral_id=referral.pk)
    problem: ValidationError | None = None
    if request.method == "POST":
        try:
            referral = services.send_referral(actor=request.user, referral=referral)
        except ValidationError as error:
            problem = error
        else:
            messages.success(request, f"Referral {referral.reference} sent to {referral.organisation.name}")
            return redirect("partners:referral-detail", referral_id=referral.pk)
    return render(
        request,
        "partners/referrals/send.html",
        {
            "referral": referral,
            "shared": disclosure.labels(referral.shared_fields),
            "basis": basis_text(referral),
            "problems": problem.messages if problem is not None else [],
        },
    )


@require_http_methods(["GET", "POST"])
def referral_withdraw(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral_to_act_on(request, referral_id)
    if request.method == "GET" and not referral.may_be_withdrawn():
        messages.error(request, _status_message(referral, ", so it can no longer be withdrawn"))
        return redirect("partners:referral-detail", referral_id=referral.pk)
    form = WithdrawForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.withdraw_referral(
                actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Referral {referral.reference} withdrawn")
            return redirect("partners:referral-detail", referral_id=referral.pk)
    return render(request, "partners/referrals/withdraw.html", {"referral": referral, "form": form})


# The team's referrals -------------------------------------------------------------------


def _team_filter_form(request: AuthenticatedRequest) -> TeamReferralFilterForm:
    user = request.user
    team_ids = sorted(access.team_ids(user))
    # Names are only shown to someone in more than one team; one team's id is enough to check a link.
    teams = (
        list(Team.objects.filter(pk__in=team_ids).order_by("name").values_list("pk", "name"))
        if len(team_ids) > 1
        else [(team_id, "") for team_id in team_ids]
    )
    workers = list(
        User.objects.filter(
            memberships__team_id__in=team_ids, memberships__role__in=TEAM_ROLES, is_active=True
        )
        .distinct()
        .order_by("full_name")
    )
    return TeamReferralFilterForm(
        request.GET or None,
        organisations=list(selectors.partner_organisations().values_list("pk", "name")),
        workers=workers,
        teams=teams,
        me=user,
    )


@require_GET
def team_referrals(request: AuthenticatedRequest) -> HttpResponse:
    if not access.works_a_caseload(request.user):
        raise Http404("No such page")
    form = _team_filter_form(request)
    chosen = form.valid_values() if form.is_bound else {}
    sort = chosen.get("sort") or "newest"
    filters = selectors.ReferralFilters(
        status=chosen.get("status", ""),
        pathway=chosen.get("pathway", ""),
        organisation=chosen.get("organisation"),
        service=chosen.get("service"),
        overdue=chosen.get("overdue", False),
        referred_by=chosen.get("referred_by"),
        team=chosen.get("team"),
        since=chosen.get("since"),
    )
    referrals = selectors.team_referrals(user=request.user, filters=filters, sort=sort)
    page = Paginator(referrals, TEAM_REFERRALS_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user,
        action="team_referrals.viewed",
        detail={"filtered": filters.any, "overdue": filters.overdue, "page": page.number},
    )
    return render(
        request,
        "partners/referrals/team_list.html",
        {
            "form": form,
            "filters": filters,
            "sort": sort,
            "page": page,
            "rows": referral_rows(page.object_list),
            # The preset is offered while it is not what is shown: how many wait on a partner's answer.
            "overdue_count": None
            if filters.overdue
            else selectors.overdue_referrals(user=request.user).count(),
        },
    )
