"""Database-side guards that SQLModel metadata cannot express: no overlapping appointments.

Both dialects refuse a second *blocking* appointment whose block (visit plus buffers) overlaps
another on the same provider or the same room. PostgreSQL uses exclusion constraints; SQLite
uses triggers (writes also take ``BEGIN IMMEDIATE``, so the service's own check is race-free and
the trigger is the backstop). Migrations call these; keep BLOCKING in step with the domain.

Each function installs the guards as of the revision that calls it. Revision 0006 replaces the
SQLite triggers of 0001 and 0005 with those at the end of this file, which hold against plain SQL
too; its downgrade puts the earlier ones back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from frontdesk.domain.model import BLOCKING_STATUSES

if TYPE_CHECKING:  # BLOCKING is read by the light way (db.light), which loads no SQLAlchemy
    from sqlalchemy.engine import Connection

BLOCKING = ", ".join(f"'{s.value}'" for s in sorted(BLOCKING_STATUSES))
OVERLAP_MESSAGE = "frontdesk: overlapping appointment"
MAX_BLOCK_MESSAGE = "frontdesk: appointment longer than a day"


def _sqlite_trigger(name: str, event: str, exclude_self: str) -> str:  # revision 0001
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


# ------------------------------------------------- revision 0006: SQLite guards against plain SQL
#
# A refusal is RAISE(ROLLBACK): SQLite ends the whole transaction it happened in, as PostgreSQL
# fails it. (RAISE(ABORT) would undo the one statement and leave the rest committable.)
#
# The trail: SQLite's REPLACE (REPLACE INTO, INSERT OR REPLACE) deletes the row it conflicts
# with without firing DELETE triggers (unless the writer turned on recursive_triggers), so an
# insert naming an id the trail already holds is refused before it runs, whatever its conflict
# clause. A new event's id is -1 in a BEFORE INSERT trigger until
# SQLite assigns one, so ids below 1 are refused after the insert: no row may sit at -1 and make
# every new event look like a replacement. audit_event has no other UNIQUE constraint; one added
# later would need the same guard.
#
# Appointments: the overlap triggers compare block times as text, which is time order only when
# every value is UTC written the way SQLAlchemy writes a DateTime on SQLite,
# 'YYYY-MM-DD HH:MM:SS.ffffff' (fixed width, no offset). Any other form ('T', an offset, 'Z', a
# shorter fraction, a number, 24:00, 30 February) is refused, so the text comparisons stay on
# the (provider_id, block_start) and (room_id, block_start) indexes and still compare instants.

TIME_FORM_MESSAGE = (
    "frontdesk: appointment block times must be UTC written as YYYY-MM-DD HH:MM:SS.ffffff")
STORED_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_D = "[0-9]"
_STORED_TIME_GLOB = f"{_D * 4}-{_D * 2}-{_D * 2} {_D * 2}:[0-5]{_D}:[0-5]{_D}.{_D * 6}"


def sqlite_stored_time(value: str) -> str:
    """SQL that is true when ``value`` is an instant in the stored form: the pattern, a real
    date (date(..., '+0 days') rolls 30 February over, so it no longer matches) and an hour
    below 24. The time is not checked through datetime(), which rounds to milliseconds and
    would roll 23:59:59.9995 over into the next day."""
    return (f"(typeof({value}) = 'text' AND length({value}) = 26 "
            f"AND {value} GLOB '{_STORED_TIME_GLOB}' "
            f"AND date(substr({value}, 1, 10), '+0 days') = substr({value}, 1, 10) "
            f"AND substr({value}, 12, 2) < '24')")


_BLOCK_TIMES_STORED = (f"{sqlite_stored_time('NEW.block_start')} "
                       f"AND {sqlite_stored_time('NEW.block_end')}")


def _sqlite_guard(name: str, event: str, exclude_self: str) -> str:
    overlaps = " OR ".join(f"""EXISTS (
        SELECT 1 FROM appointment a
        WHERE a.{column} = NEW.{column} {exclude_self}
          AND a.status IN ({BLOCKING})
          AND a.block_start < NEW.block_end
          AND a.block_start > strftime('%Y-%m-%d %H:%M:%S', NEW.block_start, '-1 day')
          AND a.block_end > NEW.block_start)""" for column in ("provider_id", "room_id"))
    return f"""
