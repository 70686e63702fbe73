from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import identifiers, selectors, services
from cohorts.forms import AliasForm, NominalDetailsForm
from cohorts.models import NeedStatus, Nominal, NominalChange, TimelineEvent
from cohorts.views.person import nominal_for_form, overview_panels, render_person_form, render_tab, with_links
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
            # "No need" rows are assessments, not needs: listing none of them would leave the row blank.
            "needs": list(nominal.needs.exclude(status=NeedStatus.NO_NEED)),
            "goals": list(nominal.goals.select_related("recorded_by")),
            "feedback": list(nominal.feedback.select_related("recorded_by")[:3]),
            "aliases": list(nominal.aliases.all()),
            "recent": with_links(selectors.timeline_for(user=request.user, nominal=nominal)[:5]),
            "panels": overview_panels(request, nominal),
        }

    return render_tab(request, nominal_id, "overview", "cohorts/person/overview.html", build)


@require_GET
def timeline(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in TimelineEvent.Kind.values else ""

    def build(nominal: Nominal) -> dict[str, Any]:
        events = selectors.timeline_for(user=request.user, nominal=nominal, kind=kind)
        page = Paginator(events, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = with_links(page.object_list)
        return {
            "page": page,
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
    nominal = nominal_for_form(request, nominal_id)
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
            form.data = _over_current_record(form, Nominal.objects.get(pk=nominal.pk), stale)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Changes saved")
            return redirect(done, nominal_id=nominal.pk)
    return render_person_form(
        request, nominal, form, tab=tab, title=title, cancel=done, template=template, stale=stale
    )


def _over_current_record(form: Any, fresh: Nominal, stale: list[NominalChange]) -> QueryDict:
    """The user's entries, moved onto the current version of the record.

    A field someone else changed, which this user left as they found it, takes its new value:
    otherwise saving again would put back the old value and silently undo the other change.
    Where both changed the same field, the user's entry stays and the table shows the other.
    """
    data = form.data.copy()
    data["version"] = str(fresh.version)
    found: dict[str, str] = {}
    for change in sorted(stale, key=lambda change: change.version):
        found.setdefault(change.field, change.old_value)
    for field, was in found.items():
        if field not in form.fields or field not in form.cleaned_data:
            continue
        entered = form.cleaned_data[field]
        if field in services.IDENTIFIER_FIELDS:
            entered = identifiers.normalise(entered or "") or None
        if services._display(fresh, field, entered) == was:
            now = form.fields[field].widget.format_value(getattr(fresh, field))
            data.setlist(field, now if isinstance(now, list) else ["" if now is None else str(now)])
    return data


@require_http_methods(["GET", "POST"])
def alias_create(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
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
    return render_person_form(
        request,
        nominal,
        form,
        tab="overview",
        title="Add an alias",
        submit_label="Add alias",
        cancel="cohorts:nominal-detail",
    )
