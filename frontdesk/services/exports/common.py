"""What both exports share: the practice's name and identifier system, one consistent read of
the database, the audit event, and writing safely: files are written as private temporary
files, the audit event is committed, and only then are the files moved into place."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import PracticeSetting
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput
from frontdesk.services.files import Staged, folder_problem, part_prefix

#: The identifier systems used when the practice names none of its own.
DEFAULT_SYSTEM = "urn:frontdesk"
_URI = re.compile(r"^(urn:[a-z0-9][a-z0-9-]{0,31}(:[\w.~%!$&'()*+,;=:@/-]+)?"
                  r"|https?://[\w.-]+(:\d+)?(/[\w.~%!$&'()*+,;=:@/-]*)?)$", re.IGNORECASE)


def practice_value(session: Session) -> dict[str, Any]:
    """The ``practice`` table of the practice's own settings (``frontdesk practice apply``)."""
    row = session.get(PracticeSetting, "practice")
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def practice_name(session: Session, ctx: Context) -> str:
    """The practice's name: its own setting, else the settings file's."""
    name = practice_value(session).get("name")
    return name.strip() if isinstance(name, str) and name.strip() else ctx.settings.practice_name


def identifier_system(session: Session) -> str:
    """The base of the practice's identifier systems: the ``identifier_system`` of its
    ``practice`` setting when that is a URI (``https://clinic.example/ids``), else
    ``urn:frontdesk``. A patient's id is then in ``<base>:patient`` (a URN) or
    ``<base>/patient`` (a URL)."""
    base = practice_value(session).get("identifier_system")
    if isinstance(base, str) and _URI.match(base.strip()):
        return base.strip().rstrip("/:")
    return DEFAULT_SYSTEM


def system(base: str, kind: str) -> str:
    """The identifier system for ``kind`` (patient, practitioner…) under ``base``."""
    return f"{base}:{kind}" if base.startswith("urn:") else f"{base}/{kind}"


def slug(text: str) -> str:
    """Lower-case words joined by dashes, for a file name or a UID's domain part."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "practice"


@contextmanager
def snapshot(ctx: Context) -> Iterator[Session]:
    """One read of the whole database as of one moment, so every file counts the same rows:
    SQLite's deferred transaction already is one; PostgreSQL needs REPEATABLE READ."""
    engine = ctx.engine
    if ctx.dialect == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine, expire_on_commit=False) as session:
        yield session


def audit(ctx: Context, *, by: str, action: str, entity: str, entity_id: int | None,
          after: dict[str, Any]) -> None:
    """The export's one audit event (counts and ids only), as ``by`` acts: still allowed now."""

    def work(session: Session) -> None:
        person = acting(session, by, Permission.EXPORT)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action=action, entity=entity, entity_id=entity_id, after=after)

    write(ctx, work)


# --------------------------------------------------------------------------- writing safely

#: The days an export may name: a wider date is a typing slip, and beyond the calendar's reach.
FIRST_YEAR, LAST_YEAR = 1900, 2200
#: The longest calendar (three years).
MAX_CALENDAR_DAYS = 3 * 366


def check_day(field: str, day: date) -> None:
    """``day`` within the years an export may name (InvalidInput otherwise)."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(field, f"{day.isoformat()} is outside the years "
                                  f"{FIRST_YEAR}-{LAST_YEAR}")


def check_folder(field: str, folder: Path) -> None:
    """Refuse a folder another user owns or others may change (InvalidInput on ``field``)."""
    problem = folder_problem(folder)
    if problem:
        raise InvalidInput(field, f"{problem}; nothing was written")


def remove_stale_parts(folder: Path, names: Iterable[str]) -> int:
    """Remove the temporary files an earlier export into ``folder`` left when it was killed
    (``.Patient.ndjson.*.part``…): only those of ``names``, and only this user's. How many."""
    prefixes = tuple(part_prefix(Path(name)) for name in names)
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefixes) and entry.name.endswith(".part")):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and \
                    entry.stat(follow_symlinks=False).st_uid == os.geteuid():
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed


class _Stop(SystemExit):
    """SIGTERM or SIGHUP during an export: unwinds like an exception, so the temporary files
    are removed."""


@contextmanager
def signals_stop() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise :class:`SystemExit` (exit 128 + the
    signal) instead of killing the process at once, so what the export wrote is cleaned up.
    The handlers before are put back afterwards. Only in the main thread (the only one
    Python lets set a handler); elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: Any) -> None:
        raise _Stop(128 + signum)

    wanted = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    before = {s: signal.signal(s, stop) for s in wanted}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """The block runs to its end: SIGINT, SIGTERM and SIGHUP wait until it is over (then do
    what they do). For moving finished files into place, a handful of renames."""
    signals = {signal.SIGINT, signal.SIGTERM}
    if hasattr(signal, "SIGHUP"):
        signals.add(signal.SIGHUP)
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def audited(ctx: Context, staged: list[Staged], **event: Any) -> None:
    """The export's audit event (see :func:`audit`), written while its files are still
    temporary: when it cannot be written, the files are removed and nothing is given out."""
    try:
        audit(ctx, **event)
    except BaseException:
        for part in staged:
            part.discard()
        raise
