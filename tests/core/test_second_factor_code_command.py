"""`manage.py second_factor_code <email>`: a demo user's current code, in development only."""

import pytest
from django.core.management import CommandError, call_command

from iom.core.factories import UserFactory
from tests.core.second_factor_helpers import authenticator, code_for

pytestmark = pytest.mark.django_db


def test_it_prints_the_code_the_persons_app_shows_now(settings, capsys):
    settings.DEBUG = True
    user = UserFactory.create(email="amy@example.org")
    device = authenticator(user)
    call_command("second_factor_code", "amy@example.org")
    assert capsys.readouterr().out.strip() in {code_for(device), code_for(device, steps_ahead=1)}


def test_it_refuses_outside_development(settings):
    settings.DEBUG = False
    authenticator(UserFactory.create(email="amy@example.org"))
    with pytest.raises(CommandError, match="only in development"):
        call_command("second_factor_code", "amy@example.org")


def test_it_says_when_there_is_no_app(settings):
    settings.DEBUG = True
    UserFactory.create(email="amy@example.org")
    with pytest.raises(CommandError, match="no authenticator app"):
        call_command("second_factor_code", "amy@example.org")
