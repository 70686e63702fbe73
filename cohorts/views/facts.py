"""Risk, custody, needs, offences and the person's own voice."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import selectors, services
from cohorts.forms import (
    AssessmentForm,
    CustodyForm,
    FeedbackForm,
    GoalForm,
    GoalStatusForm,
    NeedForm,
    OffenceForm,
)
from cohorts.models import Nominal, Pathway
from cohorts.views import record
from cohorts.views.person import nominal_for_form, render_person_form, render_tab
from iom.core import access
from iom.core.http import AuthenticatedRequest


@require_GET
def risk(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        return {
            "latest": selectors.latest_assessments(nominal),
            "assessments": list(selectors.assessment_history(nominal)),
        }

    return render_tab(request, nominal_id, "risk", "cohorts/person/risk.html", build)


@require_GET
def custody(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    return render_tab(request, nominal_id, "custody", "cohorts/person/custody.html")


@require_GET
def needs(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        recorded = {need.pathway: need for need in selectors.needs_for(nominal)}
        return {"pathways": [(value, label, recorded.get(value)) for value, label in Pathway.choices]}

    return render_tab(request, nominal_id, "needs", "cohorts/person/needs.html", build)


@require_GET
def offences(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        return {"offences": list(nominal.offences.select_related("category", "recorded_by"))}

    return render_tab(request, nominal_id, "offences", "cohorts/person/offences.html", build)


def _nominal_to_edit(request: AuthenticatedRequest, nominal_id: int) -> Nominal:
    """404 when out of scope, 403 when seen but not theirs to change; opening the form is audited."""
    nominal = nominal_for_form(request, nominal_id)
    access.require_edit_nominal(request.user, nominal)
    return nominal


def _posted(request: AuthenticatedRequest) -> QueryDict | None:
    """The submitted data, even when empty: an empty POST is a submission and shows its errors."""
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
def assessment_create(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = _nominal_to_edit(request, nominal_id)
    form = AssessmentForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            assessment = services.record_assessment(actor=request.user, nominal=nominal, **form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{assessment.get_kind_display()} recorded")
            return redirect("cohorts:nominal-risk", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="risk",
        title="Record an assessment",
        submit_label="Record assessment",
        cancel="cohorts:nominal-risk",
    )


@require_http_methods(["GET", "POST"])
def custody_edit(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    return record.edit_record(
        request,
        nominal_id,
        form_class=CustodyForm,
        tab="custody",
        title="Change custody and key dates",
        template="cohorts/person/details_edit.html",
        done="cohorts:nominal-custody",
    )


@require_http_methods(["GET", "POST"])
def need_update(request: AuthenticatedRequest, nominal_id: int, pathway: str) -> HttpResponse:
    nominal = _nominal_to_edit(request, nominal_id)
    if pathway not in Pathway.values:
        raise Http404("No such pathway")
    need = next((need for need in selectors.needs_for(nominal) if need.pathway == pathway), None)
    form = NeedForm(_posted(request), need=need)
    if form.is_bound and form.is_valid():
        try:
            services.update_need(actor=request.user, nominal=nominal, pathway=pathway, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{Pathway(pathway).label} need updated")
            return redirect("cohorts:nominal-needs", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="needs",
        title=f"Update need: {Pathway(pathway).label}",
        submit_label="Save update",
        cancel="cohorts:nominal-needs",
        template="cohorts/person/need_update.html",
        need=need,
        # Prefetched by needs_for, newest first (NeedUpdate's ordering).
        history=list(need.updates.all()) if need else [],
    )


@require_http_methods(["GET", "POST"])
def offence_create(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = _nominal_to_edit(request, nominal_id)
    form = OffenceForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            offence = services.record_offence(actor=request.user, nominal=nominal, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{offence.get_kind_display()} recorded")
            return redirect("cohorts:nominal-offences", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="offences",
        title="Record an offence or arrest",
        submit_label="Record",
        cancel="cohorts:nominal-offences",
    )


@require_http_methods(["GET", "POST"])
def goal_create(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = _nominal_to_edit(request, nominal_id)
    form = GoalForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.add_goal(actor=request.user, nominal=nominal, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Goal added")
            return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="overview",
        title="Add a goal",
        submit_label="Add goal",
        cancel="cohorts:nominal-detail",
    )


@require_http_methods(["GET", "POST"])
def goal_update(request: AuthenticatedRequest, nominal_id: int, goal_id: int) -> HttpResponse:
    nominal = _nominal_to_edit(request, nominal_id)
    # Through the person's own goals, so another person's goal is not found.
    goal = nominal.goals.filter(pk=goal_id).first()
    if goal is None:
        raise Http404("No such goal")
    form = GoalStatusForm(_posted(request), initial={"status": goal.status})
    if form.is_bound and form.is_valid():
        try:
            services.set_goal_status(actor=request.user, goal=goal, status=form.cleaned_data["status"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Goal updated")
            return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="overview",
        title="Change a goal's status",
        submit_label="Save",
        cancel="cohorts:nominal-detail",
        template="cohorts/person/goal_update.html",
        goal=goal,
    )


@require_http_methods(["GET", "POST"])
def feedback_create(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = _nominal_to_edit(request, nominal_id)
    form = FeedbackForm(_posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.record_feedback(actor=request.user, nominal=nominal, **form.cleaned_data)
        except ValidationError as error:
            # "Say something" has no field of its own: link it to the first box, as GOV.UK asks.
            form.add_error(None if hasattr(error, "error_dict") else "what_helps", error)
        else:
            messages.success(request, "Feedback recorded")
            return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="overview",
        title="Record what helps and what does not",
        submit_label="Record feedback",
        cancel="cohorts:nominal-detail",
    )


urlpatterns: list[URLPattern] = [
    path("<int:nominal_id>/risk/", risk, name="nominal-risk"),
    path("<int:nominal_id>/custody/", custody, name="nominal-custody"),
    path("<int:nominal_id>/needs/", needs, name="nominal-needs"),
    path("<int:nominal_id>/offences/", offences, name="nominal-offences"),
    path("<int:nominal_id>/risk/new/", assessment_create, name="assessment-create"),
    path("<int:nominal_id>/custody/edit/", custody_edit, name="custody-edit"),
    path("<int:nominal_id>/needs/<str:pathway>/", need_update, name="need-update"),
    path("<int:nominal_id>/offences/new/", offence_create, name="offence-create"),
    path("<int:nominal_id>/goals/new/", goal_create, name="goal-create"),
    path("<int:nominal_id>/goals/<int:goal_id>/", goal_update, name="goal-update"),
    path("<int:nominal_id>/feedback/new/", feedback_create, name="feedback-create"),
]
