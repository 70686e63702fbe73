"""The partner directory: what partner organisations offer, and its upkeep by managers.

The directory holds no case records, so anyone working a caseload reads it; managers and
administrators keep it. Everyone else is answered 404, as if the pages did not exist.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, OrderBy, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from iom.core import access
from iom.core.http import AuthenticatedRequest, sort_headers
from iom.core.models import Region
from partners import selectors, services
from partners.forms.directory import DirectoryFilterForm, PartnerOrganisationForm, PartnerServiceForm
from partners.models import Capacity, PartnerService

DIRECTORY_PAGE_SIZE = 25

# Capacity sorts from "taking referrals" to "not taking referrals", not alphabetically.
_CAPACITY_ORDER = Case(
    *(When(capacity=value, then=Value(rank)) for rank, value in enumerate(Capacity.values)),
    output_field=IntegerField(),
)
DIRECTORY_SORTS: dict[str, tuple[Any, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    # A service whose waiting time is not known sorts last either way: it is no answer to "soonest".
    "wait": (F("typical_wait_days").asc(nulls_last=True), "name", "id"),
    "-wait": (F("typical_wait_days").desc(nulls_last=True), "name", "id"),
    "capacity": (OrderBy(_CAPACITY_ORDER), "name", "id"),
    "-capacity": (OrderBy(_CAPACITY_ORDER, descending=True), "name", "id"),
}
SORT_COLUMNS = [("name", "Service"), ("wait", "Typical wait"), ("capacity", "Capacity")]


def _require_directory(request: AuthenticatedRequest) -> None:
    if not access.can_use_directory(request.user):
        raise Http404("No such page")


def _require_manage_directory(request: AuthenticatedRequest) -> None:
    """Those who read the directory are told they may not change it; anyone else finds nothing."""
    _require_directory(request)
    access.require_manage_directory(request.user)


def _filters(
    request: AuthenticatedRequest, *, may_see_inactive: bool
) -> tuple[DirectoryFilterForm, selectors.DirectoryFilters]:
    form = DirectoryFilterForm(
        request.GET or None,
        regions=list(Region.objects.order_by("name")),
        organisations=list(selectors.partner_organisations()),
        may_see_inactive=may_see_inactive,
    )
    if not form.is_valid():
        return form, selectors.DirectoryFilters()
    data = form.cleaned_data
    return form, selectors.DirectoryFilters(
        search=data["q"].strip(),
        pathway=data["pathway"],
        capacity=data["capacity"],
        region=data["region"],
        organisation=data["organisation"],
        include_inactive=bool(data.get("inactive")),
    )


def _filtered(filters: selectors.DirectoryFilters) -> bool:
    return any(
        value not in ("", None, False)
        for value in (filters.search, filters.pathway, filters.capacity, filters.region, filters.organisation)
    )


@require_GET
def directory(request: AuthenticatedRequest) -> HttpResponse:
    _require_directory(request)
    may_manage = access.can_manage_directory(request.user)
    form, filters = _filters(request, may_see_inactive=may_manage)
    sort = request.GET.get("sort", "name")
    if sort not in DIRECTORY_SORTS:
        sort = "name"
    listed = selectors.directory_services(filters=filters).order_by(*DIRECTORY_SORTS[sort])
    page = Paginator(listed, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/directory/directory.html",
        {
            "form": form,
            "filters": filters,
            "filtered": _filtered(filters),
            "page": page,
            "sort": sort,
            "headers": sort_headers(request, sort, SORT_COLUMNS),
            "may_manage": may_manage,
        },
    )


@require_GET
def service_detail(request: AuthenticatedRequest, service_id: int) -> HttpResponse:
    _require_directory(request)
    service = selectors.get_service(service_id=service_id)
    may_manage = access.can_manage_directory(request.user)
    # A service no longer listed is the managers' to revive or leave; for others it is gone.
    if not service.is_active and not may_manage:
        raise Http404("No such service")
    return render(
        request,
        "partners/directory/service_detail.html",
        {"service": service, "pathways": list(service.pathways.all()), "may_manage": may_manage},
    )


def _render_service_form(
    request: AuthenticatedRequest, form: PartnerServiceForm, *, service: PartnerService | None
) -> HttpResponse:
    return render(request, "partners/directory/service_form.html", {"form": form, "service": service})


@require_http_methods(["GET", "POST"])
def service_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_manage_directory(request)
    organisations = selectors.partner_organisations()
    if request.method == "POST":
        form = PartnerServiceForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                service = services.create_partner_service(actor=request.user, **form.service_values())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"{service.name} added to the directory")
                return redirect("partners:service-detail", service_id=service.pk)
    else:
        initial: dict[str, Any] = {"capacity": Capacity.OPEN, "response_working_days": 5}
        # Arriving from "Add a partner organisation": start from the organisation just added.
        chosen = request.GET.get("organisation", "")
        if chosen.isdigit() and organisations.filter(pk=int(chosen)).exists():
            initial["organisation"] = int(chosen)
        form = PartnerServiceForm(organisations=organisations, initial=initial)
    return _render_service_form(request, form, service=None)


@require_http_methods(["GET", "POST"])
def service_edit(request: AuthenticatedRequest, service_id: int) -> HttpResponse:
    _require_manage_directory(request)
    service = selectors.get_service(service_id=service_id)
    organisations = selectors.partner_organisations()
    if request.method == "POST":
        form = PartnerServiceForm(
            request.POST,
            organisations=organisations,
            editing=True,
            initial=PartnerServiceForm.initial_from(service),
        )
        if form.is_valid():
            try:
                services.update_partner_service(actor=request.user, service=service, **form.service_values())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _changes_saved(form))
                return redirect("partners:service-detail", service_id=service.pk)
    else:
        form = PartnerServiceForm(
            organisations=organisations, editing=True, initial=PartnerServiceForm.initial_from(service)
        )
    return _render_service_form(request, form, service=service)


def _changes_saved(form: PartnerServiceForm) -> str:
    changed = [str(form.fields[name].label).removesuffix(" (optional)") for name in form.changed_data]
    if not changed:
        return "No changes to save: the service is as it was"
    return f"Changes saved: {', '.join(label[0].lower() + label[1:] for label in changed)}"


@require_http_methods(["GET", "POST"])
def organisation_create(request: AuthenticatedRequest) -> HttpResponse:
    _require_manage_directory(request)
    form = PartnerOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organisation = services.create_partner_organisation(
                actor=request.user, name=data["name"], kind=data["kind"], region=data["region"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{organisation.name} added. Now add the first service it offers")
            return redirect(f"{reverse('partners:service-create')}?organisation={organisation.pk}")
    return render(request, "partners/directory/organisation_form.html", {"form": form})
