"""The second factor's pages: setting up an app at the first sign-in, the code at every sign-in,
recovery codes, and Account security."""

import re

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.core import second_factor
from iom.core.factories import UserFactory
from iom.core.models import AuditEvent
from tests.core.second_factor_helpers import authenticator, code_for, sign_in_with_password_only

pytestmark = pytest.mark.django_db

SET_UP = reverse("account:second-factor-set-up")
VERIFY = reverse("account:second-factor-verify")
RECOVERY = reverse("account:second-factor-recovery-code")
SECURITY = reverse("account:security")
NEW_CODES = reverse("account:recovery-codes")


def wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def recovery_codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{5} [a-z2-7]{5})</code></li>", html)


# Setting up --------------------------------------------------------------------------------------


def test_the_set_up_page_shows_a_qr_code_image_and_the_key_in_groups(client):
    user = UserFactory.create()
    sign_in_with_password_only(client, user)

    response = client.get(SET_UP, {"next": "/people/"})

    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert 'src="data:image/svg+xml;base64,' in html
    assert second_factor.secret_in_groups(device) in html
    assert 'name="next" value="/people/"' in html
    assert "no-store" in response["Cache-Control"]


def test_the_right_code_sets_up_the_app_shows_the_recovery_codes_once_and_continues_where_they_were_going(
    client,
):
    user = UserFactory.create()
    sign_in_with_password_only(client, user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SET_UP, {"code": code_for(device), "next": "/people/"})

    assert response.status_code == 200
    html = response.content.decode()
    assert len(recovery_codes_on(html)) == 10
    assert 'href="/people/"' in html
    assert "I have saved these codes" in html
    assert "no-store" in response["Cache-Control"]
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEvent.objects.filter(action="second_factor.enrolled", actor=user).exists()


def test_a_wrong_code_on_set_up_shows_a_govuk_error(client):
    user = UserFactory.create()
    sign_in_with_password_only(client, user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user)

    html = client.post(SET_UP, {"code": wrong(code_for(device))}).content.decode()

    assert "There is a problem" in html
    assert second_factor.WRONG_CODE in html
    assert 'class="govuk-error-message"' in html
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_code_that_is_not_six_digits_is_refused_before_it_is_checked(client):
    user = UserFactory.create()
    sign_in_with_password_only(client, user)
    client.get(SET_UP)
    html = client.post(SET_UP, {"code": "12ab"}).content.decode()
    assert "The code must be 6 digits, like 123456" in html
    assert not AuditEvent.objects.filter(action="second_factor.failed").exists()


def test_someone_with_an_app_is_sent_from_set_up_to_the_code(client):
    user = UserFactory.create()
    authenticator(user)
    sign_in_with_password_only(client, user)
    response = client.get(SET_UP, {"next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fpeople%2F"


# Verifying ---------------------------------------------------------------------------------------


def test_the_code_from_the_app_finishes_signing_in_and_goes_where_they_were_going(client):
    user = UserFactory.create()
    device = authenticator(user)
    sign_in_with_password_only(client, user)
    key_before = client.session.session_key

    response = client.post(VERIFY, {"code": code_for(device), "next": "/people/"})

    assert response.status_code == 302
    assert response["Location"] == "/people/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key != key_before
    assert AuditEvent.objects.filter(action="second_factor.verified", actor=user).exists()


def test_the_verify_page_offers_a_recovery_code_instead(client):
    user = UserFactory.create()
    authenticator(user)
    sign_in_with_password_only(client, user)
    html = client.get(VERIFY, {"next": "/people/"}).content.decode()
    assert "Enter the code from your authenticator app" in html
    assert f'href="{RECOVERY}?next=%2Fpeople%2F"' in html


def test_a_wrong_code_is_an_error_and_a_quick_second_try_is_told_to_wait(client):
    user = UserFactory.create()
    device = authenticator(user)
    sign_in_with_password_only(client, user)

    first = client.post(VERIFY, {"code": wrong(code_for(device))}).content.decode()
    second = client.post(VERIFY, {"code": code_for(device)}).content.decode()

    assert second_factor.WRONG_CODE in first
    assert "You have entered too many wrong codes. Wait" in second
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_next_may_only_lead_to_this_site(client):
    user = UserFactory.create()
    device = authenticator(user)
    sign_in_with_password_only(client, user)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_recovery_code_finishes_signing_in_once_and_says_how_many_are_left(client):
    user = UserFactory.create()
    device = second_factor.enrol_authenticator(actor=user)
    codes = second_factor.confirm_authenticator(actor=user, code=code_for(device)).recovery_codes
    sign_in_with_password_only(client, user)

    response = client.post(RECOVERY, {"code": codes[0], "next": "/people/"}, follow=True)

    assert response.redirect_chain[0] == ("/people/", 302)
    assert "You have 9 recovery codes left" in response.content.decode()
    assert AuditEvent.objects.filter(action="recovery_code.used", actor=user).exists()


def test_a_used_recovery_code_is_refused(client):
    user = UserFactory.create()
    device = second_factor.enrol_authenticator(actor=user)
    codes = second_factor.confirm_authenticator(actor=user, code=code_for(device)).recovery_codes
    second_factor.use_recovery_code(actor=user, code=codes[0])
    sign_in_with_password_only(client, user)

    html = client.post(RECOVERY, {"code": codes[0]}).content.decode()

    assert second_factor.WRONG_RECOVERY_CODE in html
    assert DEVICE_ID_SESSION_KEY not in client.session


# Account security --------------------------------------------------------------------------------


def test_account_security_shows_the_app_and_the_recovery_codes_left(client):
    user = UserFactory.create()
    device = second_factor.enrol_authenticator(actor=user)
    second_factor.confirm_authenticator(actor=user, code=code_for(device))
    client.force_login(user)

    response = client.get(SECURITY)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Set up" in html
    assert "10 unused" in html
    assert f'href="{NEW_CODES}"' in html
    assert f'href="{reverse("password-change")}"' in html


def test_new_recovery_codes_need_a_confirmation_then_are_shown_once_and_the_old_ones_stop_working(client):
    user = UserFactory.create()
    device = second_factor.enrol_authenticator(actor=user)
    old = second_factor.confirm_authenticator(actor=user, code=code_for(device)).recovery_codes
    client.force_login(user)

    confirmation = client.get(NEW_CODES).content.decode()
    response = client.post(NEW_CODES)

    assert "Your old recovery codes will stop working at once" in confirmation
    new = [code.replace(" ", "") for code in recovery_codes_on(response.content.decode())]
    assert len(new) == 10
    assert not set(new) & set(old)
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="recovery_codes.regenerated", actor=user).count() == 1
    assert not second_factor.use_recovery_code(actor=user, code=old[1]).accepted


def test_the_header_links_to_account_security_once_signed_in_fully(client):
    user = UserFactory.create()
    client.force_login(user)
    response = client.get(SECURITY)
    assert "Account security" in [item["text"] for item in response.context["account_navigation"]]


def test_before_the_second_factor_the_header_offers_no_links(client):
    user = UserFactory.create()
    authenticator(user)
    sign_in_with_password_only(client, user)
    response = client.get(VERIFY)
    assert response.context["account_navigation"] == []
    assert response.context["primary_navigation"] == []
