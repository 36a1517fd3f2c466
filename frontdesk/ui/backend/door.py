"""The Backend every screen holds (each area's door in one object), and opening it on a
database: migrations, the demo practice's first seeding, a plain reason when it cannot open."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from frontdesk.domain.settings import Settings
from frontdesk.services.config import LoadedSettings, load_settings
from frontdesk.services.context import Context, open_context, system_clock
from frontdesk.services.errors import first_line, redact
from frontdesk.services.files import database_warnings
from frontdesk.services.origin import Origin, app_origin
from frontdesk.ui.backend.account import AccountDoor
from frontdesk.ui.backend.calendar import CalendarDoor
from frontdesk.ui.backend.calls import Advice, CallBooking, CallDoor
from frontdesk.ui.backend.confirmations import ConfirmationsDoor
from frontdesk.ui.backend.core import PRACTICE_ZONE
from frontdesk.ui.backend.recalls import RecallDoor
from frontdesk.ui.backend.reports import ReportDoor
from frontdesk.ui.backend.waitlist import WaitlistDoor

__all__ = ["Advice", "Backend", "CallBooking", "Opened", "describe_failure", "open_backend"]


@dataclass(frozen=True)
class Backend(AccountDoor, CalendarDoor, CallDoor, ReportDoor,
              ConfirmationsDoor,
              RecallDoor,
              WaitlistDoor):
    """The services bound to one open database, acting as the person signed in (see
    :class:`~frontdesk.ui.backend.core.BackendCore`); one door per area of the app."""


@dataclass(frozen=True)
class Opened:
    """The open backend, any settings problems and warnings about the database's files — or,
    with no backend, why it failed."""

    backend: Backend | None
    problems: tuple[str, ...] = ()
    error: str = ""
    warnings: tuple[str, ...] = ()  # e.g. a database file other users can read


def open_backend(
    db: str,
    *,
    demo: bool = False,
    clock: Callable[[], datetime] | None = None,
    settings: Settings | LoadedSettings | None = None,
    report: Callable[[str], object] = lambda _message: None,
    staff: str | None = None,
    sign_in: bool = False,
    passwords_apart: bool = False,
    origin: Origin | None = None,
) -> Opened:
    """Open (and migrate) ``db``; on a demo database, seed the demo practice the first time.
    ``sign_in``: nobody acts until someone signs in (see :meth:`Backend.create`).
    ``passwords_apart``: check passwords in a child process from now on (the long-lived app:
    argon2's working memory never becomes its own). ``origin``: where the person acts from
    (default: read from this process now).

    Never raises for a database that cannot be opened: the reason comes back in plain words.
    """
    if passwords_apart:
        from frontdesk.services.accounts import passwords

        passwords.APART = True
    if isinstance(settings, LoadedSettings):
        loaded = settings
    else:
        loaded = LoadedSettings(settings, ()) if settings is not None else load_settings()
    try:
        ctx = open_context(db, settings=loaded.settings, clock=clock or system_clock,
                           origin=origin or app_origin(os.environ))
    except Exception as exc:
        return Opened(None, loaded.problems, describe_failure(exc, db))
    try:
        if demo:
            _seed_demo_once(ctx, report)
        return Opened(Backend.create(ctx, owned=True, staff=staff, sign_in=sign_in),
                      loaded.problems, warnings=database_warnings(db, loaded.settings))
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
