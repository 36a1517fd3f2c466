"""The benchmark's big synthetic SQLite database: built once, reused while its recipe matches.

Building 200,000 appointments takes a minute or two, so the file is kept in the user cache
directory with a JSON sidecar holding the recipe, the schema revision and the day it was built
around. The benchmark's clock is frozen on that day, so a reused database gives the same
figures next week as today.
"""

from __future__ import annotations

import json
import time as clock
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs
from sqlalchemy import func
from sqlmodel import Session, select

from frontdesk.db import migrate
from frontdesk.db.engine import make_engine
from frontdesk.db.models import Appointment
from frontdesk.services import demo
from frontdesk.services.context import Context

ZONE = ZoneInfo("America/Chicago")
GENERATOR_VERSION = 3  # bump when frontdesk.services.demo changes what it generates


@dataclass(frozen=True)
class Recipe:
    """The big practice: 8 locations, 40 providers, ~20 months back and the 180-day booking
    horizon ahead (about two years), busy enough for ``appointments`` rows."""

    appointments: int = 200_000
    locations: int = 8
    providers: int = 40
    patients: int = 15_000
    days_back: int = 600
    days_ahead: int = 180
    fill: float = 0.75
    seed: int = 2027
    generator: int = GENERATOR_VERSION

    @classmethod
    def for_target(cls, appointments: int) -> Recipe:
        """More history (not a busier diary) for bigger targets; 40 providers stay 40.

        The whole span (history and the 180-day horizon) grows with the target, so the diary
        stays as full as the default's: 1,000,000 appointments reach 3,720 days (ten years)
        back. Growing only the history left a million short (883,000 at the highest fill).
        """
        scale = appointments / 200_000
        span = round((cls.days_back + cls.days_ahead) * scale)
        return cls(appointments=appointments, days_back=max(30, span - cls.days_ahead),
                   patients=min(19_000, max(2_000, round(15_000 * scale))))


@dataclass(frozen=True)
class BigDb:
    path: Path
    today: date
    appointments: int
    reused: bool
    build_seconds: float

    def context(self) -> Context:
        """A context on the file with the clock frozen at 09:00 Tulsa time on ``today``."""
        now = datetime.combine(self.today, time(9), ZONE).astimezone(UTC)
        return Context(engine=make_engine(self.path), clock=lambda: now)


def default_path(appointments: int) -> Path:
    return platformdirs.user_cache_path("frontdesk") / f"bench-{appointments}.db"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _count(path: Path) -> int:
    engine = make_engine(path)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(Appointment)).one())
    finally:
        engine.dispose()


def _matching(path: Path, recipe: Recipe) -> date | None:
    """The stored day when ``path`` was built by this recipe on this schema, else None."""
    sidecar = _sidecar(path)
    if not (path.exists() and sidecar.exists()):
        return None
    try:
        meta = json.loads(sidecar.read_text())
        if meta.get("recipe") != asdict(recipe) or meta.get("schema") != migrate.head_revision():
            return None
        return date.fromisoformat(meta["today"])
    except (ValueError, KeyError, TypeError):
        return None


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    _sidecar(path).unlink(missing_ok=True)


def open_big(path: Path, recipe: Recipe, *, rebuild: bool = False,
             say: Callable[[str], None] = print) -> BigDb:
    """Reuse ``path`` when it matches ``recipe``; otherwise build it from scratch."""
    today = None if rebuild else _matching(path, recipe)
    if today is not None:
        count = _count(path)
        if count >= recipe.appointments:
            say(f"Reusing {path} ({count:,} appointments, built around {today})")
            return BigDb(path, today, count, True, 0.0)
    remove(path)
    today = datetime.now(ZONE).date()
    say(f"Building {path} around {today} (target {recipe.appointments:,} appointments)")
    started = clock.perf_counter()
    now = datetime.combine(today, time(9), ZONE).astimezone(UTC)
    engine = make_engine(path)
    try:
        migrate.upgrade(engine)
        ctx = Context(engine=engine, clock=lambda: now)
        summary = demo.build_practice(
            ctx, today=today, seed=recipe.seed, locations=recipe.locations,
            providers=recipe.providers, patients=recipe.patients, days_back=recipe.days_back,
            days_ahead=recipe.days_ahead, fill=recipe.fill,
            min_appointments=recipe.appointments, progress=lambda text: say("  " + text),
        )
        raw = engine.raw_connection()  # autocommit: checkpoints cannot run in a transaction
        try:
            cursor = raw.cursor()
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()
    finally:
        engine.dispose()
    seconds = clock.perf_counter() - started
    if summary.appointments < recipe.appointments:
        say(f"  note: only {summary.appointments:,} appointments fit the recipe's days")
    meta = {"recipe": asdict(recipe), "schema": migrate.head_revision(),
            "today": today.isoformat(), "summary": {k: str(v) for k, v in
                                                    asdict(summary).items()}}
    _sidecar(path).write_text(json.dumps(meta, indent=2))
    say(f"Built in {seconds:.0f} s: {summary.appointments:,} appointments, "
        f"{summary.patients:,} patients, {summary.closures} closures")
    return BigDb(path, today, summary.appointments, False, seconds)