CREATE TRIGGER {name} BEFORE {event} ON appointment
BEGIN
    SELECT RAISE(ROLLBACK, '{TIME_FORM_MESSAGE}')
    WHERE NOT coalesce({_BLOCK_TIMES_STORED}, 0);
    SELECT RAISE(ROLLBACK, '{MAX_BLOCK_MESSAGE}')
    WHERE NEW.status IN ({BLOCKING})
      AND (julianday(NEW.block_end) - julianday(NEW.block_start) > 1
           OR NEW.block_end <= NEW.block_start);
    SELECT RAISE(ROLLBACK, '{OVERLAP_MESSAGE}')
    WHERE NEW.status IN ({BLOCKING}) AND ({overlaps});
END
"""


_SQLITE_TRAIL_TRIGGERS = {
    "audit_event_no_update": f"""
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN SELECT RAISE(ROLLBACK, '{AUDIT_MESSAGE}'); END""",
    "audit_event_no_delete": f"""
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN SELECT RAISE(ROLLBACK, '{AUDIT_MESSAGE}'); END""",
    "audit_event_no_replace": f"""
CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event
WHEN NEW.id > 0
BEGIN
    SELECT RAISE(ROLLBACK, '{AUDIT_MESSAGE}')
    WHERE EXISTS (SELECT 1 FROM audit_event e WHERE e.id = NEW.id);
END""",
    "audit_event_id_from_one": f"""
CREATE TRIGGER audit_event_id_from_one AFTER INSERT ON audit_event
WHEN NEW.id < 1
BEGIN SELECT RAISE(ROLLBACK, '{AUDIT_MESSAGE}'); END""",
}

_SQLITE_GUARDS = {
    **_SQLITE_TRAIL_TRIGGERS,
    "appointment_no_overlap_insert": _sqlite_guard("appointment_no_overlap_insert", "INSERT", ""),
    "appointment_no_overlap_update": _sqlite_guard(
        "appointment_no_overlap_update",
        "UPDATE OF block_start, block_end, provider_id, room_id, status", "AND a.id <> NEW.id"),
}


def _drop_sqlite_triggers(connection: Connection, names: Iterable[str]) -> None:
    for name in names:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def _store_block_times(connection: Connection) -> int:
    """Rewrite every appointment block time not in the stored form as that same instant in the
    stored form (read as the app reads it: ISO 8601, no offset meaning UTC). Returns how many
    rows changed; a value that is not a time stops the upgrade, naming the appointment."""
    stored = f"{sqlite_stored_time('block_start')} AND {sqlite_stored_time('block_end')}"
    rows = connection.exec_driver_sql(
        f"SELECT id, block_start, block_end FROM appointment WHERE NOT coalesce({stored}, 0)"
    ).all()
    for appointment_id, *times in rows:
        connection.exec_driver_sql(
            "UPDATE appointment SET block_start = ?, block_end = ? WHERE id = ?",
            (*(_stored_form(appointment_id, value) for value in times), appointment_id))
    return len(rows)


def _stored_form(appointment_id: int, value: object) -> str:
    try:
        instant = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        instant = None
    if instant is None:
        raise ValueError(f"appointment {appointment_id} has a block time that is not a date and "
                         f"time: {value!r}; correct it, then upgrade again")
    utc = instant.replace(tzinfo=UTC) if instant.utcoffset() is None else instant.astimezone(UTC)
    return utc.strftime(STORED_TIME_FORMAT)


def create_raw_sql_guards(connection: Connection) -> None:
    """Revision 0006 on SQLite: the triggers above in place of 0001's and 0005's, once every
    stored block time is in the stored form. PostgreSQL needs nothing: it has no REPLACE, an
    upsert's DO UPDATE fires the UPDATE trigger, and any refusal fails the transaction."""
    if connection.dialect.name != "sqlite":
        return
    _drop_sqlite_triggers(connection, _SQLITE_GUARDS)
    _store_block_times(connection)
    for sql in _SQLITE_GUARDS.values():
        connection.exec_driver_sql(sql)


def drop_raw_sql_guards(connection: Connection) -> None:
    """Back to revision 0005's SQLite triggers (block times stay in the stored form)."""
    if connection.dialect.name != "sqlite":
        return
    _drop_sqlite_triggers(connection, _SQLITE_GUARDS)
    create_overlap_guards(connection)
    create_audit_guards(connection)
