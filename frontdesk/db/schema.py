"""Database-side guards that SQLModel metadata cannot express: no overlapping appointments.

Both dialects refuse a second *blocking* appointment whose block (visit plus buffers) overlaps
another on the same provider or the same room. PostgreSQL uses exclusion constraints; SQLite
uses triggers (writes also take ``BEGIN IMMEDIATE``, so the service's own check is race-free and
the trigger is the backstop). Migrations call these; keep BLOCKING in step with the domain.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from frontdesk.domain.model import BLOCKING_STATUSES

BLOCKING = ", ".join(f"'{s.value}'" for s in sorted(BLOCKING_STATUSES))
OVERLAP_MESSAGE = "frontdesk: overlapping appointment"
MAX_BLOCK_MESSAGE = "frontdesk: appointment longer than a day"


def _sqlite_trigger(name: str, event: str, exclude_self: str) -> str:
    return f"""
CREATE TRIGGER {name} BEFORE {event} ON appointment
WHEN NEW.status IN ({BLOCKING})
BEGIN
    SELECT RAISE(ABORT, '{MAX_BLOCK_MESSAGE}')
    WHERE julianday(NEW.block_end) - julianday(NEW.block_start) > 1
       OR NEW.block_end <= NEW.block_start;
    SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}')
    WHERE EXISTS (
        SELECT 1 FROM appointment a
        WHERE a.provider_id = NEW.provider_id {exclude_self}
          AND a.status IN ({BLOCKING})
          AND a.block_start < NEW.block_end
          AND a.block_start > strftime('%Y-%m-%d %H:%M:%S', NEW.block_start, '-1 day')
          AND a.block_end > NEW.block_start
    ) OR EXISTS (
        SELECT 1 FROM appointment a
        WHERE a.room_id = NEW.room_id {exclude_self}
          AND a.status IN ({BLOCKING})
          AND a.block_start < NEW.block_end
          AND a.block_start > strftime('%Y-%m-%d %H:%M:%S', NEW.block_start, '-1 day')
          AND a.block_end > NEW.block_start
    );
END
"""


def create_overlap_guards(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            _sqlite_trigger("appointment_no_overlap_insert", "INSERT", "")
        )
        connection.exec_driver_sql(
            _sqlite_trigger(
                "appointment_no_overlap_update",
                "UPDATE OF block_start, block_end, provider_id, room_id, status",
                "AND a.id <> NEW.id",
            )
        )
        return
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gist")
    connection.exec_driver_sql(
        "ALTER TABLE appointment ADD CONSTRAINT appointment_block_valid "
        "CHECK (block_end > block_start AND block_end - block_start <= interval '1 day')"
    )
    for column in ("provider_id", "room_id"):
        connection.exec_driver_sql(
            f"ALTER TABLE appointment ADD CONSTRAINT appointment_no_{column}_overlap "
            f"EXCLUDE USING gist ({column} WITH =, "
            f"tstzrange(block_start, block_end, '[)') WITH &&) "
            f"WHERE (status IN ({BLOCKING}))"
        )


def drop_overlap_guards(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS appointment_no_overlap_insert")
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS appointment_no_overlap_update")
        return
    for name in ("no_provider_id_overlap", "no_room_id_overlap", "block_valid"):
        connection.exec_driver_sql(
            f"ALTER TABLE appointment DROP CONSTRAINT IF EXISTS appointment_{name}"
        )


# --------------------------------------------------------------------------- the audit trail

AUDIT_MESSAGE = "frontdesk: the audit trail is append-only"


def create_audit_guards(connection: Connection) -> None:
    """The database refuses to change or delete an audit event, whoever asks."""
    if connection.dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END")
        return
    connection.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; "
        "END $$")
    connection.exec_driver_sql(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
    connection.exec_driver_sql(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")


def drop_audit_guards(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        for event in ("update", "delete"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_event_no_{event}")
        return
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    connection.exec_driver_sql("DROP FUNCTION IF EXISTS audit_event_append_only()")
