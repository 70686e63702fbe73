"""Email goes through MAILERS, built from EMAIL_URL: the console in development, SMTP in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3J9x-Qw7Lp2Zr8Vt5Nb1Mc6Hd4Fg0Ys-Ue3Ai9Oq2Wx7Ez5Rt1Yu8Io4Pa6Sd"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": GOOD_SECRET,
    "DJANGO_ALLOWED_HOSTS": "iom.example.org",
    "DATABASE_URL": "sqlite:////tmp/iom-settings-test.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}
# Builds the default mailer exactly as sending an email would, and prints what it will connect to.
DESCRIBE_MAILER = """
import django
django.setup()
from django.core import mail
mailer = mail.mailers["default"]
print(type(mailer).__module__ + "." + type(mailer).__name__)
for option in ("host", "port", "username", "password", "use_tls", "use_ssl", "timeout"):
    print(option, repr(getattr(mailer, option, None)))
"""


def mailer_with(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "EMAIL_"))
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "iom.settings", "IOM_DATA_DIR": str(tmp_path), **env})
    result = subprocess.run(
        [sys.executable, "-c", DESCRIBE_MAILER],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    backend, *options = result.stdout.splitlines()
    return {"backend": backend, **dict(line.split(" ", 1) for line in options)}


def test_development_prints_emails_on_the_console(tmp_path):
    mailer = mailer_with({"DJANGO_DEBUG": "true", "DJANGO_SECRET_KEY": "dev"}, tmp_path)
    assert mailer["backend"] == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_through_the_smtp_server_named_in_email_url(tmp_path):
    mailer = mailer_with({**PRODUCTION, "EMAIL_URL": "smtp+tls://user:pw@mail.example.org:587"}, tmp_path)
    assert mailer == {
        "backend": "django.core.mail.backends.smtp.EmailBackend",
        "host": "'mail.example.org'",
        "port": "587",
        "username": "'user'",
        "password": "'pw'",
        "use_tls": "True",
        "use_ssl": "False",
        "timeout": "10",
    }


def test_implicit_tls_and_escaped_credentials_are_understood(tmp_path):
    url = "smtp+ssl://alerts%40iom.example.org:p%2Fw%3Ard@mail.example.org:465"
    mailer = mailer_with({**PRODUCTION, "EMAIL_URL": url}, tmp_path)
    assert (mailer["username"], mailer["password"]) == ("'alerts@iom.example.org'", "'p/w:rd'")
    assert (mailer["port"], mailer["use_tls"], mailer["use_ssl"]) == ("465", "False", "True")


@pytest.mark.parametrize("debug", ["false", "true"])
def test_an_explicit_email_url_wins_over_the_default(tmp_path, debug):
    env = {**PRODUCTION, "DJANGO_DEBUG": debug, "EMAIL_URL": "smtp://relay.example.org:2525"}
    mailer = mailer_with(env, tmp_path)
    assert mailer["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mailer["host"], mailer["port"], mailer["use_tls"]) == ("'relay.example.org'", "2525", "False")


def test_production_without_email_url_uses_the_local_mail_server(tmp_path):
    mailer = mailer_with(PRODUCTION, tmp_path)
    assert mailer["backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mailer["host"], mailer["port"]) == ("'localhost'", "25")
    # No credentials in the URL: no login is attempted.
    assert mailer["username"] in ("None", "''")
