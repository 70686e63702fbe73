"""/api/…: version 1 of the API, its schema and its docs page.

Each app's `api.py` lists its own endpoints; this only puts them under one version and namespace.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from cohorts import api as cohorts_api
from iom.core import views as core_views
from iom.core.api import account, problems
from partners import api as partners_api
from reports import api as reports_api
from supervision import api as supervision_api

v1 = [
    *account.urlpatterns,
    *reports_api.urlpatterns,
    *supervision_api.urlpatterns,
    *cohorts_api.urlpatterns,
    *partners_api.urlpatterns,
    re_path(r"^[\s\S]*$", problems.api_not_found, name="not-found"),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", core_views.api_docs, name="api-docs"),
    re_path(r"^[\s\S]*$", problems.api_not_found, name="api-not-found"),
]
