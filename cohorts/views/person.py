"""What every tab of a person's record shares: fetching, auditing, and the sub-navigation."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from cohorts import selectors
from cohorts.models import Nominal, TimelineEvent
from iom.core import access
from iom.core.http import AuthenticatedRequest

TABS = [
    ("overview", "Overview", "cohorts:nominal-detail"),
    ("timeline", "Timeline", "cohorts:nominal-timeline"),
    ("cohort", "Cohort", "cohorts:nominal-cohort"),
    ("risk", "Risk", "cohorts:nominal-risk"),
    ("custody", "Custody", "cohorts:nominal-custody"),
    ("needs", "Needs", "cohorts:nominal-needs"),
    ("offences", "Offences", "cohorts:nominal-offences"),
    ("team", "Case team", "cohorts:nominal-team"),
    ("history", "History", "cohorts:nominal-history"),
]


@dataclass(frozen=True)
class OverviewPanel:
    """A section another app adds to the overview tab: its template and what it reads."""

    template: str
    build: Callable[[AuthenticatedRequest, Nominal], dict[str, Any]]


OVERVIEW_PANELS: list[OverviewPanel] = []


def register_tab(key: str, label: str, url_name: str, *, after: str) -> None:
    """Apps that build on cohorts (supervision, partners) add their tab to every person's record
    from their AppConfig.ready, so cohorts never imports them (DESIGN §2)."""
    if any(existing == key for existing, _, _ in TABS):
        return
    position = next(i for i, (existing, _, _) in enumerate(TABS) if existing == after) + 1
    TABS.insert(position, (key, label, url_name))


def register_overview_panel(panel: OverviewPanel) -> None:
    if panel not in OVERVIEW_PANELS:
        OVERVIEW_PANELS.append(panel)


# Where a timeline event's source is shown, by "app_label.model" -> URL name taking the source's id.
EVENT_LINKS: dict[str, str] = {}


def register_event_link(model_label: str, url_name: str) -> None:
    EVENT_LINKS[model_label] = url_name


def with_links(events: Iterable[TimelineEvent]) -> list[TimelineEvent]:
    """Give each event a `link` to its source row's page, where an app registered one.
    Content types come from Django's cache, so this adds no queries."""
    linked = []
    for event in events:
        source = ContentType.objects.get_for_id(event.source_type_id)
        url_name = EVENT_LINKS.get(f"{source.app_label}.{source.model}")
        event.link = reverse(url_name, args=[event.source_id]) if url_name else ""  # type: ignore[attr-defined]
        linked.append(event)
    return linked


def overview_panels(request: AuthenticatedRequest, nominal: Nominal) -> list[dict[str, Any]]:
    return [{"template": panel.template, **panel.build(request, nominal)} for panel in OVERVIEW_PANELS]


def person_context(request: AuthenticatedRequest, nominal: Nominal, tab: str) -> dict[str, Any]:
    return {
        "nominal": nominal,
        "person_tabs": [
            {"label": label, "href": reverse(url, args=[nominal.pk]), "current": key == tab}
            for key, label, url in TABS
        ],
        "due_out": nominal.due_out_within(timezone.localdate()),
        "can_edit": access.can_edit_nominal(request.user, nominal),
        "can_manage": access.can_manage_team(request.user, nominal.team_id),
        "can_log_contact": access.can_log_contact(request.user, nominal),
        "break_glass_until": selectors.break_glass_until(request.user, nominal),
        "may_export_subject_access": access.can_export_subject_access(request.user, nominal),
    }


def nominal_for_form(request: AuthenticatedRequest, nominal_id: int) -> Nominal:
    """The person a form page is about. Showing the form shows the record, so a GET is audited as a
    consultation (named after the page); a POST is audited by the service that writes."""
    if request.method == "GET":
        page = request.resolver_match.url_name if request.resolver_match else "form"
        return selectors.open_nominal_record(user=request.user, nominal_id=nominal_id, page=page or "form")
    return selectors.get_nominal_for_user(user=request.user, nominal_id=nominal_id)


def render_tab(
    request: AuthenticatedRequest,
    nominal_id: int,
    tab: str,
    template: str,
    build: Callable[[Nominal], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Open the record (audited as a consultation of this tab) and render the tab with what `build` reads."""
    nominal = selectors.open_nominal_record(user=request.user, nominal_id=nominal_id, page=tab)
    context = person_context(request, nominal, tab)
    if build is not None:
        context.update(build(nominal))
    return render(request, template, context)


def render_person_form(
    request: AuthenticatedRequest,
    nominal: Nominal,
    form: Any,
    *,
    tab: str,
    title: str,
    cancel: str,
    submit_label: str = "",
    template: str = "cohorts/person/form.html",
    **extra: Any,
) -> HttpResponse:
    """A form on a person's record, under the tab it belongs to, with a way back to `cancel`."""
    context = person_context(request, nominal, tab)
    context.update(
        {
            "form": form,
            "form_title": title,
            "submit_label": submit_label,
            "cancel_url": reverse(cancel, args=[nominal.pk]),
            **extra,
        }
    )
    return render(request, template, context)
