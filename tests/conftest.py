import os

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django.db.backends.sqlite3.base  # noqa: F401  (first: operations imports it back)
import pytest
from django.db import connections
from django.db.backends.sqlite3.operations import DatabaseOperations as SQLiteOperations

from iom.core import audit_triggers

_sqlite_sql_flush = SQLiteOperations.sql_flush


def _sql_flush_around_audit_trigger(self, style, tables, **kwargs):
    # SQLite has no TRUNCATE, so Django empties tables between transactional tests with
    # DELETE, which the append-only trigger rightly refuses. Only the test suite lifts it,
    # for the length of the flush. PostgreSQL's flush is TRUNCATE, which row triggers ignore.
    statements = _sqlite_sql_flush(self, style, tables, **kwargs)
    if "core_auditevent" in tables:
        return [*audit_triggers.SQLITE_DROP, *statements, *audit_triggers.SQLITE_CREATE]
    return statements


SQLiteOperations.sql_flush = _sql_flush_around_audit_trigger  # type: ignore[method-assign]


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Transactional tests (the browser journeys, the real worker) end by emptying the database, which
    # also removes the reference data migrations insert (offence categories, cohort settings). As in
    # Django's own runner, they run last; serialized_rollback restores that data between them.
    items.sort(key=_is_transactional)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> None:
    """Keep the serialized snapshot where every connection object can see it.

    Django stores it on the connection that set the database up. Playwright's sync API runs each
    browser test in another context, where Django opens new connection objects without it, so
    serialized_rollback silently restored nothing and the reference data the first transactional
    test flushed stayed gone for the next. On the class, every connection of the backend has it."""
    for connection in connections.all(initialized_only=True):
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            setattr(type(connection), "_test_serialized_contents", contents)  # noqa: B010


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` signs in with the second factor done, as a real sign-in ends.

    The user gets a confirmed authenticator app if they have none, and the session records it as
    django_otp.login would. Tests of the second factor itself sign in without it
    (tests/core/second_factor_helpers.py), with ClientMixin's own force_login."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    password_only = Client.force_login

    def force_login(self, user, backend=None):
        password_only(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
