"""API clients for tests: as an integration (a real token, through ApiTokenAuthentication) or as
the browser (a signed-in session, with CSRF checks on)."""

from rest_framework.test import APIClient

from iom.core import services
from iom.core.models import User


def token_client(user: User) -> APIClient:
    issued = services.create_api_token(actor=user, name="Tests", lifetime_days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    return client


def session_client(user: User) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def problem_of(response) -> dict:
    """The problem-details body of an error response, checking it is one."""
    assert response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert body["status"] == response.status_code
    return body
