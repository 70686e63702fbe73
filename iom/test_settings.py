"""Settings for the test suite: the real settings module with test values in the environment.

DATABASE_URL and CELERY_BROKER_URL pass through, so CI runs the suite on PostgreSQL and Redis.
"""

import os
from pathlib import Path

_data = Path(__file__).resolve().parent.parent / "var" / "test"


def _default(name: str, value: str) -> None:
    if not os.environ.get(name):
        os.environ[name] = value


_default("DJANGO_SECRET_KEY", "test-key-only-for-the-test-suite-" + "x7Qp2Lm9Rt4Vw8Zb3Nc6Hd1Jf5Kg0Ys")
_default("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
_default("DATABASE_URL", f"sqlite:///{_data / 'iom.sqlite3'}")
_default("CELERY_BROKER_URL", "filesystem://")
_default("IOM_DATA_DIR", str(_data))
_default("IOM_MEDIA_ROOT", str(_data / "media"))
_default("DJANGO_SECURE_SSL_REDIRECT", "false")
_default("DJANGO_SECURE_COOKIES", "false")
os.environ["DJANGO_DEBUG"] = "false"
_data.mkdir(parents=True, exist_ok=True)

from iom.settings import *  # noqa: E402, F403
from iom.settings import DATABASES, STORAGES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a real worker process can share the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(_data / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Tasks run in-process unless a test starts a real worker (tests/reports/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the finders, as `make run` does, so the browser tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite makes many API calls as the same few users; tests of throttling set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"token": "100000/minute", "user": "100000/minute"},
}
