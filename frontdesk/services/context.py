"""What every service needs: the engine, the settings, a clock and where the person acts from —
passed in, never global."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from frontdesk.db import migrate
from frontdesk.db.engine import DatabaseBusyError, make_engine, run_write
from frontdesk.domain.settings import Settings, practice_overlay
from frontdesk.services.errors import Busy
from frontdesk.services.files import file_modes
from frontdesk.services.origin import Origin

T = TypeVar("T")


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    engine: Engine
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], datetime] = system_clock
    origin: Origin = field(default_factory=Origin)

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("clock must return an aware datetime")
        return moment.astimezone(UTC)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def open_context(
    db: str,
    *,
    settings: Settings | None = None,
    clock: Callable[[], datetime] = system_clock,
    upgrade: bool = True,
    origin: Origin | None = None,
) -> Context:
    """Connect to ``db`` (a path or SQLAlchemy URL) and bring its schema up to date. A new
    SQLite file and its folder are made owner-only, or for the settings' shared group."""
    settings = settings or Settings()
    engine = make_engine(db, modes=file_modes(settings))
    if upgrade:
        migrate.upgrade(engine)
    settings = practice_overlay(settings, stored_practice(engine))
    return Context(engine=engine, settings=settings, clock=clock, origin=origin or Origin())


def stored_practice(engine: Engine) -> dict[str, Any]:
    """What ``frontdesk practice apply`` keeps in ``practice_setting`` (key -> table): one small
    query; nothing when the table is not there yet (a database not migrated)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(_STORED).all()
    except SQLAlchemyError:
        return {}
    out: dict[str, Any] = {}
    for key, value in rows:
        out[key] = json.loads(value) if isinstance(value, str) else value
    return out


_STORED = text("SELECT key, value FROM practice_setting")


def write(ctx: Context, work: Callable[[Session], T]) -> T:
    """Run ``work`` as one write transaction; a database too busy to answer is ``Busy``."""
    try:
        return run_write(ctx.engine, work)
    except DatabaseBusyError as exc:
        raise Busy(str(exc)) from exc
