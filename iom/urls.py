from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from iom.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("sign-in/", core_views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("account/", include("iom.core.urls")),
    path("readyz", core_views.readyz, name="readyz"),
    path("people/", include("cohorts.urls")),
    path("", include("supervision.urls")),
    path("", include("partners.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("iom.api_urls")),
    path("admin/", admin.site.urls),
]
