"""PostgreSQL least privilege, set up as docs/postgresql.md says: the app runs as a role that
works the tables but may only read and add to the audit trail. As that role the services book
and report; every way it might rewrite the trail (or switch its guard off) is refused by its
privileges, before the guard triggers are even reached; it never tries to change the schema,
and says plainly when the owner must upgrade it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from frontdesk.db import migrate, roles
from frontdesk.db.engine import make_engine
from frontdesk.db.schema import AUDIT_MESSAGE
from frontdesk.domain.settings import Settings
from frontdesk.services import scheduling
from frontdesk.services.context import Context, open_context
from frontdesk.services.report import daily_report
from frontdesk.ui.backend.door import open_backend
from tests.conftest import PG_ADMIN_URL, FrozenClock
from tests.pg_roles import Roles, frontdesk, owner_and_app, upgrade_and_grant
from tests.practice import build_practice

TEN = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)  # 10:00 in Tulsa, an hour after the clock
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


@pytest.fixture(scope="module")
def made() -> Iterator[Roles]:
    """Migrated and granted as the owner; nothing else done yet."""
    with owner_and_app() as found:
        upgrade_and_grant(found)
        yield found


@pytest.fixture(scope="module")
def owner(made: Roles) -> Iterator[Engine]:
    engine = make_engine(made.owner_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(made: Roles) -> Iterator[Context]:
    """The app as it starts: open_context upgrades, which at head does nothing."""
    ctx = open_context(made.app_url, clock=FrozenClock())
    yield ctx
    ctx.engine.dispose()


@pytest.fixture(scope="module")
def booked(app: Context) -> scheduling.AppointmentView:
    """The tiny practice set up, and one visit booked, by the app role."""
    practice = build_practice(app)
    return scheduling.book(app, staff="desk", patient_id=practice.patient_id,
                           visit_type="facet-diagnostic", provider_id=practice.able,
                           location_id=practice.location_id, start=TEN, region="lumbar",
                           levels="L4-L5", side="left")


def held(engine: Engine, role: str, table: str) -> tuple[str, ...]:
    """What ``role`` may do to ``table``, by whatever route."""
    with engine.connect() as conn:
        return tuple(p for p in PRIVILEGES if conn.execute(
            text("SELECT has_table_privilege(:role, :table, :p)"),
            {"role": role, "table": f"public.{table}", "p": p}).scalar())


def granted(engine: Engine, role: str, table: str) -> set[str]:
    """The privileges granted to ``role`` itself on ``table`` (not through memberships)."""
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
            "WHERE c.oid = CAST(:table AS regclass) AND a.grantee = CAST(:role AS regrole)"),
            {"table": f"public.{table}", "role": role}).scalars())


def tables(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).scalars())


def trail(engine: Engine) -> list[tuple[Any, ...]]:
    """Every audit event, whole, and the schema's revision."""
    with engine.connect() as conn:
        events = [tuple(r) for r in conn.execute(text(
            "SELECT * FROM audit_event ORDER BY id"))]
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return [*events, ("revision", revision)]


def in_one_transaction(engine: Engine, statements: list[str]) -> None:
    with engine.begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


def guard_intact(owner: Engine, role: str) -> bool:
    with owner.connect() as conn:
        return roles.app_role_leaks(conn, role, "public") == []


@pytest.mark.postgres
def test_the_app_role_has_exactly_its_grants(made: Roles, owner: Engine) -> None:
    found = {t: held(owner, made.app, t) for t in tables(owner)}
    assert found["audit_event"] == ("SELECT", "INSERT")
    assert found["alembic_version"] == ("SELECT",)
    assert found["appointment"] == ("SELECT", "INSERT", "UPDATE", "DELETE")
    assert found == {t: roles.table_privileges(t) for t in found}
    assert len(found) > 10


@pytest.mark.postgres
def test_the_app_role_books_reads_the_report_and_cancels(
        app: Context, booked: scheduling.AppointmentView, owner: Engine) -> None:
    report = daily_report(app, by="mgr", day=date(2027, 3, 10))
    assert report.visits_total.ids == (booked.id,)
    assert [(line.staff_username, line.made.ids) for line in report.bookings] == [
        ("desk", (booked.id,))]
    cancelled = scheduling.cancel(app, staff="desk", appointment_id=booked.id,
                                  reason="caller asked")
    assert cancelled.status.value == "cancelled"
    with owner.connect() as conn:
        actions = list(conn.execute(text(
            "SELECT action FROM audit_event WHERE entity = 'appointment' ORDER BY id")).scalars())
    assert actions == ["appointment.book", "appointment.cancel"]


