from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import selectors, services
from cohorts.forms import AliasForm, NominalDetailsForm
from cohorts.models import Nominal, TimelineEvent
from cohorts.views.person import person_context, render_tab
from iom.core import access
from iom.core.http import AuthenticatedRequest

TIMELINE_PAGE_SIZE = 20
HISTORY_PAGE_SIZE = 50


@require_GET
def overview(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        return {
            "membership": selectors.current_membership(nominal),
            "assessments": selectors.latest_assessments(nominal),
            "needs": list(nominal.needs.all()),
            "goals": list(nominal.goals.select_related("recorded_by")),
            "feedback": list(nominal.feedback.select_related("recorded_by")[:3]),
            "aliases": list(nominal.aliases.all()),
            "recent": list(selectors.timeline_for(user=request.user, nominal=nominal)[:5]),
        }

    return render_tab(request, nominal_id, "overview", "cohorts/person/overview.html", build)


@require_GET
def timeline(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in TimelineEvent.Kind.values else ""

    def build(nominal: Nominal) -> dict[str, Any]:
        events = selectors.timeline_for(user=request.user, nominal=nominal, kind=kind)
        return {
            "page": Paginator(events, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page")),
            "kinds": TimelineEvent.Kind.choices,
            "kind": kind,
        }

    return render_tab(request, nominal_id, "timeline", "cohorts/person/timeline.html", build)


@require_GET
def history(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        changes = selectors.changes_for(nominal)
        return {"page": Paginator(changes, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))}

    return render_tab(request, nominal_id, "history", "cohorts/person/history.html", build)


@require_http_methods(["GET", "POST"])
def details_edit(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    return edit_record(
        request,
        nominal_id,
        form_class=NominalDetailsForm,
        tab="overview",
        title="Change details",
        template="cohorts/person/details_edit.html",
        done="cohorts:nominal-detail",
    )


def edit_record(
    request: AuthenticatedRequest,
    nominal_id: int,
    *,
    form_class: Any,
    tab: str,
    title: str,
    template: str,
    done: str,
) -> HttpResponse:
    """Edit part of the record with optimistic locking: a stale save shows what changed instead."""
    if request.method == "POST":
        nominal = selectors.get_nominal_for_user(user=request.user, nominal_id=nominal_id)
    else:
        nominal = selectors.open_nominal_record(user=request.user, nominal_id=nominal_id, page=f"{tab}-edit")
    access.require_edit_nominal(request.user, nominal)
    form = form_class.for_nominal(nominal, request.POST or None)
    stale: list[Any] = []
    if form.is_bound and form.is_valid():
        try:
            services.update_nominal(
                actor=request.user,
                nominal=nominal,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except services.StaleRecord as conflict:
            stale = conflict.changes
            form.add_error(
                None,
                "Someone else changed this record while you were editing it. Nothing you entered "
                "has been saved. Check their changes below, then save again if yours still apply.",
            )
            # The next save is a deliberate one, over the record as it is now.
            fresh = Nominal.objects.get(pk=nominal.pk)
            form.data = form.data.copy()
            form.data["version"] = fresh.version
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Changes saved")
            return redirect(done, nominal_id=nominal.pk)
    context = person_context(request, nominal, tab)
    context.update(
        {"form": form, "stale": stale, "form_title": title, "cancel_url": reverse(done, args=[nominal.pk])}
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def alias_create(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = selectors.get_nominal_for_user(user=request.user, nominal_id=nominal_id)
    access.require_edit_nominal(request.user, nominal)
    form = AliasForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.add_alias(actor=request.user, nominal=nominal, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Alias added")
            return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    context = person_context(request, nominal, "overview")
    context.update(
        {
            "form": form,
            "form_title": "Add an alias",
            "submit_label": "Add alias",
            "cancel_url": reverse("cohorts:nominal-detail", args=[nominal.pk]),
        }
    )
    return render(request, "cohorts/person/form.html", context)
