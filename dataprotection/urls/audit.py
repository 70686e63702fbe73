from django.urls import URLPattern, path

from dataprotection.views import audit

urlpatterns: list[URLPattern] = [
    path("audit/", audit.audit_events, name="audit"),
    path("audit/download/", audit.audit_export, name="audit-export"),
    path("people/<int:nominal_id>/access/", audit.access_log, name="access-log"),
]
