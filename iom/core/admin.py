"""Administration of people, organisations and teams. It gives no access to case records:
no domain model is registered here, and every change made here is audited."""

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.core import audit, second_factor, services
from iom.core.models import ApiToken, AuditEvent, Membership, Organisation, Region, Team, User

admin.site.site_header = "IOM case manager administration"
admin.site.site_title = "IOM case manager administration"

# django-otp's own device pages would show each authenticator app's secret key and let an
# administrator add a device for someone else: both would defeat the second factor. Administrators
# reset a person's second factor from the person's page instead (UserAdmin below).
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit row in the same transaction as each change made through the admin."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = "changed" if change else "created"
            changed = sorted(form.changed_data) if change else []
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action=f"{obj._meta.model_name}.{action}",
                target=obj,
                detail={"fields": changed},
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for saved in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                audit.record(actor=request.user, action=f"{saved._meta.model_name}.saved", target=saved)  # type: ignore[arg-type]
            for deleted in formset.deleted_objects:
                audit.record(
                    actor=request.user,  # type: ignore[arg-type]
                    action=f"{deleted._meta.model_name}.deleted",
                    target_type=deleted._meta.label_lower,
                    target_id=deleted.pk,
                    detail={"was": str(deleted)},
                )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            label, pk, text = obj._meta.label_lower, obj.pk, str(obj)
            super().delete_model(request, obj)
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action=f"{obj._meta.model_name}.deleted",
                target_type=label,
                target_id=pk,
                detail={"was": text},
            )

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in list(queryset):
                self.delete_model(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["team", "region"]


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "organisation", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "organisation", "memberships__role"]
    search_fields = ["full_name", "email"]
    form = UserChangeForm
    add_form = AdminUserCreationForm
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "organisation")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "organisation", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined", "second_factor"]
    change_form_template = "core/second_factor/admin_user_change_form.html"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, ("Signing in", {"fields": ("second_factor",)}))

    @admin.display(description="Second factor")
    def second_factor(self, obj: User) -> str:
        if second_factor.authenticator_for(obj) is None:
            return "No authenticator app: set up at their next sign-in"
        left = second_factor.recovery_codes_left(obj)
        return f"Authenticator app set up; {left} recovery code{'' if left == 1 else 's'} left"

    def get_urls(self) -> list[URLPattern]:
        reset = path(
            "<path:object_id>/reset-second-factor/",
            self.admin_site.admin_view(self.reset_second_factor_view),
            name="core_user_reset_second_factor",
        )
        return [reset, *super().get_urls()]

    def reset_second_factor_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Lost phone: a confirmation, then the person's app and recovery codes are removed."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404("No such person")
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            second_factor.reset_second_factor(actor=request.user, user=user)  # type: ignore[arg-type]
            self.message_user(
                request,
                f"{user.full_name}'s second factor was reset: they are signed out, and will set up an "
                "authenticator app when they next sign in",
                messages.SUCCESS,
            )
            return redirect("admin:core_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reset {user.full_name}'s second factor",
            "opts": self.model._meta,
            "original": user,
            "has_authenticator": second_factor.authenticator_for(user) is not None,
            "recovery_codes_left": second_factor.recovery_codes_left(user),
        }
        return TemplateResponse(request, "core/second_factor/admin_reset.html", context)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    filter_horizontal = ["organisations"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes anyway; this keeps the buttons honest."""

    list_display = [
        "occurred_at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "nominal_id",
        "ip_address",
    ]
    list_filter = ["action"]
    search_fields = ["actor_label", "action", "target_id", "request_id"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "recipient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


API_TOKEN_FIELDS = (
    "user",
    "name",
    "key_id",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
    "revoked_by",
)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only, apart from revoking through the service (so each revocation is audited).

    Tokens are created by their holders alone (Account, API tokens), and the digest is never shown.
    """

    list_display = ["user", "name", "key_id", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["user__email", "user__full_name", "name", "key_id"]
    list_select_related = ["user", "revoked_by"]
    # Named one by one so that secret_digest can never appear.
    fields = readonly_fields = API_TOKEN_FIELDS
    actions = ["revoke_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke_selected(self, request: HttpRequest, queryset: models.QuerySet[ApiToken]) -> None:
        live = [token for token in queryset.select_related("user") if token.revoked_at is None]
        with transaction.atomic():
            for token in live:
                services.revoke_api_token(actor=request.user, token=token)  # type: ignore[arg-type]
        plural = "" if len(live) == 1 else "s"
        self.message_user(request, f"Revoked {len(live)} token{plural}", messages.SUCCESS)


# Sign-in lockouts (django-axes). Deleting an access attempt lifts its lockout at once: axes' own admin
# would let an administrator do that without a trace, so it is registered again here, audited. Its logs
# of attempts are read-only: the audit trail already records each sign-in, failure and lockout.
for _axes_model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_axes_model):
        admin.site.unregister(_axes_model)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    """Access attempts: deleting one unlocks the account (or address) it locked, recorded as
    user.unlocked with the username and address, in the same transaction."""

    # axes' "clean up expired attempts" deletes without naming what went; expired attempts lock nobody.
    actions: list[str] = []

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        with transaction.atomic():
            pk, username, ip_address = obj.pk, obj.username or "", obj.ip_address or ""
            super().delete_model(request, obj)
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action="user.unlocked",
                target_type="axes.accessattempt",
                target_id=pk,
                detail={
                    "username": username,
                    "ip_address": ip_address,
                    "failures": obj.failures_since_start,
                },
            )

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[AccessAttempt]) -> None:
        with transaction.atomic():
            for obj in list(queryset):
                self.delete_model(request, obj)


class _ReadOnlyAxesLog:
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessLog)
class ReadOnlyAccessLogAdmin(_ReadOnlyAxesLog, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class ReadOnlyAccessFailureLogAdmin(_ReadOnlyAxesLog, AccessFailureLogAdmin):
    pass
