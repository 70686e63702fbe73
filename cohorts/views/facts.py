"""Risk, custody, needs, offences and the person's own voice."""

from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from cohorts import selectors
from cohorts.models import Nominal, Pathway
from cohorts.views.person import render_tab
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


urlpatterns: list[URLPattern] = [
    path("<int:nominal_id>/risk/", risk, name="nominal-risk"),
    path("<int:nominal_id>/custody/", custody, name="nominal-custody"),
    path("<int:nominal_id>/needs/", needs, name="nominal-needs"),
    path("<int:nominal_id>/offences/", offences, name="nominal-offences"),
]
