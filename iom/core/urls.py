"""The signed-in person's own things: their API tokens and their sign-in security (the second
factor's pages, which a person reaches before the second factor is done, are here too)."""

from django.urls import path

from iom.core import views
from iom.core.views import second_factor

app_name = "account"
urlpatterns = [
    path("api-tokens/", views.api_tokens, name="api-tokens"),
    path("api-tokens/new/", views.api_token_create, name="api-token-create"),
    path("api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("security/", second_factor.security, name="security"),
    path("security/recovery-codes/", second_factor.recovery_codes, name="recovery-codes"),
    path("second-factor/set-up/", second_factor.set_up, name="second-factor-set-up"),
    path("second-factor/", second_factor.verify, name="second-factor-verify"),
    path("second-factor/recovery-code/", second_factor.recovery_code, name="second-factor-recovery-code"),
]
