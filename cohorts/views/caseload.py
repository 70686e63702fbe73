import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import selectors, services
from cohorts.forms import CaseloadFilterForm, NewNominalForm
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
    return list(
        User.objects.filter(
            memberships__team_id__in=access.team_ids(user), memberships__role__in=TEAM_ROLES, is_active=True
        )
        .distinct()
        .order_by("full_name")
    )


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
    )


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
        },
    )


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
                values.append("" if value is None else str(value))
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
