import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import selectors, services
from cohorts.forms import CaseloadFilterForm, NewNominalForm
from cohorts.models import Cohort, CohortMembership, Nominal, Pathway, UnmetReason
from iom.core import access, audit
from iom.core.http import AuthenticatedRequest, sort_headers
from iom.core.models import TEAM_ROLES, Team, User

CASELOAD_PAGE_SIZE = 25
EXPORT_COLUMNS = [
    ("Family name", "family_name"),
    ("Given name", "given_name"),
    ("CRN", "crn"),
    ("PNC ID", "pnc_id"),
    ("NOMIS number", "nomis_number"),
    ("Team", "team"),
    ("Cohort", "cohort"),
    ("Review due", "review_due"),
    ("Risk of serious harm", "rosh"),
    ("Statutory status", "statutory_status"),
    ("In custody", "in_custody"),
    ("Conditional release date", "conditional_release_date"),
    ("Latest activity", "last_activity"),
]


def _team_workers(user: User) -> list[User]:
    # Anyone still allocated to the team's people counts too (a worker who moved team or left), so
    # the team dashboard's per-worker links filter instead of failing validation.
    team_ids = access.team_ids(user)
    allocated = selectors.holds_a_case_team_place(Nominal.objects.filter(team_id__in=team_ids))
    in_team = Q(memberships__team_id__in=team_ids, memberships__role__in=TEAM_ROLES, is_active=True)
    return list(User.objects.filter(in_team | allocated).distinct().order_by("full_name"))


def _require_caseload(request: AuthenticatedRequest) -> None:
    # The pages exist for everyone, but only team members have a caseload.
    if not access.works_a_caseload(request.user):
        raise Http404("No such page")


def _filters(request: AuthenticatedRequest) -> tuple[CaseloadFilterForm, selectors.CaseloadFilters]:
    form = CaseloadFilterForm(
        request.GET or None,
        workers=_team_workers(request.user),
        team_ids=sorted(access.team_ids(request.user)),
    )
    if not form.is_valid():
        return form, selectors.CaseloadFilters()
    data = form.cleaned_data
    return form, selectors.CaseloadFilters(
        search=data["q"],
        team=data["team"],
        cohort=data["cohort"],
        worker=data["worker"],
        statutory_status=data["statutory_status"],
        risk=data["risk"],
        custody=data["custody"],
        review=data["review"],
        allocated=data["allocated"],
        need=data["need"],
        need_reason=_need_reason(request),
    )


def _need_reason(request: AuthenticatedRequest) -> str:
    # Not a field of the filter form: dashboards link here with it, and an unknown reason is
    # ignored rather than refusing every other filter with it.
    reason = request.GET.get("need_reason", "")
    return reason if reason in UnmetReason.values else ""


def _need_summary(filters: selectors.CaseloadFilters) -> str:
    """The need filter in words, since the form carries it hidden."""
    if filters.need in Pathway.values:
        summary = f"Unmet need: {Pathway(filters.need).label}"
    elif filters.need_reason and not filters.need:
        summary = "Unmet need on any pathway"
    else:
        return ""
    if filters.need_reason:
        summary += f" ({UnmetReason(filters.need_reason).label.lower()})"
    return summary


def _sort(request: AuthenticatedRequest) -> str:
    sort = request.GET.get("sort", "name")
    return sort if sort in selectors.CASELOAD_SORTS else "name"


@require_GET
def caseload(request: AuthenticatedRequest) -> HttpResponse:
    _require_caseload(request)
    form, filters = _filters(request)
    sort = _sort(request)
    nominals = selectors.caseload_for(request.user, filters=filters, sort=sort)
    page = Paginator(nominals, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user,
        action="caseload.viewed",
        detail={"search": bool(filters.search), "filtered": filters.any, "page": page.number},
    )
    return render(
        request,
        "cohorts/caseload.html",
        {
            "form": form,
            "filters": filters,
            "need_summary": _need_summary(filters),
            "page": page,
            "sort": sort,
            "today": timezone.localdate(),
            "headers": sort_headers(
                request,
                sort,
                [
                    ("name", "Name"),
                    ("crn", "CRN"),
                    ("review_due", "Review due"),
                    ("last_activity", "Latest activity"),
                ],
            ),
            "can_add": any(
                access.can_add_nominal(request.user, team) for team in access.team_ids(request.user)
            ),
            "export_query": request.GET.urlencode(),
            "can_import": bool(access.managed_team_ids(request.user)),
        },
    )


def _cell(value: str) -> str:
    # Names and areas are typed by people: one starting =, +, - or @ would run as a formula in a
    # spreadsheet (CSV injection), so it is opened with an apostrophe, which shows it as text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def caseload_export(request: AuthenticatedRequest) -> StreamingHttpResponse:
    """The filtered caseload as CSV: a disclosure to the person downloading it, so audited."""
    _require_caseload(request)
    _, filters = _filters(request)
    nominals = selectors.caseload_for(request.user, filters=filters, sort=_sort(request))
    audit.record(
        actor=request.user,
        action="caseload.exported",
        detail={"filtered": filters.any, "rows": nominals.count()},
    )
    writer = csv.writer(_Echo())
    cohorts = dict(Cohort.choices)
    risks = dict(CaseloadFilterForm.base_fields["risk"].choices)  # type: ignore[attr-defined]

    def rows() -> Any:
        yield writer.writerow([label for label, _ in EXPORT_COLUMNS])
        for nominal in nominals.iterator(chunk_size=500):
            values = []
            for _, field in EXPORT_COLUMNS:
                value = getattr(nominal, field)
                if field == "statutory_status":
                    value = nominal.get_statutory_status_display()
                elif field == "in_custody":
                    value = "Yes" if value else "No"
                elif field == "cohort" and value:
                    # A proposal is not a place on the cohort: say so, as the page does.
                    proposed = getattr(nominal, "membership_status", "") == CohortMembership.Status.PROPOSED
                    value = f"{cohorts.get(value, value)}{' (proposed)' if proposed else ''}"
                elif field == "rosh" and value:
                    value = risks.get(value, value)
                values.append(_cell("" if value is None else str(value)))
            yield writer.writerow(values)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="caseload-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def nominal_create(request: AuthenticatedRequest) -> HttpResponse:
    teams = [
        team
        for team in Team.objects.filter(pk__in=access.team_ids(request.user))
        if access.can_add_nominal(request.user, team.pk)
    ]
    if not teams:
        raise Http404("No such page")
    form = NewNominalForm(request.POST or None)
    if form.is_bound and form.is_valid():
        team = teams[0]
        try:
            nominal = services.create_nominal(actor=request.user, team=team, **form.values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{nominal.full_name} added to {team.name}")
            return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    return render(request, "cohorts/nominal_create.html", {"form": form, "team": teams[0]})
