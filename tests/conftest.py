"""Shared fixtures: a frozen clock, migrated SQLite and PostgreSQL databases, a tiny practice."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk.cli import identity
from frontdesk.db import migrate
from frontdesk.db.engine import make_engine
from frontdesk.services.context import Context
from frontdesk.services.demo import seed_demo
from tests.practice import Practice, build_practice

PG_ADMIN_URL = os.environ.get(
    "FRONTDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class FrozenClock:
    """A clock tests move by hand. Default: Wed 2027-03-10 09:00 in Tulsa (15:00 UTC)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2027, 3, 10, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test asks for a password on the terminal it runs in: the command line sees none (a
    test that means to ask points ``identity.TTY`` at a file of its own)."""
    monkeypatch.setattr(identity, "TTY", "/nonexistent/tty")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(path)
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    path = tmp_path / "frontdesk.db"
    shutil.copy(migrated_sqlite, path)
    return str(path)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated; dropped at the end."""
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"frontdesk_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_database: str) -> str:
    engine = make_engine(pg_database)
    with engine.begin() as conn:
        # the audit trail refuses TRUNCATE: wipe as the superuser with triggers off
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' "
            "AND tablename <> 'alembic_version'"
        )).scalars().all()
        conn.execute(text(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        ))
    engine.dispose()
    return pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run a test on both databases."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def ctx(db_url: str, clock: FrozenClock) -> Iterator[Context]:
    engine = make_engine(db_url)
    yield Context(engine=engine, clock=clock)
    engine.dispose()


@pytest.fixture
def sqlite_ctx(sqlite_url: str, clock: FrozenClock) -> Iterator[Context]:
    engine = make_engine(sqlite_url)
    yield Context(engine=engine, clock=clock)
    engine.dispose()


@pytest.fixture
def practice(ctx: Context) -> Practice:
    return build_practice(ctx)


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common umask (group and others may read what is made), for the file-mode tests:
    frontdesk's files must come out private anyway."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.fixture
def own_group() -> str:
    """A group this process is in (its own), for the shared-group setting."""
    import grp

    return grp.getgrgid(os.getegid()).gr_name


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo practice, seeded once around Wed 10 Mar 2027, 09:00 in Tulsa."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(path)
    migrate.upgrade(engine)
    seed_demo(Context(engine=engine, clock=FrozenClock()), today=date(2027, 3, 10))
    with engine.begin() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    """A copy of the seeded demo practice for one test."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return str(path)


@pytest.fixture
def demo(demo_url: str, clock: FrozenClock) -> Iterator[Context]:
    engine = make_engine(demo_url)
    yield Context(engine=engine, clock=clock)
    engine.dispose()
