"""Reference tables the governance packs read, kept by administrators: the unit costs of crime and
each team's area baseline. Report runs are not registered: they are requested and downloaded through
the service, where downloads are audited as disclosures."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from iom.core.admin import AuditedAdmin
from reports.models import AreaBaseline, CrimeUnitCost


@admin.register(CrimeUnitCost)
class CrimeUnitCostAdmin(AuditedAdmin):
    list_display = ["category", "cost", "cost_category", "price_year", "updated_at"]
    list_filter = ["price_year", "category__is_neighbourhood_crime"]
    search_fields = ["category__name", "cost_category", "source"]
    list_select_related = ["category"]
    readonly_fields = ["updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The pack prints the price year beside the costs; the date says when a figure was last set.
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(AreaBaseline)
class AreaBaselineAdmin(AuditedAdmin):
    list_display = ["team", "dimension", "category", "share", "year", "source"]
    list_filter = ["dimension", "year", "team__region", "team"]
    search_fields = ["team__name", "category", "source"]
    list_select_related = ["team"]
