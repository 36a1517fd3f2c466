"""Engines and transactions for SQLite (default) and PostgreSQL.

SQLite: WAL, synchronous=FULL, foreign keys on; every write transaction starts with
``BEGIN IMMEDIATE`` so two writers never both pass a check-then-insert; a new database file (and
so its ``-wal`` and ``-shm``) and its folder are made private whatever the umask (see
:mod:`frontdesk.db.files`). PostgreSQL: exclusion constraints do the refusing; deadlocks and
serialization failures are retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from frontdesk.db.files import PRIVATE, FileModes, create_file, make_folders

T = TypeVar("T")

_WRITE = "frontdesk_write"
_RETRYABLE_PG = {"40P01", "40001"}  # deadlock detected, serialization failure
_OVERLAP_PG = "23P01"  # exclusion_violation
_OVERLAP_SQLITE = "frontdesk: overlapping appointment"


class OverlapError(Exception):
    """The database refused a second appointment on a provider's or room's time."""


class DatabaseBusyError(Exception):
    """The database stayed locked or kept failing transiently after every retry."""


def normalise_url(target: str | Path) -> str:
    """A SQLite path or any SQLAlchemy URL; plain paths become ``sqlite:///path``."""
    text = str(target)
    if "://" in text:
        return text
    if text == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(target: str | Path, *, echo: bool = False, modes: FileModes = PRIVATE) -> Engine:
    """``modes``: how a new SQLite file and its folder are made (owner-only unless shared)."""
    url = make_url(normalise_url(target))
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url.render_as_string(hide_password=False), echo=echo, modes=modes)
    if url.get_backend_name() == "postgresql":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5)
    raise ValueError(f"unsupported database {url.get_backend_name()!r}; use SQLite or PostgreSQL")


def _sqlite_engine(url: str, *, echo: bool, modes: FileModes) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    parsed = make_url(url)
    database = Path(parsed.database or "")
    if not memory:
        make_folders(database.parent, modes)
    kwargs: dict[str, Any] = {"poolclass": StaticPool} if memory else {}
    engine = create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
    )

    if not memory and "uri" not in parsed.query:  # a file: URI is SQLite's to open as it says
        @event.listens_for(engine, "do_connect")
        def _before_connect(*_args: Any) -> None:
            # made by us before SQLite would make it with the umask's mode; SQLite gives its
            # -wal, -shm and -journal the database file's mode
            create_file(database, modes)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def _classify(exc: DBAPIError) -> str | None:
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    if code == _OVERLAP_PG or _OVERLAP_SQLITE in str(orig):
        return "overlap"
    if code in _RETRYABLE_PG:
        return "retry"
    if isinstance(exc, OperationalError) and "database is locked" in str(orig):
        return "retry"
    return None


def run_write(engine: Engine, work: Callable[[Session], T], *, attempts: int = 5) -> T:
    """Run ``work`` in one write transaction and commit; retry transient failures.

    Raises OverlapError when the database refuses an overlapping appointment.
    """
    bind = engine.execution_options(**{_WRITE: True})
    for attempt in range(1, attempts + 1):
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                return work(session)
        except (IntegrityError, OperationalError, DBAPIError) as exc:
            kind = _classify(exc)
            if kind == "overlap":
                raise OverlapError(str(exc.orig)) from exc
            if kind == "retry" and attempt < attempts:
                time.sleep(random.uniform(0.005, 0.02) * attempt)
                continue
            if kind == "retry":
                raise DatabaseBusyError("the database is busy; please try again") from exc
            raise
    raise DatabaseBusyError("the database is busy; please try again")  # pragma: no cover
