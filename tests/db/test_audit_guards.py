"""The audit trail is append-only in the database itself, on SQLite and PostgreSQL: an event
can be added, but UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) are refused, whoever asks and
however — through the ORM or raw SQL — and a refusal rolls back the whole transaction. On
SQLite, REPLACE INTO, INSERT OR REPLACE and an upsert cannot swap an event either."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import pytest
from alembic import command
from sqlalchemy import Engine, delete, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from frontdesk.db import migrate
from frontdesk.db.engine import make_engine, run_write
from frontdesk.db.models import AuditEvent, Patient
from frontdesk.db.schema import AUDIT_MESSAGE
from frontdesk.services.context import Context
from tests.db.raw import begin, writer_connection

AT = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)


def add_event(engine: Engine, action: str = "appointment.book") -> int:
    with Session(engine) as session, session.begin():
        event = AuditEvent(at=AT, staff_id=None, action=action, entity="appointment",
                           entity_id=7, after={"status": "booked"})
        session.add(event)
        session.flush()
        assert event.id is not None
        return event.id


def events(engine: Engine) -> list[tuple[Any, ...]]:
    with Session(engine) as session:  # the columns every revision since 0001 has
        return [tuple(row) for row in session.execute(
            sa_select(col(AuditEvent.id), col(AuditEvent.at), col(AuditEvent.action),
                      col(AuditEvent.entity), col(AuditEvent.entity_id), col(AuditEvent.after))
            .order_by(col(AuditEvent.id))).all()]


def refused(excinfo: pytest.ExceptionInfo[DBAPIError]) -> bool:
    return AUDIT_MESSAGE in str(excinfo.value.orig)


def test_an_event_can_be_added(ctx: Context) -> None:
    first = add_event(ctx.engine)
    second = add_event(ctx.engine, "appointment.cancel")
    assert second > first
    assert [(e[0], e[1], e[2]) for e in events(ctx.engine)] == [
        (first, AT, "appointment.book"), (second, AT, "appointment.cancel")]


def test_orm_update_is_refused_and_changes_nothing(ctx: Context) -> None:
    event_id = add_event(ctx.engine)
    kept = events(ctx.engine)
    with Session(ctx.engine) as session:
        row = session.get(AuditEvent, event_id)
        assert row is not None
        row.action = "appointment.cancel"
        row.after = {"status": "cancelled"}
        with pytest.raises(DBAPIError) as excinfo:
            session.commit()
    assert refused(excinfo)
    assert events(ctx.engine) == kept


def test_orm_delete_is_refused_and_changes_nothing(ctx: Context) -> None:
    event_id = add_event(ctx.engine)
    kept = events(ctx.engine)
    with Session(ctx.engine) as session:
        session.delete(session.get(AuditEvent, event_id))
        with pytest.raises(DBAPIError) as excinfo:
            session.commit()
    assert refused(excinfo)
    assert events(ctx.engine) == kept


def test_bulk_update_and_delete_statements_are_refused(ctx: Context) -> None:
    add_event(ctx.engine)
    add_event(ctx.engine, "appointment.cancel")
    kept = events(ctx.engine)
    statements = (
        update(AuditEvent).values(staff_id=None, action="edited"),
        delete(AuditEvent).where(col(AuditEvent.action) == "appointment.cancel"),
    )
    for statement in statements:
        with pytest.raises(DBAPIError) as excinfo, ctx.engine.begin() as conn:
            conn.execute(statement)
        assert refused(excinfo)
    assert events(ctx.engine) == kept


@pytest.mark.parametrize("sql", [
    "UPDATE audit_event SET action = 'edited'",
    "UPDATE audit_event SET at = at",  # even a no-op change
    "DELETE FROM audit_event",
    "DELETE FROM audit_event WHERE id = 1",
])
def test_raw_sql_update_and_delete_are_refused(ctx: Context, sql: str) -> None:
    add_event(ctx.engine)
    kept = events(ctx.engine)
    with pytest.raises(DBAPIError) as excinfo, ctx.engine.begin() as conn:
        conn.execute(text(sql))
    assert refused(excinfo)
    assert events(ctx.engine) == kept


def test_refusal_through_the_raw_driver_connection(ctx: Context) -> None:
    """No SQLAlchemy in the way: the driver itself gets the database's refusal."""
    add_event(ctx.engine)
    kept = events(ctx.engine)
    raw = ctx.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with pytest.raises(Exception, match=AUDIT_MESSAGE):
            cursor.execute("DELETE FROM audit_event")
        raw.rollback()
    finally:
        raw.close()
    assert events(ctx.engine) == kept


def test_truncate_is_refused_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        add_event(engine)
        kept = events(engine)
        with pytest.raises(DBAPIError) as excinfo, engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_event CASCADE"))
        assert refused(excinfo)
        assert events(engine) == kept
    finally:
        engine.dispose()


