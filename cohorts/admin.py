"""Reference data administrators keep. No case record is registered: administration gives no case access."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cohorts.models import CohortSetting, OffenceCategory
from iom.core.admin import AuditedAdmin


@admin.register(OffenceCategory)
class OffenceCategoryAdmin(AuditedAdmin):
    list_display = ["name", "is_neighbourhood_crime"]
    list_filter = ["is_neighbourhood_crime"]
    search_fields = ["name"]


@admin.register(CohortSetting)
class CohortSettingAdmin(AuditedAdmin):
    list_display = [
        "cohort",
        "review_interval_months",
        "contacts_per_week",
        "absence_window_days",
        "absence_threshold",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per cohort, made by a migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
