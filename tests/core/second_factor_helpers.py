"""Signing in without the second factor, for the tests of the second factor itself.

tests/conftest.py makes `client.force_login` finish the second factor too; these do not."""

import time

from django.test.client import ClientMixin
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from iom.core.models import User


def sign_in_with_password_only(client, user: User) -> None:
    """Signed in as after the password: the session has not passed the second factor."""
    ClientMixin.force_login(client, user)


def authenticator(user: User, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows now (or that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
