"""The database refuses UPDATE and DELETE on audit events.

The first tests run on whichever database the suite uses (SQLite by default, PostgreSQL in
CI); the last applies the SQLite trigger to a bare SQLite database, so both vendors' SQL is
exercised in every run.
"""

import sqlite3

import pytest
from django.db import DatabaseError, connection, transaction

from iom.core import audit, audit_triggers
from iom.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_update_through_the_orm_is_refused():
    event = audit.record(actor=None, action="test.recorded")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.recorded"


def test_delete_through_the_orm_is_refused():
    event = audit.record(actor=None, action="test.recorded")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_is_refused_too():
    event = audit.record(actor=None, action="test.recorded")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserting_is_allowed():
    audit.record(actor=None, action="test.one")
    audit.record(actor=None, action="test.two")
    assert AuditEvent.objects.filter(action__startswith="test.").count() == 2


def test_the_sqlite_trigger_sql_refuses_changes_on_a_bare_database():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE core_auditevent (id INTEGER PRIMARY KEY, action TEXT)")
    for statement in audit_triggers.SQLITE_CREATE:
        db.execute(statement)
    db.execute("INSERT INTO core_auditevent (action) VALUES ('signed_in')")
    with pytest.raises(sqlite3.IntegrityError, match="UPDATE refused"):
        db.execute("UPDATE core_auditevent SET action = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="DELETE refused"):
        db.execute("DELETE FROM core_auditevent")
    assert db.execute("SELECT action FROM core_auditevent").fetchall() == [("signed_in",)]
