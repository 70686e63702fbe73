"""`manage.py second_factor_code <email>`: the code a demo user's authenticator app shows now.

For development alone (DJANGO_DEBUG on): with it, anyone who can run commands on the server could
pass anyone's second factor, which is why it refuses to run anywhere else."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from iom.core import second_factor
from iom.core.models import User


class Command(BaseCommand):
    help = "Print the current second-factor code of a user's authenticator app (development only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("second_factor_code works only in development (DJANGO_DEBUG on)")
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user has the email address {email}")
        device = second_factor.authenticator_for(user)
        if device is None:
            raise CommandError(f"{email} has no authenticator app: they set one up at their next sign-in")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        seconds_left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stderr.write(f"(valid for another {seconds_left} s, and the 30 s either side)")
