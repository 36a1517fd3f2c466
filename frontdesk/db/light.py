"""A read-only door to a SQLite database without SQLAlchemy: what the command line's read
commands use, so that someone waiting on ``frontdesk appointments --date today`` does not wait
for the database stack to import (SQLAlchemy, SQLModel and the models take about three times
what the whole command does once they are loaded; issue 19).

It opens only what it can answer for exactly: an existing SQLite file (a plain path, or a
``sqlite:///`` URL without options) whose schema is at :data:`~frontdesk.db.revision.HEAD`.
Anything else — PostgreSQL, a database to create or upgrade, a URL with options — gets ``None``
and goes the full way, which migrates, creates and reports as before. The connection is
read-only (``PRAGMA query_only``) except for one append-only write at a time
(:meth:`Reader.append`): the audit event a read command owes.

Values come back as SQLite keeps them; :func:`utc` reads a stored time back as SQLAlchemy
writes it (UTC, no offset).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from frontdesk.db.revision import HEAD
from frontdesk.db.schema import BLOCKING
from frontdesk.domain.model import BusySpan

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


def plain_sqlite_path(target: str) -> Path | None:
    """The file a plain path or a plain ``sqlite:///`` URL names; None for anything else (an
    in-memory database, PostgreSQL, a URL with options or escapes: the full way reads those)."""
    text = str(target)
    if text in ("", ":memory:") or any(c in text for c in "?%#"):
        return None  # the full way reads "x.db?timeout=5" as x.db with an option: ask it
    if "://" not in text:
        return Path(text).expanduser().resolve()
    prefix = "sqlite:///"
    if not text.startswith(prefix):
        return None
    rest = text[len(prefix):]
    return None if rest in ("", ":memory:") else Path(rest).resolve()


class Reader:
    """One connection; ``rows`` runs a statement with ``?`` or ``:name`` parameters. Reads
    only, except :meth:`append`: the one write a read command owes, its audit event.

    The early board reads through it from several worker threads (the day, the days ahead)
    while the app may close it: one use at a time (a snapshot is one use), and :meth:`close`
    waits for the use in progress — a connection closed under a running statement crashes
    the interpreter. Used after closing, it raises ``sqlite3.ProgrammingError``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._connection = connection
        self.path = path
        self._turn = threading.RLock()

    def rows(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self._turn:
            return self._connection.execute(sql, params).fetchall()

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        """Several reads in one read transaction, so they see one state of the database (as
        the full way's read session does), not each the state of its moment."""
        with self._turn:
            connection = self._connection
            connection.execute("BEGIN DEFERRED")
            try:
                yield self
            finally:
                if connection.in_transaction:  # nothing to keep: ends the read, even on error
                    connection.execute("COMMIT")

    def append(self, check: Callable[[Reader], T], sql: str,
               params: Callable[[T], Params | None]) -> T:
        """One write transaction (``BEGIN IMMEDIATE``, as every write on SQLite): ``check`` reads
        what the write depends on (raising refuses it), then one ``INSERT`` with the parameters
        made from what it found (None: nothing to write), then commit. Nothing is written when
        anything fails."""
        with self._turn:
            return self._append(check, sql, params)

    def _append(self, check: Callable[[Reader], T], sql: str,
                params: Callable[[T], Params | None]) -> T:
        connection = self._connection
        connection.execute("PRAGMA query_only = OFF")
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                found = check(self)
                values = params(found)
                if values is not None:
                    connection.execute(sql, values)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:  # SQLite may have rolled back on its own
                    with suppress(sqlite3.Error):
                        connection.execute("ROLLBACK")
                raise
            return found
        finally:
            connection.execute("PRAGMA query_only = ON")

    def close(self) -> None:
        with self._turn:
            self._connection.close()


def open_reader(target: str) -> Reader | None:
    """A reader on ``target`` when it is an existing SQLite file at the current revision; None
    otherwise (and for any error opening it: the full way then says what is wrong)."""
    path = plain_sqlite_path(target)
    if path is None or not path.is_file():
        return None
    try:
        # mode=rw never creates the file; SQLite gives -wal and -shm the database file's mode
        connection = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=30,
                                     check_same_thread=False, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA foreign_keys = ON")
        found = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        connection.close()
        return None
    if found != [(HEAD,)]:
        connection.close()
        return None
    return Reader(connection, path)


def utc(stored: str | None) -> datetime | None:
    """A time as SQLAlchemy keeps it on SQLite (``2027-03-10 15:00:00.000000``, UTC) made aware;
    one written with an offset (by another program) is read at that offset, as SQLModel does."""
    if stored is None:
        return None
    found = datetime.fromisoformat(stored)
    return found.replace(tzinfo=UTC) if found.utcoffset() is None else found.astimezone(UTC)


def is_busy(error: sqlite3.Error) -> bool:
    """SQLite gave up waiting for another writer (after the busy timeout)."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def day(stored: str | None) -> date | None:
    return None if stored is None else date.fromisoformat(stored)


def stored(when: datetime) -> str:
    """An aware time as SQLAlchemy writes it on SQLite: UTC, fixed width (text order is time
    order)."""
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


#: No block is longer than this (the schema refuses longer ones), which bounds range scans.
MAX_BLOCK = timedelta(days=1)


def busy_statement(*, start: datetime, end: datetime, now: datetime,
                   provider_ids: Collection[int], room_ids: Collection[int],
                   exclude_id: int | None = None) -> tuple[str, tuple[Any, ...]]:
    """The availability hot path on SQLite, as plain SQL and its parameters: blocked spans
    touching [start, end) on these providers or rooms (holds only while unexpired). Both ways
    run it: ``queries.busy_between`` through SQLAlchemy's connection, the light way through
    :class:`Reader`; :func:`busy_spans` reads its rows."""
    providers = ",".join(str(int(p)) for p in provider_ids) or "NULL"  # ints only: safe inline
    rooms = ",".join(str(int(r)) for r in room_ids) or "NULL"
    sql = (
        "SELECT provider_id, room_id, block_start, block_end FROM appointment "
        "WHERE block_start < ? AND block_start > ? AND block_end > ? "
        f"AND status IN ({BLOCKING}) AND (status <> 'held' OR hold_expires_at > ?) "
        f"AND (provider_id IN ({providers}) OR room_id IN ({rooms})) AND id <> ?"
    )
    params = (stored(end), stored(start - MAX_BLOCK), stored(start), stored(now),
              -1 if exclude_id is None else exclude_id)
    return sql, params


def busy_spans(rows: Sequence[Sequence[Any]]) -> list[BusySpan]:
    """The rows of :func:`busy_statement` as spans (types decoded here: about twice as fast per
    row as SQLAlchemy's)."""
    parse = datetime.fromisoformat  # appending the offset is ~6x faster than .replace(tzinfo)
    return [BusySpan(p, r, parse(a + "+00:00"), parse(b + "+00:00")) for p, r, a, b in rows]
