"""``frontdesk db …``: schema upgrade, the PostgreSQL application role's grants, demo data, and
a consistent SQLite backup."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from frontdesk.cli.errors import CommandFailed, InputRejected, open_failed
from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import emit
from frontdesk.cli.runtime import Runtime
from frontdesk.services.errors import first_line, redact


@click.group("db")
def db_group() -> None:
    """Database upkeep: schema upgrade, the app role's grants, demo data, backup."""


@db_group.command("upgrade")
@json_option
@click.pass_obj
def db_upgrade(runtime: Runtime) -> None:
    """Bring the database schema up to the newest revision (Alembic) and print it."""
    from frontdesk.db import migrate

    target = runtime.target()
    ctx = runtime.context(upgrade=False)
    try:
        before = migrate.current_revision(ctx.engine)
        migrate.upgrade(ctx.engine)
        after = migrate.current_revision(ctx.engine)
    except Exception as exc:
        raise open_failed(target, exc) from None
    shown = redact(target)
    doc = {"database": shown, "before": before, "revision": after, "upgraded": before != after}
    text = (f"{shown}: already at revision {after} (newest)" if before == after
            else f"{shown}: upgraded from {before or 'an empty database'} to {after}")
    emit(runtime, doc, text)


@db_group.command("grant-app-role")
@click.argument("role")
@json_option
@click.pass_obj
def db_grant_app_role(runtime: Runtime, role: str) -> None:
    """PostgreSQL: give ROLE exactly what the app needs, and the audit trail read and append only.

    Run as the role that owns the tables (the one that runs `db upgrade`), after the first
    upgrade and again after every later one. ROLE gets SELECT, INSERT, UPDATE and DELETE on the
    working tables, SELECT and INSERT on audit_event, SELECT on alembic_version, and nothing
    more; tables later upgrades create get the working grants until this runs again. Refused
    (exit 2, nothing changed) for a role that could switch the audit trail's guard off. See
    docs/postgresql.md.
    """
    from frontdesk.db import migrate, roles

    target = runtime.target()
    ctx = runtime.context(upgrade=False)
    try:
        current, head = migrate.current_revision(ctx.engine), migrate.head_revision()
    except Exception as exc:
        raise open_failed(target, exc) from None
    if ctx.dialect == "postgresql" and current != head:
        raise InputRejected(f"the schema is at {current or 'no revision'}, not {head}: run "
                            "`frontdesk db upgrade` as the owner first")
    try:
        with ctx.engine.begin() as connection:
            granted = roles.grant_app_role(connection, role)
    except roles.RoleRefused as exc:
        raise InputRejected(str(exc)) from None
    working = sorted(t for t, p in granted.tables.items() if p == roles.WORKING)
    special = {t: p for t, p in granted.tables.items() if p != roles.WORKING}
    doc = {"database": redact(target), "role": granted.role, "owner": granted.owner,
           "schema": granted.schema,
           "tables": {t: list(p) for t, p in sorted(granted.tables.items())},
           "sequences": {s: list(roles.SEQUENCES) for s in granted.sequences},
           "later_tables": list(roles.WORKING), "later_sequences": list(roles.SEQUENCES)}
    lines = [f"{redact(target)}: {granted.role} may now, in schema {granted.schema} "
             f"(owned by {granted.owner}):"]
    lines += [f"  {', '.join(p)} on {t}" for t, p in sorted(special.items())]
    lines += [f"  {', '.join(roles.WORKING)} on the other {len(working)} tables",
              f"  {', '.join(roles.SEQUENCES)} on their {len(granted.sequences)} sequences",
              f"  {', '.join(roles.WORKING)} on tables {granted.owner} creates later (run this "
              "again after each upgrade)"]
    emit(runtime, doc, "\n".join(lines))


