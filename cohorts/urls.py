from django.urls import path

from cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("<int:nominal_id>/", views.nominal_detail, name="nominal-detail"),
]
