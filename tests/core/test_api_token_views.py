"""Account → API tokens: the list, creating a token (shown once), and revoking one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from iom.core import services
from iom.core.factories import UserFactory
from iom.core.models import ApiToken, AuditEvent, Role
from iom.core.views import API_TOKENS_PAGE_SIZE
from tests.actors import build_world, member

pytestmark = pytest.mark.django_db

LIST = reverse("account:api-tokens")
CREATE = reverse("account:api-token-create")


def revoke_url(token: ApiToken) -> str:
    return reverse("account:api-token-revoke", args=[token.pk])


def issue(user, name="Force data feed", days=90) -> services.IssuedToken:
    return services.create_api_token(actor=user, name=name, lifetime_days=days)


@pytest.fixture
def officer():
    return member(Role.POLICE_OFFENDER_MANAGER, team=build_world().own_team)


# The list ----------------------------------------------------------------------------------


def test_the_list_says_when_there_are_no_tokens_and_offers_to_create_one(client, officer):
    client.force_login(officer)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "You have no API tokens" in html
    assert f'href="{CREATE}"' in html
    assert 'href="/api/docs/"' in html


def test_the_list_shows_each_token_with_its_status_and_when_it_was_last_used(client, officer):
    active = issue(officer, name="Data feed").token
    expired = issue(officer, name="Old feed").token
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    revoked = services.revoke_api_token(actor=officer, token=issue(officer, name="Leaked feed").token)
    ApiToken.objects.filter(pk=active.pk).update(last_used_at=timezone.now())
    client.force_login(officer)

    response = client.get(LIST)

    rows = {row["token"].name: row["status"][0] for row in response.context["rows"]}
    assert rows == {"Data feed": "Active", "Old feed": "Expired", "Leaked feed": "Revoked"}
    html = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Active</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--grey">Expired</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--red">Revoked</strong>' in html
    assert html.count(">Never<") == 2
    # A revoked token has nothing left to do.
    assert revoke_url(revoked) not in html
    assert revoke_url(active) in html


def test_the_list_never_shows_another_persons_tokens(client, officer):
    issue(member(Role.PARTNER), name="Partner's feed")
    client.force_login(officer)
    response = client.get(LIST)
    assert "Partner's feed" not in response.content.decode()
    assert response.context["rows"] == []


def test_the_list_pages_after_25_tokens(client, officer):
    tokens = [
        ApiToken(user=officer, name=f"Feed {n}", key_id=f"k{n}", secret_digest="x", expires_at=timezone.now())
        for n in range(API_TOKENS_PAGE_SIZE + 3)
    ]
    ApiToken.objects.bulk_create(tokens)
    client.force_login(officer)
    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})
    assert len(first.context["rows"]) == API_TOKENS_PAGE_SIZE
    assert len(second.context["rows"]) == 3
    assert 'aria-label="Pagination"' in first.content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_the_list_takes_the_same_queries_for_one_token_or_a_page_of_them(
    client, officer, django_assert_num_queries, count
):
    revoker = member(Role.ADMINISTRATOR)
    for n in range(count):
        services.revoke_api_token(actor=revoker, token=issue(officer, name=f"Feed {n}").token)
    client.force_login(officer)
    # session, user, memberships (navigation), count for the paginator, the page of tokens
    # with their holders and revokers.
    with django_assert_num_queries(5):
        assert client.get(LIST).status_code == 200


def test_someone_who_uses_no_part_of_the_service_has_no_tokens_page(client):
    client.force_login(UserFactory.create())
    assert client.get(LIST).status_code == 404
    assert client.get(CREATE).status_code == 404


def test_an_administrator_sees_everyones_tokens_and_can_narrow_them_to_one_holder(client, officer):
    partner = member(Role.PARTNER)
    issue(officer, name="Police feed")
    issue(partner, name="Housing feed")
    client.force_login(member(Role.ADMINISTRATOR))

    everyone = client.get(LIST)
    assert {row["token"].name for row in everyone.context["rows"]} == {"Police feed", "Housing feed"}
    assert officer.email in everyone.content.decode()

    one = client.get(LIST, {"holder": partner.email.upper()})
    assert [row["token"].name for row in one.context["rows"]] == ["Housing feed"]
    assert f"Tokens held by {partner.email.upper()}" in one.content.decode()

    nobody = client.get(LIST, {"holder": "nobody@example.org"})
    assert "No tokens held by nobody@example.org" in nobody.content.decode()


def test_an_administrator_is_told_when_the_holder_is_not_an_email_address(client):
    client.force_login(member(Role.ADMINISTRATOR))
    response = client.get(LIST, {"holder": "not an address"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_holder">Enter the holder&#x27;s email address, like name@example.org</a>' in html


def test_a_practitioner_cannot_narrow_the_list_to_someone_else(client, officer):
    issue(officer, name="Police feed")
    other = member(Role.PARTNER)
    issue(other, name="Housing feed")
    client.force_login(officer)
    response = client.get(LIST, {"holder": other.email})
    assert [row["token"].name for row in response.context["rows"]] == ["Police feed"]


# Creating a token --------------------------------------------------------------------------


def test_the_form_asks_what_the_token_is_for_and_how_long_it_lasts(client, officer):
    client.force_login(officer)
    html = client.get(CREATE).content.decode()
    assert "What is the token for?" in html
    for label in ("30 days", "90 days", "1 year (365 days)"):
        assert label in html


def test_creating_a_token_shows_it_once_and_keeps_only_its_digest(client, officer):
    client.force_login(officer)

    response = client.post(CREATE, {"name": "Force data feed", "lifetime_days": "90"})

    assert response.status_code == 200  # rendered here, not redirected: the secret is never stored
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=officer)
    raw = response.context["issued"].raw
    assert raw.startswith(f"iom_{token.key_id}_")
    html = response.content.decode()
    assert f'value="{raw}"' in html
    assert "You will not see it again" in html
    assert raw.split("_", 2)[2] not in token.secret_digest
    assert token.expires_at - token.created_at == timedelta(days=90)
    assert raw not in str(dict(client.session))
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor, event.target_id) == (officer, str(token.pk))
    # Back on the list, it is there, without its secret.
    listed = client.get(LIST).content.decode()
    assert "Force data feed" in listed
    assert raw not in listed


def test_the_token_shown_works_for_the_api(client, officer):
    client.force_login(officer)
    raw = client.post(CREATE, {"name": "Force data feed", "lifetime_days": "30"}).context["issued"].raw
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me/").json()["email"] == officer.email


def test_an_empty_form_says_what_is_missing_and_creates_nothing(client, officer):
    client.force_login(officer)
    response = client.post(CREATE, {"name": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert '<a href="#id_name">Enter what the token is for</a>' in html
    assert '<a href="#id_lifetime_days_0">Choose how long the token lasts</a>' in html
    assert not ApiToken.objects.exists()


def test_a_lifetime_not_offered_is_refused(client, officer):
    client.force_login(officer)
    response = client.post(CREATE, {"name": "Feed", "lifetime_days": "3650"})
    assert "Choose how long the token lasts" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_services_limit_on_live_tokens_shows_against_the_name(client, officer):
    for n in range(services.MAX_ACTIVE_TOKENS):
        issue(officer, name=f"Feed {n}")
    client.force_login(officer)
    response = client.post(CREATE, {"name": "One more", "lifetime_days": "30"})
    assert response.context["form"].errors["name"] == [
        f"You have {services.MAX_ACTIVE_TOKENS} tokens in use already. Revoke one you no longer need"
    ]
    assert ApiToken.objects.filter(user=officer).count() == services.MAX_ACTIVE_TOKENS


# Revoking ----------------------------------------------------------------------------------


def test_revoking_asks_first_then_revokes_and_audits(client, officer):
    token = issue(officer).token
    client.force_login(officer)

    confirm = client.get(revoke_url(token))
    assert confirm.status_code == 200
    assert "Revoke Force data feed" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "revoked: anything using it can no longer use the API" in response.content.decode()
    token.refresh_from_db()
    assert (token.revoked_at is not None, token.revoked_by) == (True, officer)
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert (event.actor, event.target_id) == (officer, str(token.pk))


def test_a_revoked_token_no_longer_works_for_the_api(client, officer):
    issued = issue(officer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    assert api.get("/api/v1/me/").status_code == 200
    client.force_login(officer)
    client.post(revoke_url(issued.token))
    assert api.get("/api/v1/me/").status_code == 401


def test_someone_elses_token_is_not_found(client, officer):
    token = issue(member(Role.PARTNER)).token
    client.force_login(officer)
    assert client.get(revoke_url(token)).status_code == 404
    assert client.post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_administrator_revokes_anyones_token(client, officer):
    token = issue(officer).token
    administrator = member(Role.ADMINISTRATOR)
    client.force_login(administrator)
    confirm = client.get(revoke_url(token)).content.decode()
    assert escape(officer.full_name) in confirm  # names like O'Brien are escaped in the page
    assert client.post(revoke_url(token)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == administrator
    assert AuditEvent.objects.get(action="api_token.revoked").detail["holder"] == officer.email


def test_a_token_already_revoked_goes_back_to_the_list(client, officer):
    token = services.revoke_api_token(actor=officer, token=issue(officer).token)
    client.force_login(officer)
    response = client.post(revoke_url(token), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "was already revoked" in response.content.decode()
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


# Finding the pages -------------------------------------------------------------------------


def test_the_header_links_to_api_tokens_and_the_footer_to_the_api_reference(client, officer):
    client.force_login(officer)
    response = client.get("/", follow=True)
    assert [item["text"] for item in response.context["account_navigation"]] == [
        "API tokens",
        "Account security",
    ]
    html = response.content.decode()
    assert f'<a class="govuk-link" href="{LIST}">API tokens</a>' in html
    assert '<a class="govuk-footer__link" href="/api/docs/">API reference</a>' in html


def test_partners_hold_tokens_too(client):
    client.force_login(member(Role.PARTNER))
    response = client.get("/", follow=True)
    assert [item["text"] for item in response.context["account_navigation"]] == [
        "API tokens",
        "Account security",
    ]
    assert client.get(LIST).status_code == 200


def test_signed_out_pages_offer_no_account_links(client):
    html = client.get("/sign-in/").content.decode()
    assert LIST not in html
    assert "/api/docs/" not in html
