from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cohorts import selectors
from cohorts.forms import CaseloadSearchForm
from iom.core import access, audit
from iom.core.http import AuthenticatedRequest, sort_headers

CASELOAD_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 20


@require_GET
def caseload(request: AuthenticatedRequest):
    form = CaseloadSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    sort = request.GET.get("sort", "name")
    if sort not in selectors.CASELOAD_SORTS:
        sort = "name"
    nominals = selectors.caseload_for(request.user, search=search, sort=sort)
    page = Paginator(nominals, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        actor=request.user, action="caseload.viewed", detail={"search": bool(search), "page": page.number}
    )
    return render(
        request,
        "cohorts/caseload.html",
        {
            "form": form,
            "search": search,
            "page": page,
            "sort": sort,
            "headers": sort_headers(
                request, sort, [("name", "Name"), ("crn", "CRN"), ("last_activity", "Latest activity")]
            ),
            "works_a_caseload": access.works_a_caseload(request.user),
        },
    )


@require_GET
def nominal_detail(request: AuthenticatedRequest, nominal_id: int):
    nominal = selectors.open_nominal_record(user=request.user, nominal_id=nominal_id, page="overview")
    events = selectors.timeline_for(user=request.user, nominal=nominal)
    page = Paginator(events, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/nominal_detail.html",
        {"nominal": nominal, "page": page, "can_log_contact": access.can_log_contact(request.user, nominal)},
    )