TAMPERING = {
    "update": ["UPDATE audit_event SET action = 'edited'"],
    "delete": ["DELETE FROM audit_event"],
    "truncate": ["TRUNCATE audit_event"],
    "truncate cascade": ["TRUNCATE audit_event CASCADE"],
    "upsert over an event": [
        "INSERT INTO audit_event SELECT * FROM audit_event "
        "ON CONFLICT (id) DO UPDATE SET action = 'edited'"],
    "disable the guard trigger": [
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
        "DELETE FROM audit_event"],
    "disable every trigger": [
        "ALTER TABLE audit_event DISABLE TRIGGER ALL", "DELETE FROM audit_event"],
    "drop the guard trigger": [
        "DROP TRIGGER audit_event_append_only ON audit_event", "DELETE FROM audit_event"],
    "replication role": [
        "SET session_replication_role = replica", "DELETE FROM audit_event"],
    "replication role for the transaction": [
        "SET LOCAL session_replication_role = replica", "DELETE FROM audit_event"],
    "replace the guard function": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
        "DELETE FROM audit_event"],
    "shadow the guard function in pg_temp": [
        "CREATE FUNCTION pg_temp.audit_event_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
        "DELETE FROM audit_event"],
    "a rule that swallows deletes": [
        "CREATE RULE keep AS ON DELETE TO audit_event DO INSTEAD NOTHING",
        "DELETE FROM audit_event"],
    "grant itself the rest": [
        "GRANT UPDATE, DELETE, TRUNCATE ON audit_event TO CURRENT_USER",
        "DELETE FROM audit_event"],
    "become the owner": ["SET ROLE {owner}", "DELETE FROM audit_event"],
    "take the table": ["ALTER TABLE audit_event OWNER TO CURRENT_USER"],
    "rename the table away": ["ALTER TABLE audit_event RENAME TO audit_event_old"],
    "drop the table": ["DROP TABLE audit_event CASCADE"],
    "a table of its own in public": ["CREATE TABLE public.audit_event_copy (id int)"],
    "make itself superuser": ["ALTER ROLE CURRENT_USER SUPERUSER"],
    "reuse event ids": ["SELECT setval('audit_event_id_seq', 1)"],
    "rewind the schema revision": ["UPDATE alembic_version SET version_num = '0001'"],
}


