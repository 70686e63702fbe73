from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import selectors, services
from cohorts.forms import PanelDecisionForm, ProposalForm, ReviewForm
from cohorts.models import Nominal
from cohorts.views.person import nominal_for_form, render_person_form, render_tab
from iom.core import access, audit
from iom.core.http import AuthenticatedRequest


@require_GET
def cohort_tab(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        return {
            "membership": selectors.current_membership(nominal),
            "memberships": list(selectors.membership_history(nominal)),
            "can_propose": access.can_propose_for_cohort(request.user, nominal),
        }

    return render_tab(request, nominal_id, "cohort", "cohorts/person/cohort.html", build)


@require_http_methods(["GET", "POST"])
def propose(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    if not access.can_propose_for_cohort(request.user, nominal):
        raise PermissionDenied("Only the team's workers and managers may propose people for a cohort.")
    form = ProposalForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.propose_for_cohort(
                actor=request.user,
                nominal=nominal,
                cohort=form.cleaned_data["cohort"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{nominal.full_name} proposed for the panel")
            return redirect("cohorts:nominal-cohort", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="cohort",
        title="Propose for a cohort",
        submit_label="Propose for the panel",
        cancel="cohorts:nominal-cohort",
    )


@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    access.require_edit_nominal(request.user, nominal)
    membership = selectors.current_membership(nominal)
    if membership is None or membership.status != membership.Status.ACTIVE:
        raise Http404("This person is not on a cohort to review")
    form = ReviewForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.record_review(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Review recorded")
            return redirect("cohorts:nominal-cohort", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="cohort",
        title=f"Review: {membership.get_cohort_display()} cohort",
        submit_label="Record review",
        cancel="cohorts:nominal-cohort",
        membership=membership,
    )


def _require_panel(request: AuthenticatedRequest) -> None:
    if not access.managed_team_ids(request.user):
        raise Http404("No such page")


@require_GET
def panel(request: AuthenticatedRequest) -> HttpResponse:
    _require_panel(request)
    proposals = list(selectors.panel_queue_for(request.user))
    audit.record(actor=request.user, action="panel.viewed", detail={"proposals": len(proposals)})
    return render(request, "cohorts/panel.html", {"proposals": proposals})


@require_http_methods(["GET", "POST"])
def panel_decision(request: AuthenticatedRequest, membership_id: int) -> HttpResponse:
    _require_panel(request)
    membership = selectors.get_proposal_for_manager(user=request.user, membership_id=membership_id)
    form = PanelDecisionForm(request.POST or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_panel_decision(
                actor=request.user,
                membership=membership,
                accepted=data["decision"] == "accept",
                panel_date=data["panel_date"],
                attendees=data["attendees"],
                rationale=data["rationale"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            outcome = "accepted onto" if data["decision"] == "accept" else "not accepted for"
            messages.success(
                request,
                f"{membership.nominal.full_name} {outcome} the {membership.get_cohort_display()} cohort",
            )
            return redirect("cohorts:panel")
    return render(request, "cohorts/panel_decision.html", {"form": form, "membership": membership})
