"""A connection opened the way an outside writer would: the driver alone, none of frontdesk's
settings (on SQLite: no BEGIN IMMEDIATE, foreign keys and recursive_triggers off)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine


@contextmanager
def writer_connection(engine: Engine) -> Iterator[Any]:
    """On SQLite in autocommit mode, so the test sends BEGIN and COMMIT itself as the sqlite3
    shell would; on PostgreSQL psycopg's default, a transaction opened by the first statement."""
    connection: Any
    if engine.dialect.name == "sqlite":
        connection = sqlite3.connect(str(engine.url.database), isolation_level=None)
    else:
        url = engine.url.set(drivername="postgresql")
        connection = psycopg.connect(url.render_as_string(hide_password=False))
    try:
        yield connection
    finally:
        connection.close()


def begin(connection: Any) -> None:
    if isinstance(connection, sqlite3.Connection):
        connection.execute("BEGIN")
