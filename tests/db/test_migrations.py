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
