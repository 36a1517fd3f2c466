"""The Alembic history builds exactly the tables in models.py, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import frontdesk.db.models  # noqa: F401
from frontdesk.db import migrate
from frontdesk.db.engine import make_engine


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.upgrade(engine) is False  # nothing left to do
    engine.dispose()


def test_upgrade_creates_a_new_sqlite_database(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "nested" / "new.db"
    engine = make_engine(path)
    assert migrate.upgrade(engine) is True
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
        fks = conn.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (mode, sync, fks) == ("wal", 2, 1)  # WAL, FULL, on
    engine.dispose()


def test_the_packaged_head_is_the_migrations_head() -> None:
    """Start and commands compare the database with ``HEAD`` instead of reading the scripts:
    a new migration must move it."""
    assert migrate.head_revision() == migrate.script_head()


def test_a_current_database_is_opened_without_importing_alembic(tmp_path: object) -> None:
    """Alembic (with Mako and Pygments) is for upgrading: opening a current database, as every
    start and every command does, asks one query and imports none of it."""
    import subprocess
    import sys
    from pathlib import Path

    path = Path(str(tmp_path)) / "current.db"
    engine = make_engine(path)
    migrate.upgrade(engine)
    engine.dispose()
    probe = ("import sys\n"
             "from frontdesk.services.context import open_context\n"
             f"ctx = open_context({str(path)!r})\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('alembic', 'mako', 'pygments')))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_a_new_database_has_no_revision_and_gets_one(tmp_path: object) -> None:
    from pathlib import Path

    engine = make_engine(Path(str(tmp_path)) / "empty.db")
    assert migrate.current_revision(engine) is None
    assert migrate.upgrade(engine) is True
    assert migrate.current_revision(engine) == migrate.HEAD
    engine.dispose()
