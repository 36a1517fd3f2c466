"""PostgreSQL least privilege: the role the app runs as works the tables but may only read and
add to the audit trail; another role owns the schema and runs the migrations.

The grants live here and nowhere else: ``frontdesk db grant-app-role`` applies them,
docs/postgresql.md walks a practice through it and tests/db/test_app_role.py runs the app as
such a role. Ownership is what matters: only a table's owner (or a superuser) may disable or
drop its triggers, replace their function or rename the table, so the app must never run as
the owner, nor as a role that can become it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

APPEND_ONLY = ("audit_event",)
"""Read and added to, never changed: the app role gets SELECT and INSERT only."""
READ_ONLY = ("alembic_version",)
"""The schema's revision: the app reads it on start; only the owner's upgrades change it."""
WORKING = ("SELECT", "INSERT", "UPDATE", "DELETE")
"""Every other table: what the services do to them."""
SEQUENCES = ("USAGE", "SELECT")
"""nextval() for new rows; never setval(), which needs UPDATE."""
GUARD_TRIGGERS = ("audit_event_append_only", "audit_event_no_truncate")
"""The triggers that keep the trail append-only (frontdesk.db.schema), which must be on."""

_FORBIDDEN = {
    **{table: ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER") for table in APPEND_ONLY},
    **{table: ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER") for table in READ_ONLY},
}


class RoleRefused(Exception):
    """The grants cannot be made safely (or at all); nothing was changed."""


@dataclass(frozen=True)
class Granted:
    """What ``role`` may now do, table by table."""

    role: str
    owner: str
    schema: str
    tables: dict[str, tuple[str, ...]]
    sequences: tuple[str, ...]


def table_privileges(table: str) -> tuple[str, ...]:
    """What the app role may do to ``table``."""
    if table in APPEND_ONLY:
        return ("SELECT", "INSERT")
    if table in READ_ONLY:
        return ("SELECT",)
    return WORKING


def schema_owner(connection: Connection) -> str | None:
    """The role that owns frontdesk's tables (alembic_version's owner); None before the first
    migration."""
    return connection.execute(text(
        "SELECT tableowner FROM pg_tables "
        "WHERE schemaname = current_schema() AND tablename = 'alembic_version'")).scalar()


def may_change_schema(connection: Connection) -> bool:
    """Whether this connection's role could run the migrations: on PostgreSQL, only the owner of
    the tables (or a member of it, or a superuser); an empty database needs CREATE on the
    schema. SQLite has no roles: whoever can write the file can."""
    if connection.dialect.name != "postgresql":
        return True
    if connection.execute(text(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar():
        return True
    owner = schema_owner(connection)
    if owner is None:
        return bool(connection.execute(text(
            "SELECT has_schema_privilege(current_schema(), 'CREATE')")).scalar())
    return bool(connection.execute(
        text("SELECT pg_has_role(current_user, :owner, 'USAGE')"), {"owner": owner}).scalar())


def grant_app_role(connection: Connection, role: str) -> Granted:
    """Give ``role`` exactly what the app needs on this database, in the caller's transaction.

    Run as the owner of the tables (or a superuser), after every ``frontdesk db upgrade``: the
    grants are replaced, not added to, so a second run changes nothing and a run after an
    upgrade covers what the upgrade created. Default privileges also give tables and sequences
    the owner creates later the working grants, so the app keeps working if the second run is
    forgotten (it then lacks only the narrower grants this run would have made exact).

    Raises :class:`RoleRefused`, before or after granting (the caller rolls back), when the
    role is unsafe (the owner, a member of it, a superuser, able to create roles) or would
    still be able to change the audit trail or the schema by some other route.
    """
    if connection.dialect.name != "postgresql":
        raise RoleRefused("database roles are for PostgreSQL; a SQLite file is kept private by "
                          "its file mode")
    schema = str(connection.execute(text("SELECT current_schema()")).scalar())
    owner = schema_owner(connection)
    if owner is None:
        raise RoleRefused("the database has no frontdesk schema yet: run `frontdesk db "
                          "upgrade` as the owner first")
    _check_runner(connection, owner)
    _check_role(connection, role, owner)
    _check_ownership(connection, schema, owner)

    quote = connection.dialect.identifier_preparer.quote_identifier
    who, where = quote(role), quote(schema)
    tables = [str(t) for t in connection.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY tablename"),
        {"schema": schema}).scalars()]
    sequences = [str(s) for s in connection.execute(text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = :schema "
        "ORDER BY sequencename"), {"schema": schema}).scalars()]
    database = quote(str(connection.execute(text("SELECT current_database()")).scalar()))
    statements = [f"GRANT CONNECT ON DATABASE {database} TO {who}",
                  f"GRANT USAGE ON SCHEMA {where} TO {who}"]
    granted: dict[str, tuple[str, ...]] = {}
    for table in tables:
        granted[table] = table_privileges(table)
        statements += [f"REVOKE ALL ON TABLE {where}.{quote(table)} FROM {who}",
                       f"GRANT {', '.join(granted[table])} ON TABLE {where}.{quote(table)} "
                       f"TO {who}"]
    for sequence in sequences:
        statements += [f"REVOKE ALL ON SEQUENCE {where}.{quote(sequence)} FROM {who}",
                       f"GRANT {', '.join(SEQUENCES)} ON SEQUENCE {where}.{quote(sequence)} "
                       f"TO {who}"]
    later = f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote(owner)} IN SCHEMA {where}"
    statements += [f"{later} GRANT {', '.join(WORKING)} ON TABLES TO {who}",
                   f"{later} GRANT {', '.join(SEQUENCES)} ON SEQUENCES TO {who}"]
    for statement in statements:
        connection.exec_driver_sql(statement)

    leaks = app_role_leaks(connection, role, schema)
    if leaks:
        raise RoleRefused(f"{role} would still be able to {'; '.join(leaks)}")
    return Granted(role=role, owner=owner, schema=schema, tables=granted,
                   sequences=tuple(sequences))


def app_role_leaks(connection: Connection, role: str, schema: str) -> list[str]:
    """What ``role`` can do that the app role must not, whatever the route (its own grants,
    grants to PUBLIC, membership of a role such as pg_write_all_data), with the fix; and
    whether the audit trail's guard triggers are missing or switched off."""
    leaks = []
    for table, forbidden in _FORBIDDEN.items():
        name = f"{schema}.{table}"
        held = [p for p in forbidden if connection.execute(
            text("SELECT has_table_privilege(:role, :name, :p)"),
            {"role": role, "name": name, "p": p}).scalar()]
        if held:
            leaks.append(f"{', '.join(held)} {table} (through PUBLIC or a role it belongs to, "
                         "such as pg_write_all_data)")
    if connection.execute(text("SELECT has_schema_privilege(:role, :schema, 'CREATE')"),
                          {"role": role, "schema": schema}).scalar():
        leaks.append(f"create objects in schema {schema} (PostgreSQL 14 and older let everyone: "
                     f"as its owner, REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC)")
    if connection.execute(text(
            "SELECT has_database_privilege(:role, current_database(), 'CREATE')"),
            {"role": role}).scalar():
        leaks.append("create schemas in the database (REVOKE CREATE ON DATABASE … FROM PUBLIC "
                     "and from the role)")
    enabled = set(connection.execute(text(
        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relname = 'audit_event' AND t.tgenabled <> 'D'"),
        {"schema": schema}).scalars())
    missing = [t for t in GUARD_TRIGGERS if t not in enabled]
    if missing:
        leaks.append(f"change the audit trail: trigger {', '.join(missing)} is missing or "
                     "disabled (run `frontdesk db upgrade` as the owner)")
    return leaks


def _check_role(connection: Connection, role: str, owner: str) -> None:
    row = connection.execute(text(
        "SELECT rolsuper, rolcreaterole, rolreplication FROM pg_roles WHERE rolname = :role"),
        {"role": role}).one_or_none()
    if row is None:
        raise RoleRefused(f"there is no role {role!r}; create it first "
                          "(CREATE ROLE … LOGIN, see docs/postgresql.md)")
    if role == owner:
        raise RoleRefused(f"{role} owns the tables (it could switch the audit trail's guard "
                          "off); the app needs a role of its own")
    problems = [what for what, has in zip(("SUPERUSER", "CREATEROLE", "REPLICATION"), row,
                                          strict=True) if has]
    if connection.execute(text("SELECT pg_has_role(:role, :owner, 'MEMBER')"),
                          {"role": role, "owner": owner}).scalar():
        problems.append(f"membership of {owner}, which owns the tables")
    if problems:
        raise RoleRefused(f"{role} has {', '.join(problems)}: the app role must not be able "
                          "to switch the audit trail's guard off")


def _check_ownership(connection: Connection, schema: str, owner: str) -> None:
    """Default privileges follow the owner: a table someone else created (an upgrade run as
    postgres) would be left out of them."""
    others = connection.execute(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'S', 'v') "
        "AND pg_get_userbyid(c.relowner) <> :owner ORDER BY c.relname"),
        {"schema": schema, "owner": owner}).scalars().all()
    if others:
        verb = "is" if len(others) == 1 else "are"
        raise RoleRefused(f"{', '.join(others)} {verb} not owned by {owner}, the owner of the "
                          f"other tables: as a superuser, ALTER TABLE … OWNER TO {owner}, and run "
                          "upgrades as that role")


def _check_runner(connection: Connection, owner: str) -> None:
    runner = connection.execute(text(
        "SELECT rolsuper OR pg_has_role(current_user, :owner, 'USAGE') FROM pg_roles "
        "WHERE rolname = current_user"), {"owner": owner}).scalar()
    if not runner:
        raise RoleRefused(f"only {owner}, the owner of the tables (or a superuser), may grant "
                          "on them; connect as that role")
