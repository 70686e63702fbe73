from django.urls import URLPattern, path

from dataprotection.views import retention

urlpatterns: list[URLPattern] = [
    path("retention/", retention.retention, name="retention"),
    path("retention/<int:nominal_id>/", retention.retention_review, name="retention-review"),
    path("retention/<int:nominal_id>/erase/", retention.retention_erase, name="retention-erase"),
]
