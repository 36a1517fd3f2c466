"""The audit trail is append-only in the database itself, on SQLite and PostgreSQL: an event
can be added, but UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) are refused, whoever asks and
however — through the ORM or raw SQL — and a refusal rolls back the whole transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

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