@pytest.mark.postgres
@pytest.mark.parametrize("statements", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_as_the_app_role_is_refused_by_its_privileges(
        statements: list[str], made: Roles, app: Context, owner: Engine,
        booked: scheduling.AppointmentView) -> None:
    before = trail(owner)
    assert len(before) > 1  # there are events to protect
    with pytest.raises(DBAPIError) as refused:
        in_one_transaction(app.engine, [sql.format(owner=made.owner) for sql in statements])
    orig = refused.value.orig
    assert getattr(orig, "sqlstate", None) == "42501", orig  # insufficient_privilege
    assert AUDIT_MESSAGE not in str(orig)  # the role's privileges refused it, not the trigger
    assert trail(owner) == before
    assert guard_intact(owner, made.app)


@pytest.mark.postgres
def test_the_owner_could_what_the_app_role_cannot(
        made: Roles, owner: Engine, booked: scheduling.AppointmentView) -> None:
    """Why the app must never run as the owner: it can switch the guard off and delete."""
    before = trail(owner)
    with owner.connect() as conn:
        transaction = conn.begin()
        conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        deleted = conn.exec_driver_sql("DELETE FROM audit_event").rowcount
        transaction.rollback()
    assert deleted == len(before) - 1
    assert trail(owner) == before


@pytest.mark.postgres
@pytest.mark.parametrize(("setup", "undo", "says"), [
    ("ALTER ROLE {app} CREATEROLE", "ALTER ROLE {app} NOCREATEROLE", "CREATEROLE"),
    ("GRANT {owner} TO {app}", "REVOKE {owner} FROM {app}", "membership of"),
    ("GRANT pg_write_all_data TO {app}", "REVOKE pg_write_all_data FROM {app}",
     "UPDATE, DELETE"),
    ("GRANT CREATE ON SCHEMA public TO PUBLIC", "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
     "create objects in schema public"),
    ("GRANT CREATE ON DATABASE {database} TO {app}",
     "REVOKE CREATE ON DATABASE {database} FROM {app}", "create schemas"),
])
def test_granting_to_an_unsafe_role_is_refused_and_changes_nothing(
        setup: str, undo: str, says: str, made: Roles, owner: Engine) -> None:
    names = {"app": made.app, "owner": made.owner, "database": made.database}
    admin_url = make_url(PG_ADMIN_URL).set(database=made.database)
    admin = make_engine(admin_url.render_as_string(hide_password=False))
    before = {t: held(owner, made.app, t) for t in tables(owner)}
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(setup.format(**names))
        with admin.begin() as conn:  # a grant the command would replace: it must stay
            conn.exec_driver_sql(f"REVOKE DELETE ON appointment FROM {made.app}")
        result = frontdesk("--db", made.owner_url, "db", "grant-app-role", made.app)
        assert result.exit_code == 2, result.output
        assert says in result.stderr
        assert result.stderr.count("\n") == 1
        assert granted(owner, made.app, "appointment") == {"SELECT", "INSERT", "UPDATE"}
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(undo.format(**names))
        admin.dispose()
        upgrade_and_grant(made)
    assert {t: held(owner, made.app, t) for t in tables(owner)} == before


@pytest.mark.postgres
def test_the_owner_itself_and_a_missing_role_are_refused(made: Roles) -> None:
    for role, says in ((made.owner, "owns the tables"), ("postgres", "SUPERUSER"),
                       (f"{made.app}_nobody", "there is no role")):
        result = frontdesk("--db", made.owner_url, "db", "grant-app-role", role)
        assert result.exit_code == 2, result.output
        assert says in result.stderr
    result = frontdesk("--db", made.app_url, "db", "grant-app-role", made.app)
    assert result.exit_code == 2
    assert "connect as that role" in result.stderr


def test_grant_app_role_is_for_postgresql_only(sqlite_url: str) -> None:
    result = frontdesk("--db", sqlite_url, "db", "grant-app-role", "anyone")
    assert result.exit_code == 2
    assert "for PostgreSQL" in result.stderr


def _owner_migrates(url: str, action: str, revision: str) -> None:
    engine = make_engine(url)
    config = migrate._config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_an_older_schema_is_left_to_the_owner_to_upgrade() -> None:
    """Behind: the app role does not try, and says who must; ahead again after the owner's
    upgrade, the tables the upgrade made are the app's through the default privileges."""
    with owner_and_app() as made:
        upgrade_and_grant(made)
        _owner_migrates(made.owner_url, "downgrade", "0001")  # call, callback_task, … gone

        with pytest.raises(migrate.SchemaBehind, match="owner must run `frontdesk db upgrade`"):
            open_context(made.app_url)
        opened = open_backend(made.app_url, settings=Settings())  # the app's first screen
        assert opened.backend is None
        assert "its owner must run `frontdesk db upgrade`" in opened.error
        for args in (["locations"], ["db", "upgrade"]):
            result = frontdesk("--db", made.app_url, *args)
            assert result.exit_code == 1, result.output
            assert result.stderr.count("\n") == 1
            assert "Traceback" not in result.output
            assert "at revision 0001" in result.stderr
            assert "its owner must run `frontdesk db upgrade`" in result.stderr
        assert _revision(made.owner_url) == "0001"
        result = frontdesk("--db", made.owner_url, "db", "grant-app-role", made.app)
        assert result.exit_code == 2
        assert "run `frontdesk db upgrade` as the owner first" in result.stderr

        result = frontdesk("--db", made.owner_url, "db", "upgrade")
        assert result.exit_code == 0, result.output
        owner = make_engine(made.owner_url)
        try:
            for table in ("call", "callback_task", "relief_report"):  # made again by 0002
                assert held(owner, made.app, table) == roles.WORKING
            assert held(owner, made.app, "audit_event") == ("SELECT", "INSERT")
            assert guard_intact(owner, made.app)
        finally:
            owner.dispose()
        result = frontdesk("--db", made.app_url, "locations")
        assert result.exit_code == 0, result.output
