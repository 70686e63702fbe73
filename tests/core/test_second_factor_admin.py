"""Administrators reset a person's second factor (a lost phone) from the person's admin page."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.core.factories import UserFactory
from iom.core.models import AuditEvent, Role
from tests.actors import member
from tests.core.second_factor_helpers import authenticator

pytestmark = pytest.mark.django_db


def reset_url(user) -> str:
    return reverse("admin:core_user_reset_second_factor", args=[user.pk])


def test_the_persons_page_says_whether_they_have_an_app_and_offers_the_reset(client):
    person = UserFactory.create()
    authenticator(person)
    client.force_login(member(Role.ADMINISTRATOR))

    html = client.get(reverse("admin:core_user_change", args=[person.pk])).content.decode()

    assert "Authenticator app set up; 0 recovery codes left" in html
    assert f'href="{reset_url(person)}"' in html


def test_the_reset_asks_first_and_changes_nothing_until_confirmed(client):
    person = UserFactory.create(full_name="Amy Bell")
    authenticator(person)
    client.force_login(member(Role.ADMINISTRATOR))

    html = client.get(reset_url(person)).content.decode()

    assert "Reset Amy Bell&#x27;s second factor" in html
    assert "Yes, reset their second factor" in html
    assert TOTPDevice.objects.filter(user=person).exists()


def test_confirming_removes_the_app_and_codes_signs_them_out_and_is_audited(client):
    administrator = member(Role.ADMINISTRATOR)
    person = UserFactory.create()
    authenticator(person)
    StaticDevice.objects.create(user=person, name="Recovery codes", confirmed=True)
    epoch = person.session_epoch
    client.force_login(administrator)

    response = client.post(reset_url(person))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_user_change", args=[person.pk])
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert person.session_epoch == epoch + 1
    event = AuditEvent.objects.get(action="second_factor.reset")
    assert (event.actor, event.target_id) == (administrator, str(person.pk))


def test_staff_without_the_right_to_change_people_cannot_reset(client):
    person = UserFactory.create()
    authenticator(person)
    client.force_login(UserFactory.create(is_staff=True))
    assert client.post(reset_url(person)).status_code == 403
    assert TOTPDevice.objects.filter(user=person).exists()


def test_a_person_who_does_not_exist_is_not_found(client):
    client.force_login(member(Role.ADMINISTRATOR))
    assert client.get(reverse("admin:core_user_reset_second_factor", args=[999_999])).status_code == 404


def test_django_otps_device_pages_are_not_offered_because_they_show_secret_keys():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
