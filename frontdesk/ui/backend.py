"""The UI's one door to the services. Imported only inside workers (see ``app.py``), so the
first paint never waits for SQLAlchemy or Alembic to load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from frontdesk.domain.settings import Settings
from frontdesk.services import directory, scheduling
from frontdesk.services.config import LoadedSettings, load_settings
from frontdesk.services.context import Context, open_context, system_clock
from frontdesk.services.errors import first_line, redact
from frontdesk.ui.board import DayBoard

PRACTICE_ZONE = "America/Chicago"  # every location is on Central time (DESIGN §1)


@dataclass(frozen=True)
class Backend:
    """The services bound to one open database. ``owned``: close the engine on exit."""

    ctx: Context
    zone: str = PRACTICE_ZONE
    owned: bool = False

    @classmethod
    def create(cls, ctx: Context, *, owned: bool = False) -> Backend:
        found = directory.locations(ctx)
        return cls(ctx, found[0].timezone if found else PRACTICE_ZONE, owned)

    def today(self) -> date:
        return self.ctx.now().astimezone(ZoneInfo(self.zone)).date()

    def load_day(self, day: date, location_id: int | None) -> DayBoard:
        places = tuple(directory.locations(self.ctx))
        wanted = None if location_id is None else [location_id]
        appts = scheduling.appointments_on(self.ctx, day=day, location_ids=wanted)
        return DayBoard(day, location_id, places, tuple(appts))

    def close(self) -> None:
        if self.owned:
            self.ctx.engine.dispose()


@dataclass(frozen=True)
class Opened:
    """The open backend and any settings problems — or, with no backend, why it failed."""

    backend: Backend | None
    problems: tuple[str, ...] = ()
    error: str = ""


def open_backend(
    db: str,
    *,
    demo: bool = False,
    clock: Callable[[], datetime] | None = None,
    settings: Settings | LoadedSettings | None = None,
    report: Callable[[str], object] = lambda _message: None,
) -> Opened:
    """Open (and migrate) ``db``; on a demo database, seed the demo practice the first time.

    Never raises for a database that cannot be opened: the reason comes back in plain words.
    """
    if isinstance(settings, LoadedSettings):
        loaded = settings
    else:
        loaded = LoadedSettings(settings, ()) if settings is not None else load_settings()
    try:
        ctx = open_context(db, settings=loaded.settings, clock=clock or system_clock)
    except Exception as exc:
        return Opened(None, loaded.problems, describe_failure(exc, db))
    try:
        if demo:
            _seed_demo_once(ctx, report)
        return Opened(Backend.create(ctx, owned=True), loaded.problems)
    except Exception as exc:
        ctx.engine.dispose()
        return Opened(None, loaded.problems, describe_failure(exc, db))


def _seed_demo_once(ctx: Context, report: Callable[[str], object]) -> None:
    from frontdesk.services import demo as demo_practice  # only demo databases need it

    if not demo_practice.has_data(ctx):
        report("Setting up the demo practice…")
        today = ctx.now().astimezone(ZoneInfo(PRACTICE_ZONE)).date()
        demo_practice.seed_demo(ctx, today=today)


def describe_failure(exc: BaseException, db: str) -> str:
    """A plain sentence for an error opening ``db``: no traceback, no password."""
    return f"Cannot open the database {redact(db)}.\n{first_line(exc)}"