@db_group.command("seed-demo")
@json_option
@click.pass_obj
def db_seed_demo(runtime: Runtime) -> None:
    """Fill an empty database with the synthetic demo practice.

    Goes into --db (or $FRONTDESK_DB) when given, else into the separate demo database — never
    into the practice's own default database. A database that already has data is refused.
    """
    from frontdesk.services import demo
    from frontdesk.services.paths import resolve_db
    from frontdesk.services.views import to_json

    target = resolve_db(runtime.db, demo=True)
    ctx = runtime.context(target=target)
    summary = demo.seed_demo(ctx)
    facts = to_json(summary)
    lines = [f"seeded the demo practice into {redact(target)}"]
    if isinstance(facts, dict):
        lines += [f"  {k}: {v}" for k, v in facts.items()]
    emit(runtime, summary, "\n".join(lines))


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@acting_as("by", deferred=True)
@json_option
@click.pass_obj
def db_backup(runtime: Runtime, path: Path, force: bool, by: Callable[[], str]) -> None:
    """Copy a SQLite database consistently to PATH (mode 0600), even while it is in use. It
    holds every patient: an admin's job, and the audit log records who made it.

    For PostgreSQL use pg_dump.
    """
    import sqlite3

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from frontdesk.db.engine import normalise_url
    from frontdesk.services import directory
    from frontdesk.services.errors import InvalidInput

    target = runtime.target()
    try:
        url = make_url(normalise_url(target))
    except (ArgumentError, ValueError) as exc:
        raise InvalidInput("db", first_line(exc)) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        raise InputRejected("db backup copies SQLite files only; for PostgreSQL use pg_dump, "
                            "e.g. pg_dump --format=custom --file=BACKUP.dump DBNAME")
    if backend != "sqlite":
        raise InvalidInput("db", f"unsupported database {backend!r}; use SQLite or PostgreSQL")
    if url.database in (None, "", ":memory:"):
        raise InvalidInput("db", "an in-memory database has nothing to back up")
    source = Path(url.database or "")
    if not source.is_file():  # before anything opens it: opening would create it
        raise InvalidInput("db", f"no SQLite database file at {source}")
    admin = by()
    ctx = runtime.context()
    directory.may_back_up(ctx, by=admin)
    try:
        size = backup_sqlite(source, path.expanduser(), force=force)
    except sqlite3.Error as exc:
        raise CommandFailed(f"cannot back up {source}: {exc}") from None
    directory.record_backup(ctx, by=admin, size=size)
    doc = {"database": str(source), "backup": str(path), "bytes": size}
    emit(runtime, doc, f"backed up {source} to {path} ({size:,} bytes)")


def backup_sqlite(source: Path, dest: Path, *, force: bool) -> int:
    """sqlite3's online backup into a private temp file beside ``dest``, then moved into place.

    The copy is one consistent snapshot even while others write; ``dest`` never exists half
    written; without ``force`` an existing file is never replaced (``os.link`` refuses to).
    """
    import sqlite3
    import tempfile

    from frontdesk.services.errors import InvalidInput

    already_there = f"{dest} already exists; add --force to replace it"
    if not source.is_file():
        raise InvalidInput("db", f"no SQLite database file at {source}")
    if dest.is_dir():
        raise InvalidInput("path", f"{dest} is a folder; give a file name")
    if dest.exists() and dest.resolve() == source.resolve():
        raise InvalidInput("path", "is the database itself")
    if dest.exists() and not force:
        raise InvalidInput("path", already_there)
    if not dest.parent.is_dir():
        raise InvalidInput("path", f"folder {dest.parent} does not exist")
    handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(handle)  # mkstemp made it 0600; sqlite writes into it and keeps the mode
    part = Path(name)
    try:
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            writer = sqlite3.connect(part)
            try:
                reader.backup(writer)
                writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                check = writer.execute("PRAGMA quick_check").fetchone()
            finally:
                writer.close()
        finally:
            reader.close()
        if check != ("ok",):
            raise sqlite3.DatabaseError(f"the copy failed its integrity check: {check}")
        os.chmod(part, 0o600)
        if force:
            os.replace(part, dest)
        else:
            try:
                os.link(part, dest)
            except FileExistsError:
                raise InvalidInput("path", already_there) from None
    finally:
        part.unlink(missing_ok=True)
    return dest.stat().st_size
