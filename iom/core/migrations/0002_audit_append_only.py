"""The database itself refuses UPDATE and DELETE on audit events (DESIGN §4)."""

from django.db import migrations

from iom.core import audit_triggers


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(audit_triggers.POSTGRESQL_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in audit_triggers.SQLITE_CREATE:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"No append-only audit trigger for the {vendor} database; add one before using it")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(audit_triggers.POSTGRESQL_DROP, params=None)
    elif vendor == "sqlite":
        for statement in audit_triggers.SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
