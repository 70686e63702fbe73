"""/api/…: version 1 of the API, its schema and its docs page.

Each app's `api.py` lists its own endpoints; this only puts them under one version and namespace.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from iom.core import views as core_views
from iom.core.api import account, problems

v1 = [
    *account.urlpatterns,
    re_path(r"^.*$", problems.api_not_found, name="not-found"),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", core_views.api_docs, name="api-docs"),
    re_path(r"^.*$", login_not_required(problems.api_not_found), name="api-not-found"),
]
