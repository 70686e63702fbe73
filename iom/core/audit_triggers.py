"""The SQL that makes core_auditevent append-only, per database vendor.

Migration 0002 applies it. Changing it means a new migration, never an edit to this text
that old migrations silently pick up: add new constants beside these instead.
"""

POSTGRESQL_CREATE = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- No format placeholders: Django passes this through the driver's parameter parser.
    RAISE EXCEPTION USING
        MESSAGE = 'audit events are append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_refuse_change();
"""

SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS core_auditevent_refuse_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS core_auditevent_refuse_delete BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_refuse_update",
    "DROP TRIGGER IF EXISTS core_auditevent_refuse_delete",
]
