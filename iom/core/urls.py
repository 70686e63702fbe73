"""The signed-in person's own things: for now, their API tokens."""

from django.urls import path

from iom.core import views

app_name = "account"
urlpatterns = [
    path("api-tokens/", views.api_tokens, name="api-tokens"),
    path("api-tokens/new/", views.api_token_create, name="api-token-create"),
    path("api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
