from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_request, name="request"),
    path("dashboard/", views.team_dashboard, name="team-dashboard"),
    path("dashboard/referrals/", views.referrals_dashboard, name="referrals-dashboard"),
    path("<int:report_run_id>/", views.report_detail, name="detail"),
    path("<int:report_run_id>/retry/", views.report_retry, name="retry"),
    path("<int:report_run_id>/download/", views.report_download, name="download"),
    path("<int:report_run_id>/download/tables/", views.report_download_csv, name="download-csv"),
]
