"""Administration of the partner directory. Referrals and their events are case records, so they
are not registered: administration gives no access to case records (DESIGN §1)."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from iom.core.admin import AuditedAdmin
from partners.models import PARTNER_KINDS, PartnerService, ServicePathway


class ServicePathwayInline(admin.TabularInline):
    model = ServicePathway
    extra = 0
    # The services refuse a service with no pathway: workers find services by pathway.
    min_num = 1
    verbose_name = "pathway served"
    verbose_name_plural = "pathways served"

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        # min_num alone only shows the empty row; validate_min refuses a service saved without one.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


@admin.register(PartnerService)
class PartnerServiceAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "capacity", "region", "is_active", "updated_at"]
    list_filter = ["capacity", "is_active", "region"]
    search_fields = ["name", "organisation__name", "area_covered"]
    list_select_related = ["organisation", "region"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [ServicePathwayInline]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = db_field.related_model.objects.filter(kind__in=sorted(PARTNER_KINDS))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The directory shows who last changed a service, wherever the change was made.
        obj.updated_by = request.user
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Referrals keep the service they were sent to; a service that ends is set as not listed.
        return False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[PartnerService]:
        return super().get_queryset(request).select_related("updated_by")
