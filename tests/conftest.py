import os

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django.db.backends.sqlite3.base  # noqa: F401  (first: operations imports it back)
import pytest
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


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
