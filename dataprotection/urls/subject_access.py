from django.urls import URLPattern, path

from dataprotection.views import subject_access as views

urlpatterns: list[URLPattern] = [
    # GET: what the export holds and the person's earlier exports; POST: prepare a new one.
    path("people/<int:nominal_id>/subject-access/", views.subject_access, name="subject-access"),
    path("subject-access/<int:export_id>/", views.subject_access_export, name="subject-access-export"),
    path(
        "subject-access/<int:export_id>/<str:export_format>/",
        views.subject_access_download,
        name="subject-access-download",
    ),
]
