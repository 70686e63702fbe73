"""Settings for the test suite: the real settings module with test values in the environment.

DATABASE_URL and CELERY_BROKER_URL pass through, so CI runs the suite on PostgreSQL and Redis.
"""

import os
from pathlib import Path

_data = Path(__file__).resolve().parent.parent / "var" / "test"
os.environ.setdefault("DJANGO_SECRET_KEY", "test-key-only-for-the-test-suite-" + "x7Qp2Lm9Rt4Vw8Zb3Nc6Hd1Jf5Kg0Ys")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_data / 'iom.sqlite3'}")
os.environ.setdefault("CELERY_BROKER_URL", "filesystem://")
os.environ.setdefault("IOM_DATA_DIR", str(_data))
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
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
MEDIA_ROOT = _data / "media"
# Tasks run in-process unless a test starts a real worker (tests/reports/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
