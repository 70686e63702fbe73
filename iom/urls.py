from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from iom.core import views as core_views
from iom.core.views import passwords, sessions

urlpatterns = [
    path("", core_views.home, name="home"),
    path("sign-in/", core_views.SignInView.as_view(), name="login"),
    # Password reset, for anyone: named password-reset* so the second-factor check lets them through.
    path("sign-in/reset/", passwords.ResetRequestView.as_view(), name="password-reset"),
    path("sign-in/reset/sent/", passwords.ResetSentView.as_view(), name="password-reset-done"),
    path("sign-in/reset/done/", passwords.ResetCompleteView.as_view(), name="password-reset-complete"),
    path(
        "sign-in/reset/<uidb64>/<token>/",
        passwords.ResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/extend/", sessions.session_extend, name="session-extend"),
    path("healthz", core_views.healthz, name="healthz"),
    path("account/password/", passwords.ChangeView.as_view(), name="password-change"),
    path("account/password/changed/", passwords.ChangeDoneView.as_view(), name="password-change-done"),
    path("account/", include("iom.core.urls")),
    path("readyz", core_views.readyz, name="readyz"),
    path("people/", include("cohorts.urls")),
    path("", include("supervision.urls")),
    path("", include("partners.urls")),
    path("reports/", include("reports.urls")),
    path("data-protection/", include("dataprotection.urls")),
    path("api/", include("iom.api_urls")),
    path("admin/", admin.site.urls),
]
