"""The audit viewer (managers and administrators) and each person's access log (everyone on the record)."""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import batched
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cohorts.models import Nominal
from cohorts.views.person import render_tab
from dataprotection.forms.audit import AuditFilterForm
from dataprotection.selectors import audit as selectors
from iom.core import access, audit
from iom.core.http import AuthenticatedRequest
from iom.core.models import AuditEvent, Membership

AUDIT_PAGE_SIZE = 50
ACCESS_LOG_PAGE_SIZE = 50
EXPORT_CHUNK = 1000

# Tag colours for the kinds, so the eye finds a disclosure or a refusal in a long page.
KIND_TAGS = {
    audit.CONSULTATION: "govuk-tag--blue",
    audit.COLLECTION: "govuk-tag--green",
    audit.ALTERATION: "govuk-tag--turquoise",
    audit.DISCLOSURE: "govuk-tag--orange",
    audit.COMBINATION: "govuk-tag--purple",
    audit.ERASURE: "govuk-tag--pink",
    audit.ACCESS_DENIED: "govuk-tag--red",
    audit.SECURITY: "govuk-tag--grey",
    audit.ADMINISTRATION: "govuk-tag--yellow",
}


@dataclass
class EventRow:
    event: AuditEvent
    kind: str
    kind_label: str
    kind_tag: str
    person: Nominal | None  # when the viewer may open the record
    detail: str


def _rows(events: Iterable[AuditEvent], people: dict[int, Nominal]) -> list[EventRow]:
    rows = []
    for event in events:
        kind = audit.kind_of(event.action)
        rows.append(
            EventRow(
                event=event,
                kind=kind,
                kind_label=audit.kind_label(kind),
                kind_tag=KIND_TAGS.get(kind, ""),
                person=people.get(event.nominal_id) if event.nominal_id is not None else None,
                detail=json.dumps(selectors.shown_detail(event, people), indent=2, sort_keys=True)
                if event.detail
                else "",
            )
        )
    return rows


def _require_audit_viewer(request: AuthenticatedRequest) -> None:
    if not access.can_view_audit(request.user):
        raise Http404("No such page")  # as for any page outside the user's work


@never_cache
@require_GET
def audit_events(request: AuthenticatedRequest) -> HttpResponse:
    _require_audit_viewer(request)
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    page = None
    rows: list[EventRow] = []
    filters = form.filters()
    if not form.errors:
        events = selectors.audit_events_for(user=request.user, filters=filters)
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        people = selectors.people_openable_by(
            user=request.user,
            nominal_ids={e.nominal_id for e in page.object_list if e.nominal_id is not None},
        )
        rows = _rows(page.object_list, people)
        audit.record(
            actor=request.user,
            action="audit.viewed",
            detail={**filters.as_detail(), "page": page.number},
        )
    return render(
        request,
        "dataprotection/audit/events.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "whole_audit": access.sees_whole_audit(request.user),
            "export_query": request.GET.urlencode(),
        },
    )


EXPORT_COLUMNS = [
    "When",
    "Who",
    "User id",
    "Action",
    "Kind",
    "Person",
    "Target type",
    "Target id",
    "Recipient",
    "IP address",
    "Request id",
    "Detail",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: str) -> str:
    # Labels and details hold what people typed (a failed sign-in's email): a value starting =, +, - or @
    # would run as a spreadsheet formula, so it is opened with an apostrophe.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@never_cache
@require_GET
def audit_export(request: AuthenticatedRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered events as CSV. Putting many people's events together is a combination: audited."""
    _require_audit_viewer(request)
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    if form.errors:
        return render(
            request,
            "dataprotection/audit/events.html",
            {"form": form, "filters": form.filters(), "page": None, "rows": []},
            status=400,
        )
    filters = form.filters()
    events = selectors.audit_events_for(user=request.user, filters=filters)
    audit.record(
        actor=request.user, action="audit.exported", detail={**filters.as_detail(), "rows": events.count()}
    )
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for chunk in batched(events.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
            # Free text about a person only where the viewer may open them: one query per chunk.
            people = selectors.people_openable_by(
                user=request.user, nominal_ids={e.nominal_id for e in chunk if e.nominal_id is not None}
            )
            for event in chunk:
                yield writer.writerow(_export_row(event, people))

    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _export_row(event: AuditEvent, people: dict[int, Nominal]) -> list[object]:
    return [
        timezone.localtime(event.occurred_at).isoformat(),
        _cell(event.actor_label),
        event.actor_id or "",
        event.action,
        audit.kind_label(audit.kind_of(event.action)),
        event.nominal_id or "",
        event.target_type,
        _cell(event.target_id),
        _cell(event.recipient.name) if event.recipient else "",
        event.ip_address or "",
        event.request_id,
        _cell(json.dumps(selectors.shown_detail(event, people), sort_keys=True)) if event.detail else "",
    ]


# Who has looked at this record ---------------------------------------------------------------------------


@dataclass
class AccessRow:
    event: AuditEvent
    kind_label: str
    kind_tag: str
    page: str
    roles: str
    break_glass: bool


def _roles(memberships: Iterable[Membership]) -> str:
    labels = []
    for membership in memberships:
        scope = membership.team or membership.region
        label = membership.get_role_display()
        labels.append(f"{label}, {scope}" if scope is not None else label)
    return "; ".join(labels)


def _access_rows(events: Iterable[AuditEvent]) -> list[AccessRow]:
    rows = []
    for event in events:
        kind = audit.kind_of(event.action)
        actor = event.actor
        rows.append(
            AccessRow(
                event=event,
                kind_label=audit.kind_label(kind),
                kind_tag=KIND_TAGS.get(kind, ""),
                page=str(event.detail.get("page", "")) if isinstance(event.detail, dict) else "",
                roles=_roles(actor.memberships.all()) if actor is not None else "",
                break_glass=event.action.startswith("nominal.break_glass")
                or bool(isinstance(event.detail, dict) and event.detail.get("break_glass")),
            )
        )
    return rows


@never_cache
@require_GET
def access_log(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    """Everyone who has opened or changed this person's record. Opening it is a consultation too,
    audited by render_tab as every tab is."""

    def build(nominal: Nominal) -> dict[str, Any]:
        if not access.can_see_access_log(request.user, nominal):
            raise Http404("No such person")
        page = Paginator(selectors.access_log_for(nominal=nominal), ACCESS_LOG_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return {
            "page": page,
            "rows": _access_rows(page.object_list),
            "people_who_looked": selectors.people_who_looked(nominal=nominal),
            "days": selectors.ACCESS_LOG_DAYS,
        }

    return render_tab(request, nominal_id, "access", "dataprotection/audit/access_log.html", build)
