"""Settings refuse to start, naming the variable, when a required value is missing or unsafe."""

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


def start_django(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "iom.settings", "IOM_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_values_start(tmp_path):
    result = start_django(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is not set"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY is unsafe"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "a1b2c3d4e5" * 5}, "DJANGO_SECRET_KEY is unsafe"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS is not set"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS contains '*'"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is not set"),
        ({"CELERY_BROKER_URL": ""}, "CELERY_BROKER_URL is not set"),
        ({"DJANGO_DEBUG": "perhaps"}, "DJANGO_DEBUG"),
    ],
)
def test_it_refuses_to_start_naming_the_problem(tmp_path, changes, named):
    env = {key: value for key, value in {**PRODUCTION, **changes}.items() if value != ""}
    result = start_django(env, tmp_path)
    assert result.returncode != 0
    assert named in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(GOOD_SECRET + "\n")
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}
    assert start_django({**env, "DJANGO_SECRET_KEY_FILE": str(secret_file)}, tmp_path).returncode == 0


def test_an_unreadable_secret_file_is_named(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}
    result = start_django({**env, "DJANGO_SECRET_KEY_FILE": str(tmp_path / "missing")}, tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FILE" in result.stderr


def test_development_defaults_to_sqlite_and_a_broker_without_a_server(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
            },
            "DJANGO_SETTINGS_MODULE": "iom.settings",
            "DJANGO_DEBUG": "true",
            "DJANGO_SECRET_KEY": "dev",
            "IOM_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_the_deployment_checklist_is_clean_with_production_values(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "iom.settings", "IOM_DATA_DIR": str(tmp_path), **PRODUCTION})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_uses_host_only_secure_cookie_names(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "iom.settings", "IOM_DATA_DIR": str(tmp_path), **PRODUCTION})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_AGE)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["__Host-iom-session", "__Host-iom-csrf", "True", str(12 * 60 * 60)]