def test_a_refusal_rolls_back_the_whole_service_transaction(
    ctx: Context, clock: Any
) -> None:
    """A service that writes, then tries to rewrite history, leaves nothing half-written."""
    event_id = add_event(ctx.engine)
    kept = events(ctx.engine)

    def work(session: Session) -> None:
        session.add(Patient(first_name="Half", last_name="Written", dob=date(1990, 1, 1),
                            phone="+19185550199", created_at=clock()))
        session.add(AuditEvent(at=clock(), staff_id=None, action="patient.create",
                               entity="patient", entity_id=None))
        session.flush()
        session.execute(update(AuditEvent).where(col(AuditEvent.id) == event_id)
                        .values(action="rewritten"))

    with pytest.raises(DBAPIError) as excinfo:
        run_write(ctx.engine, work)
    assert refused(excinfo)
    assert events(ctx.engine) == kept
    with Session(ctx.engine) as session:
        assert session.exec(select(Patient)).all() == []


def _alembic(engine: Engine, action: str, revision: str) -> None:
    config = migrate._config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_downgrade_removes_the_guards_and_upgrade_restores_them(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        add_event(engine)
        _alembic(engine, "downgrade", "0004")
        assert migrate.current_revision(engine) == "0004"
        with engine.begin() as conn:  # unguarded: the old schema allowed it
            conn.execute(text("UPDATE audit_event SET action = 'before-0005'"))
        assert [e[2] for e in events(engine)] == ["before-0005"]

        _alembic(engine, "upgrade", "head")
        assert migrate.current_revision(engine) == migrate.head_revision()
        for sql in ("UPDATE audit_event SET action = 'again'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError) as excinfo, engine.begin() as conn:
                conn.execute(text(sql))
            assert refused(excinfo)
        assert [e[2] for e in events(engine)] == ["before-0005"]
    finally:
        if migrate.current_revision(engine) != migrate.head_revision():
            migrate.upgrade(engine)  # the PostgreSQL database is shared by the whole run
        engine.dispose()


# ----------------------------------------------------- plain SQL on the writer's own connection


def _forged(engine: Engine, event_id: str, verb: str = "INSERT", clause: str = "") -> str:
    at = "2027-03-10 15:00:00.000000" if engine.dialect.name == "sqlite" else "2027-03-10 15:00Z"
    return (f"{verb} INTO audit_event (id, at, staff_id, action, entity, entity_id) "
            f"VALUES ({event_id}, '{at}', NULL, 'forged', 'appointment', 8) {clause}")


def _appended(engine: Engine) -> str:
    """A new event, its id left to the database."""
    return _forged(engine, "0").replace("id, ", "", 1).replace("VALUES (0, ", "VALUES (", 1)


def _run(connection: Any, sql: str) -> str | None:
    """Send one statement; the database's refusal, if any, as text."""
    try:
        connection.execute(sql)
    except (sqlite3.DatabaseError, psycopg.Error) as exc:
        return str(exc)
    return None


def _commit(connection: Any) -> str | None:
    if isinstance(connection, sqlite3.Connection):
        return _run(connection, "COMMIT")
    connection.commit()  # psycopg: a failed transaction's COMMIT rolls it back, silently
    return None


@pytest.mark.parametrize("verb", ["REPLACE", "INSERT OR REPLACE"])
@pytest.mark.parametrize("id_as", ["{}", "'{}'", "{}.0"])
@pytest.mark.parametrize("recursive_triggers", ["OFF", "ON"])
def test_replace_cannot_swap_an_event_on_sqlite(
    sqlite_ctx: Context, verb: str, id_as: str, recursive_triggers: str
) -> None:
    """SQLite's REPLACE deletes the old row without DELETE triggers (unless recursive_triggers
    is on): the insert itself is refused, however the id is written."""
    event_id = add_event(sqlite_ctx.engine)
    kept = events(sqlite_ctx.engine)
    with writer_connection(sqlite_ctx.engine) as conn:
        conn.execute(f"PRAGMA recursive_triggers = {recursive_triggers}")
        refusal = _run(conn, _forged(sqlite_ctx.engine, id_as.format(event_id), verb))
    assert AUDIT_MESSAGE in str(refusal)
    assert events(sqlite_ctx.engine) == kept


@pytest.mark.parametrize("clause", [
    "ON CONFLICT (id) DO UPDATE SET action = excluded.action, entity_id = excluded.entity_id",
    "ON CONFLICT (id) DO NOTHING",
    "ON CONFLICT DO NOTHING",
])
def test_an_upsert_cannot_change_an_event(ctx: Context, clause: str) -> None:
    """DO UPDATE is refused on both databases. DO NOTHING changes nothing: SQLite refuses any
    insert that names an id the trail holds, PostgreSQL lets it do nothing."""
    event_id = add_event(ctx.engine)
    kept = events(ctx.engine)
    with writer_connection(ctx.engine) as conn:
        refusal = _run(conn, _forged(ctx.engine, str(event_id), clause=clause))
        _commit(conn)
    if ctx.engine.dialect.name == "sqlite" or "DO UPDATE" in clause:
        assert AUDIT_MESSAGE in str(refusal)
    else:
        assert refusal is None
    assert events(ctx.engine) == kept


@pytest.mark.parametrize("event_id", [0, -1])
def test_sqlite_refuses_an_event_id_below_one(sqlite_ctx: Context, event_id: int) -> None:
    """A new event's id is -1 until SQLite assigns one: a row kept at -1 would make every new
    event look like a replacement and stop the trail."""
    with writer_connection(sqlite_ctx.engine) as conn:
        refusal = _run(conn, _forged(sqlite_ctx.engine, str(event_id)))
    assert AUDIT_MESSAGE in str(refusal)
    assert events(sqlite_ctx.engine) == []
    assert add_event(sqlite_ctx.engine) == 1


def _refused_in_a_transaction(engine: Engine, tampering: str) -> None:
    """A raw transaction appends an event, then tampers: the refusal ends the transaction and
    nothing of it is committed. On SQLite the transaction is already gone, so COMMIT says there
    is none; on PostgreSQL it is failed: every statement is refused until it ends, and COMMIT
    rolls it back."""
    event_id = add_event(engine)
    kept = events(engine)
    with writer_connection(engine) as conn:
        begin(conn)
        assert _run(conn, _appended(engine)) is None
        refusal = _run(conn, tampering.format(id=event_id))
        assert AUDIT_MESSAGE in str(refusal)
        if engine.dialect.name == "sqlite":
            assert _commit(conn) == "cannot commit - no transaction is active"
        else:
            assert "current transaction is aborted" in str(_run(conn, "SELECT 1"))
            assert _commit(conn) is None
    assert events(engine) == kept


@pytest.mark.parametrize("tampering", [
    "UPDATE audit_event SET action = 'edited' WHERE id = {id}",
    "DELETE FROM audit_event WHERE id = {id}",
    "INSERT INTO audit_event (id, at, action, entity) SELECT id, at, 'forged', entity "
    "FROM audit_event WHERE id = {id} ON CONFLICT (id) DO UPDATE SET action = excluded.action",
])
def test_a_refusal_leaves_nothing_of_the_raw_transaction(ctx: Context, tampering: str) -> None:
    _refused_in_a_transaction(ctx.engine, tampering)


@pytest.mark.parametrize("verb", ["REPLACE", "INSERT OR REPLACE"])
def test_a_refused_replace_leaves_nothing_of_the_raw_transaction_on_sqlite(
    sqlite_ctx: Context, verb: str
) -> None:
    _refused_in_a_transaction(sqlite_ctx.engine, _forged(sqlite_ctx.engine, "{id}", verb))


@pytest.mark.parametrize("when_matched", ["UPDATE SET action = 'forged'", "DELETE"])
def test_merge_cannot_change_an_event_on_postgresql(pg_url: str, when_matched: str) -> None:
    engine = make_engine(pg_url)
    try:
        _refused_in_a_transaction(engine, "MERGE INTO audit_event e USING (VALUES ({id})) v(id) "
                                          f"ON e.id = v.id WHEN MATCHED THEN {when_matched}")
    finally:
        engine.dispose()


def test_a_savepoint_before_the_refusal(ctx: Context) -> None:
    """On PostgreSQL, as after any error, ROLLBACK TO SAVEPOINT undoes only the refused
    statement and the rest commits; on SQLite the refusal has taken the savepoint with the
    whole transaction. Either way the event is unchanged."""
    engine = ctx.engine
    event_id = add_event(engine)
    kept = events(engine)
    with writer_connection(engine) as conn:
        begin(conn)
        _run(conn, _appended(engine))
        _run(conn, "SAVEPOINT before_tampering")
        refusal = _run(conn, f"UPDATE audit_event SET action = 'edited' WHERE id = {event_id}")
        assert AUDIT_MESSAGE in str(refusal)
        back = _run(conn, "ROLLBACK TO SAVEPOINT before_tampering")
        committed = _commit(conn)
    if engine.dialect.name == "sqlite":
        assert back == "no such savepoint: before_tampering"
        assert committed == "cannot commit - no transaction is active"
        assert events(engine) == kept
    else:
        assert (back, committed) == (None, None)
        assert events(engine)[0] == kept[0]
        assert [e[2] for e in events(engine)] == ["appointment.book", "forged"]


def test_revision_0006_closes_replace_on_sqlite_and_its_downgrade_reopens_it(
    sqlite_ctx: Context,
) -> None:
    engine = sqlite_ctx.engine
    event_id = add_event(engine)
    _alembic(engine, "downgrade", "0005")
    with writer_connection(engine) as conn:  # the hole revision 0006 closes
        assert _run(conn, _forged(engine, str(event_id), "REPLACE")) is None
    assert [e[2] for e in events(engine)] == ["forged"]

    _alembic(engine, "upgrade", "head")
    with writer_connection(engine) as conn:
        refusal = _run(conn, _forged(engine, str(event_id), "REPLACE"))
    assert AUDIT_MESSAGE in str(refusal)
    assert [(e[0], e[2]) for e in events(engine)] == [(event_id, "forged")]
