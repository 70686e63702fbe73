"""Two budgets: each token's, so one integration cannot starve its holder's others, and each
user's, across all their tokens and their browser session."""

import pytest
from rest_framework.test import APIClient

from iom.core import services
from iom.core.api.throttling import PerTokenThrottle, PerUserThrottle
from iom.core.models import Role
from tests.actors import build_world, member
from tests.api.clients import problem_of, session_client, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"


@pytest.fixture
def rates(monkeypatch):
    """DRF reads THROTTLE_RATES once, at import; a rate on the class wins over it."""

    def set_rates(*, token: str = "1000/minute", user: str = "1000/minute") -> None:  # noqa: S107 (rates)
        monkeypatch.setattr(PerTokenThrottle, "rate", token, raising=False)
        monkeypatch.setattr(PerUserThrottle, "rate", user, raising=False)

    return set_rates


@pytest.fixture
def officer():
    return member(Role.POLICE_OFFENDER_MANAGER, team=build_world().own_team)


def second_token_client(user):
    client = token_client(user)
    issued = services.create_api_token(actor=user, name="Second feed", lifetime_days=30)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    return client


def assert_throttled(response):
    assert response.status_code == 429
    body = problem_of(response)
    assert body["type"] == "urn:iom:problem:too-many-requests"
    assert "throttled" in body["detail"].lower()
    assert 0 < int(response["Retry-After"]) <= 60


def test_each_token_has_its_own_budget(rates, officer):
    rates(token="2/minute")
    feed, other_feed = token_client(officer), second_token_client(officer)

    assert feed.get(URL).status_code == 200
    assert feed.get(URL).status_code == 200
    assert_throttled(feed.get(URL))
    # The holder's other token, and their browser, are not held up by it.
    assert other_feed.get(URL).status_code == 200
    assert session_client(officer).get(URL).status_code == 200


def test_each_user_has_one_budget_across_tokens_and_session(rates, officer):
    rates(user="3/minute")
    feed, other_feed, browser = token_client(officer), second_token_client(officer), session_client(officer)

    assert feed.get(URL).status_code == 200
    assert other_feed.get(URL).status_code == 200
    assert browser.get(URL).status_code == 200
    assert_throttled(other_feed.get(URL))
    assert_throttled(browser.get(URL))
    # Someone else's budget is their own.
    colleague = member(Role.MANAGER, team=officer.memberships.get().team)
    assert token_client(colleague).get(URL).status_code == 200


def test_refused_requests_are_not_throttled_but_refused(rates, officer):
    """Authentication comes first: a caller with no credentials is told so, not told to wait."""
    rates(user="1/minute")
    anonymous = APIClient()

    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(URL).status_code == 401
