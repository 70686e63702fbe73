"""Every page waits for the second factor; the API answers for itself."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from iom.core import services
from iom.core.factories import UserFactory
from iom.core.models import Role
from tests.actors import build_world, member
from tests.core.second_factor_helpers import authenticator, sign_in_with_password_only

pytestmark = pytest.mark.django_db

SET_UP = reverse("account:second-factor-set-up")
VERIFY = reverse("account:second-factor-verify")
ME = "/api/v1/me/"


@pytest.fixture
def officer():
    return member(Role.POLICE_OFFENDER_MANAGER, team=build_world().own_team)


def test_a_person_with_an_app_is_sent_to_enter_its_code_and_back(client, officer):
    authenticator(officer)
    sign_in_with_password_only(client, officer)

    response = client.get("/people/?page=2")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/people/%3Fpage%3D2"


def test_a_person_without_an_app_is_sent_to_set_one_up(client, officer):
    sign_in_with_password_only(client, officer)
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == f"{SET_UP}?next=/people/"


@pytest.mark.parametrize(
    "url",
    ["/account/security/", "/account/api-tokens/", "/admin/", "/api/docs/", "/", "/reports/"],
)
def test_no_page_is_open_before_the_second_factor(client, officer, url):
    authenticator(officer)
    sign_in_with_password_only(client, officer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_signing_in_and_out_and_the_health_checks_are_open_before_the_second_factor(client, officer):
    authenticator(officer)
    sign_in_with_password_only(client, officer)
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(VERIFY).status_code == 200
    assert client.get(reverse("account:second-factor-recovery-code")).status_code == 200
    assert client.get(reverse("password-reset")).status_code == 200
    # The timeout warning shows on the code page too; staying signed in there is not a way past it.
    assert client.post(reverse("session-extend")).status_code != 302
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/people/")["Location"].startswith(reverse("login"))


def test_a_session_without_the_second_factor_is_refused_by_the_api_with_problem_details(officer):
    api = APIClient()
    sign_in_with_password_only(api, officer)

    response = api.get(ME)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "authenticator app" in response.json()["detail"]


def test_a_session_with_the_second_factor_may_use_the_api(officer):
    api = APIClient()
    api.force_login(officer)
    assert api.get(ME).status_code == 200


def test_an_api_token_needs_no_second_factor(officer):
    issued = services.create_api_token(actor=officer, name="Force data feed", lifetime_days=30)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    assert api.get(ME).status_code == 200


def test_the_session_says_whether_the_second_factor_is_done_without_a_query_per_request(client):
    # django-otp's own middleware loads the device on every request; ours trusts the session's mark,
    # which only a checked code sets and which a reset ends with every session.
    assert "iom.core.second_factor.SessionOTPMiddleware" in settings.MIDDLEWARE
    client.force_login(UserFactory.create())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("account:security")).status_code == 200
    # The security page itself counts the person's app and codes (two queries); nothing else does.
    assert sum("otp_" in query["sql"] for query in queries.captured_queries) == 2


def test_signing_in_again_through_the_admin_asks_for_a_new_code(client):
    """Django keeps a session's data when the same person signs in again, and the admin's sign-in page
    takes a signed-in user: the second factor's mark must not survive a new password sign-in."""
    staff = member(Role.ADMINISTRATOR)
    staff.set_password("plum orchard lantern 47")
    staff.save()
    client.force_login(staff)  # verified (tests/conftest.py)
    assert client.get("/admin/").status_code == 200

    response = client.post("/admin/login/", {"username": staff.email, "password": "plum orchard lantern 47"})

    assert response.status_code == 302
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/admin/")["Location"].startswith(reverse("account:second-factor-verify"))
