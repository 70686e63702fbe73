from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import services
from cohorts.forms import AllocationForm
from cohorts.models import Allocation, Nominal
from cohorts.views.person import nominal_for_form, render_person_form, render_tab
from iom.core import access
from iom.core.http import AuthenticatedRequest
from iom.core.models import User


@require_GET
def team_tab(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    def build(nominal: Nominal) -> dict[str, Any]:
        return {"allocations": list(nominal.allocations.select_related("worker", "allocated_by"))}

    return render_tab(request, nominal_id, "team", "cohorts/person/team.html", build)


@require_http_methods(["GET", "POST"])
def allocate(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    nominal = nominal_for_form(request, nominal_id)
    access.require_manage_team(request.user, nominal.team_id)
    workers = list(
        User.objects.filter(
            memberships__team_id=nominal.team_id,
            is_active=True,
            memberships__role__in=[r for roles in services.ALLOCATION_ROLES.values() for r in roles],
        )
        .distinct()
        .order_by("full_name")
    )
    form = AllocationForm(request.POST or None, workers=workers)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        worker = next((w for w in workers if w.pk == data["worker"]), None)
        try:
            services.allocate_worker(
                actor=request.user,
                nominal=nominal,
                role=Allocation.Role(data["role"]),
                worker=worker,
                started_on=data["started_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Case team updated")
            return redirect("cohorts:nominal-team", nominal_id=nominal.pk)
    return render_person_form(
        request,
        nominal,
        form,
        tab="team",
        title="Change the case team",
        submit_label="Save",
        cancel="cohorts:nominal-team",
    )
