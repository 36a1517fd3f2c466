"""The ``frontdesk`` command: the TUI with no subcommand, scriptable desk commands otherwise.

Import cost matters because ``frontdesk`` alone opens the TUI: only click and the standard
library load here; services, SQLAlchemy and Textual load inside the commands that need them.

Every failure ends as one plain line on stderr and a documented exit code (see ``EXIT_*`` and
docs/cli.md); no traceback reaches the person at the desk.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from frontdesk import __version__

if TYPE_CHECKING:
    from frontdesk.services.context import Context
    from frontdesk.services.errors import SlotTaken
    from frontdesk.services.views import AppointmentView, LocationView, SlotView

EXIT_OK = 0
EXIT_FAILURE = 1  # database unreachable or unopenable, or anything unexpected
EXIT_INPUT = 2  # bad input (also click's own usage errors); nothing was written
EXIT_TAKEN = 3  # the slot was just taken; alternatives listed
EXIT_STALE = 4  # the appointment changed since it was read (--if-version)
EXIT_BUSY = 5  # the database stayed busy after retries
EXIT_INTERRUPTED = 130  # Ctrl+C

PRACTICE_ZONE = "America/Chicago"  # every location is on Central time (DESIGN §1)
MAX_ID = 2**31 - 1
ID = click.IntRange(1, MAX_ID)
F = TypeVar("F", bound=Callable[..., Any])
STATUSES = ("booked", "confirmed", "checked_in", "completed", "no_show")


# --------------------------------------------------------------------------- plumbing


@dataclass
class Runtime:
    """What the group hands its commands. Tests pass one as click's ``obj`` to freeze the clock."""

    clock: Callable[[], datetime] | None = None
    db: str | None = None
    demo: bool = False
    as_json: bool = False
    _context: Context | None = field(default=None, repr=False)

    def target(self) -> str:
        """--db, else (unless --demo) $FRONTDESK_DB, else the default or the demo file.

        An ambient FRONTDESK_DB never turns ``--demo`` onto a practice's database.
        """
        from frontdesk.services.paths import demo_db, resolve_db

        return demo_db() if self.demo and not self.db else resolve_db(self.db)

    def context(self, *, target: str | None = None, upgrade: bool = True) -> Context:
        """The open (and, by default, migrated) database; opened once per command."""
        if self._context is None:
            from frontdesk.services.config import load_settings
            from frontdesk.services.context import open_context, system_clock

            where = target or self.target()
            loaded = load_settings()
            for problem in loaded.problems:
                click.echo(f"warning: {problem}", err=True)
            try:
                self._context = open_context(where, settings=loaded.settings,
                                             clock=self.clock or system_clock, upgrade=upgrade)
            except Exception as exc:
                raise _open_failed(where, exc) from None
        return self._context

    def close(self) -> None:
        if self._context is not None:
            self._context.engine.dispose()
            self._context = None


class CommandFailed(click.ClickException):
    """One plain line on stderr (and, for --json, an optional document on stdout)."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, stdout: str | None = None) -> None:
        super().__init__(message)
        self.stdout = stdout

    def show(self, file: Any = None) -> None:
        if self.stdout is not None:
            click.echo(self.stdout)
        click.echo(f"error: {self.message}", err=True)


class InputRejected(CommandFailed):
    exit_code = EXIT_INPUT


class SlotGone(CommandFailed):
    exit_code = EXIT_TAKEN


class ChangedMeanwhile(CommandFailed):
    exit_code = EXIT_STALE


class DatabaseBusy(CommandFailed):
    exit_code = EXIT_BUSY


class Interrupted(CommandFailed):
    exit_code = EXIT_INTERRUPTED


class FrontDeskGroup(click.Group):
    """The root group: turns every exception from a command into a message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # click quietly handles a closed pipe (`frontdesk … | head`)
            if os.environ.get("FRONTDESK_DEBUG"):
                raise
            raise _translate(exc, ctx.find_object(Runtime)) from None
        finally:
            runtime = ctx.find_object(Runtime)
            if runtime is not None:
                runtime.close()


def _translate(exc: Exception, runtime: Runtime | None) -> CommandFailed:
    from frontdesk.services import errors

    as_json = runtime is not None and runtime.as_json
    if isinstance(exc, errors.InvalidInput):
        return InputRejected(f"{exc.field}: {exc.message}")
    if isinstance(exc, errors.SlotTaken):
        return _slot_taken(exc, as_json=as_json)
    if isinstance(exc, errors.StaleAppointment):
        current = _dumps({"error": "stale", "current": exc.current}) if as_json else None
        return ChangedMeanwhile(str(exc), stdout=current)
    if isinstance(exc, errors.Busy):
        return DatabaseBusy("the database is busy; please try again")
    if isinstance(exc, errors.FrontDeskError):
        return CommandFailed(str(exc))

    from sqlalchemy.exc import SQLAlchemyError

    from frontdesk.db.engine import DatabaseBusyError

    if isinstance(exc, DatabaseBusyError):
        return DatabaseBusy("the database is busy; please try again")
    if isinstance(exc, SQLAlchemyError):
        return CommandFailed(f"database error: {_first_line(exc)}")
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return CommandFailed(f"{exc.strerror or type(exc).__name__}{where}")
    # The text of an unexpected exception may carry patient details: name its type only.
    return CommandFailed(
        f"unexpected {type(exc).__name__}; set FRONTDESK_DEBUG=1 to see the details")


def _open_failed(where: str, exc: Exception) -> CommandFailed:
    from sqlalchemy.exc import ArgumentError

    if isinstance(exc, ValueError | ArgumentError):
        return InputRejected(f"db: {_first_line(exc)}")
    return CommandFailed(f"cannot open the database {redact(where)}: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    """The driver's own first line (SQLAlchemy's text may quote SQL parameters; this does not)."""
    wrapped = getattr(exc, "orig", None)
    lines = [line.strip() for line in str(wrapped or exc).splitlines() if line.strip()]
    first = lines[0] if lines else type(exc).__name__
    return first if len(first) <= 200 else first[:199] + "…"


def redact(db: str) -> str:
    """The database path or URL, shortened, with any password hidden."""
    scheme, sep, rest = db.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        db = f"{scheme}://{user}:***@{host}" if ":" in credentials else db
    return db if len(db) <= 120 else db[:119] + "…"


def _slot_taken(exc: SlotTaken, *, as_json: bool) -> CommandFailed:
    if exc.alternatives:
        listing = _indent(_slot_table(exc.alternatives))
        message = f"slot just taken; the next free slots are:\n{listing}"
    else:
        message = "slot just taken, and nothing else is free in the next 30 days"
    doc = _dumps({"error": "slot just taken", "alternatives": list(exc.alternatives)})
    return SlotGone(message, stdout=doc if as_json else None)


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(Runtime).as_json = True


def json_option(f: F) -> F:
    return click.option("--json", is_flag=True, expose_value=False, callback=_set_json,
                        help="Print JSON on stdout instead of a table.")(f)


def as_option(f: F) -> F:
    return click.option("--as", "staff", required=True, metavar="USERNAME",
                        help="Your staff username (recorded in the audit log).")(f)


def if_version_option(f: F) -> F:
    return click.option(
        "--if-version", "expected_version", type=click.IntRange(1), metavar="N",
        help="Act only if the appointment is still at this version (from `show`); exit 4 if not.",
    )(f)


def _dumps(value: Any) -> str:
    from frontdesk.services.views import to_json

    return json.dumps(to_json(value), indent=2)


def emit(runtime: Runtime, value: Any, text: str) -> None:
    click.echo(_dumps(value) if runtime.as_json else text)


def _clean(value: object) -> str:
    """Table cells never carry terminal control characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    cells = [[_clean(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = [headers, *cells]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


# --------------------------------------------------------------------------- input


def practice_today(ctx: Context, zone: str = PRACTICE_ZONE) -> date:
    return ctx.now().astimezone(ZoneInfo(zone)).date()


def parse_day(text: str, *, field_name: str, today: date) -> date:
    """ISO or everyday words ("tomorrow", "next tue", "12/3", "in 2 weeks")."""
    from frontdesk.domain.dates import DateWordsError, parse_date_words
    from frontdesk.services.errors import InvalidInput

    if len(text) > 40:
        raise InvalidInput(field_name, "is too long to be a date; try 2027-03-15, 3/15, "
                                       "tomorrow or next tue")
    try:
        return parse_date_words(text, today=today)
    except DateWordsError as exc:
        raise InvalidInput(field_name, str(exc)) from None
    except (ValueError, OverflowError):  # "in 9999 years": past the calendar's end
        raise InvalidInput(field_name, f"{text.strip()!r} is too far from today") from None


def parse_start(text: str, *, zone: str, now: datetime) -> datetime:
    """ISO 8601; without an offset it is the location's local time. Returned as aware UTC."""
    from frontdesk.services.errors import InvalidInput

    raw = text.strip()
    example = "e.g. 2027-03-15T09:00-05:00, or 2027-03-15T09:00 for local time"
    try:
        if len(raw) > 40:
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("start", f"{raw[:40]!r} is not an ISO 8601 time; {example}") from None
    if moment.tzinfo is None:
        local = moment.replace(tzinfo=ZoneInfo(zone))
        try:
            back = local.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        except OverflowError:
            raise InvalidInput("start", f"{raw!r} is out of range") from None
        if back != moment:
            raise InvalidInput("start", f"{raw} does not exist in {zone} (the clocks jump "
                                        "forward); give another time")
        moment = local
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput("start", f"{raw!r} is out of range") from None
    if utc <= now:
        raise InvalidInput("start", "is in the past")
    if utc > now + timedelta(days=3650):
        raise InvalidInput("start", "is more than 10 years ahead")
    return utc


def resolve_location(ctx: Context, text: str) -> LocationView:
    """A location by id, name or unique name prefix."""
    from frontdesk.services import directory
    from frontdesk.services.errors import InvalidInput

    wanted = text.strip()
    if wanted.isdigit():
        found = [loc for loc in directory.locations(ctx) if str(loc.id) == wanted.lstrip("0")]
        if not found:
            raise InvalidInput("location", f"no location with id {wanted[:40]}; "
                                           "`frontdesk locations` lists them")
        return found[0]
    return directory.find_location(ctx, wanted)


def _status_value(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    normal = value.strip().lower().replace("-", "_").replace(" ", "_")
    if normal not in STATUSES:
        raise click.BadParameter(f"{value[:40]!r} is not one of {', '.join(STATUSES)}")
    return normal


# --------------------------------------------------------------------------- output


def _clock(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment:%M %p}"


def _day(moment: datetime | date) -> str:
    return f"{moment:%a %b} {moment.day} {moment.year}"


def _slot_table(slots: Sequence[SlotView]) -> str:
    return table(
        ["DAY", "START (local)", "PROVIDER", "LOCATION", "ROOM"],
        [(f"{s.local_start:%a}", f"{s.local_start:%Y-%m-%dT%H:%M}",
          f"{s.provider_id} {s.provider_name}", f"{s.location_id} {s.location_name}",
          f"{s.room_id} {s.room_name}") for s in slots],
    )


def describe_appointment(appt: AppointmentView) -> str:
    start, end = appt.local_start, appt.local_end
    status = appt.status.label
    if appt.late_cancel:
        status += " (late cancel)"
    rows: list[tuple[str, str]] = [
        ("status", status),
        ("when", f"{_day(start)}, {_clock(start)}–{_clock(end)} {start:%Z}"),
        ("start", start.isoformat(timespec="minutes")),
        ("patient", f"{appt.patient_short} (id {appt.patient_id})"),
        ("visit", f"{appt.visit_type_name} ({appt.visit_type_code})"),
        ("provider", f"{appt.provider_name} (id {appt.provider_id})"),
        ("location", f"{appt.location_name} (id {appt.location_id})"),
        ("room", f"{appt.room_name} (id {appt.room_id})"),
    ]
    if appt.region or appt.levels or appt.side:
        parts = (appt.region, appt.levels, appt.side)
        rows.append(("procedure", ", ".join(p for p in parts if p)))
    if appt.hold_expires_at is not None:
        rows.append(("held until", _clock(appt.hold_expires_at.astimezone(ZoneInfo(
            appt.timezone)))))
    if appt.cancel_reason:
        rows.append(("reason", appt.cancel_reason))
    booked_at = appt.booked_at.astimezone(ZoneInfo(appt.timezone))
    rows.append(("booked by", f"{appt.booked_by}, {booked_at:%Y-%m-%d %H:%M}"))
    rows.append(("version", str(appt.version)))
    return "\n".join(f"  {k:<11}{_clean(v)}" for k, v in rows)


def _appointment_done(runtime: Runtime, heading: str, appt: AppointmentView,
                      extra: str = "") -> None:
    emit(runtime, appt, f"{heading}\n{describe_appointment(appt)}{extra}")


# --------------------------------------------------------------------------- root


@click.group(
    cls=FrontDeskGroup, invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Exit codes: 0 done; 1 database unreachable or unexpected error; 2 bad input "
           "(nothing written); 3 slot just taken; 4 appointment changed meanwhile; "
           "5 database busy; 130 interrupted.",
)
@click.option("--db", metavar="PATH|URL",
              help="Database: a SQLite file or a SQLAlchemy URL. Default: $FRONTDESK_DB, else "
                   "frontdesk.db in the user data directory.")
@click.option("--demo", is_flag=True,
              help="Use the separate demo database (seeded with a synthetic practice the "
                   "first time the app opens it); $FRONTDESK_DB is ignored.")
@click.version_option(__version__, "--version", prog_name="frontdesk")
@click.pass_context
def main(ctx: click.Context, db: str | None, demo: bool) -> None:
    """Front desk for the practice. With no command, open the full-screen app."""
    runtime = ctx.ensure_object(Runtime)
    runtime.db, runtime.demo = db, demo
    if ctx.invoked_subcommand is None:
        from frontdesk.ui.app import make_app

        app = make_app(runtime.target(), demo=demo, clock=runtime.clock)
        app.run()
        code = app.return_code or 0
        if code:
            ctx.exit(code)


# --------------------------------------------------------------------------- db


@main.group("db")
def db_group() -> None:
    """Database upkeep: schema upgrade, demo data, backup."""


@db_group.command("upgrade")
@json_option
@click.pass_obj
def db_upgrade(runtime: Runtime) -> None:
    """Bring the database schema up to the newest revision (Alembic) and print it."""
    from frontdesk.db import migrate

    target = runtime.target()
    ctx = runtime.context(upgrade=False)
    try:
        before = migrate.current_revision(ctx.engine)
        migrate.upgrade(ctx.engine)
        after = migrate.current_revision(ctx.engine)
    except Exception as exc:
        raise _open_failed(target, exc) from None
    doc = {"database": redact(target), "before": before, "revision": after,
           "upgraded": before != after}
    text = (f"{redact(target)}: already at revision {after} (newest)" if before == after
            else f"{redact(target)}: upgraded from {before or 'an empty database'} to {after}")
    emit(runtime, doc, text)


@db_group.command("seed-demo")
@json_option
@click.pass_obj
def db_seed_demo(runtime: Runtime) -> None:
    """Fill an empty database with the synthetic demo practice.

    Goes into --db (or $FRONTDESK_DB) when given, else into the separate demo database — never
    into the practice's own default database. A database that already has data is refused.
    """
    from frontdesk.services import demo
    from frontdesk.services.paths import resolve_db
    from frontdesk.services.views import to_json

    target = resolve_db(runtime.db, demo=True)
    ctx = runtime.context(target=target)
    summary = demo.seed_demo(ctx)
    facts = to_json(summary)
    lines = [f"seeded the demo practice into {redact(target)}"]
    if isinstance(facts, dict):
        lines += [f"  {k}: {v}" for k, v in facts.items()]
    emit(runtime, summary, "\n".join(lines))


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@json_option
@click.pass_obj
def db_backup(runtime: Runtime, path: Path, force: bool) -> None:
    """Copy a SQLite database consistently to PATH (mode 0600), even while it is in use.

    For PostgreSQL use pg_dump.
    """
    import sqlite3

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from frontdesk.db.engine import normalise_url
    from frontdesk.services.errors import InvalidInput

    target = runtime.target()
    try:
        url = make_url(normalise_url(target))
    except (ArgumentError, ValueError) as exc:
        raise InvalidInput("db", _first_line(exc)) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        raise InputRejected("db backup copies SQLite files only; for PostgreSQL use pg_dump, "
                            "e.g. pg_dump --format=custom --file=BACKUP.dump DBNAME")
    if backend != "sqlite":
        raise InvalidInput("db", f"unsupported database {backend!r}; use SQLite or PostgreSQL")
    if url.database in (None, "", ":memory:"):
        raise InvalidInput("db", "an in-memory database has nothing to back up")
    source = Path(url.database or "")
    try:
        size = backup_sqlite(source, path.expanduser(), force=force)
    except sqlite3.Error as exc:
        raise CommandFailed(f"cannot back up {source}: {exc}") from None
    doc = {"database": str(source), "backup": str(path), "bytes": size}
    emit(runtime, doc, f"backed up {source} to {path} ({size:,} bytes)")


def backup_sqlite(source: Path, dest: Path, *, force: bool) -> int:
    """sqlite3's online backup into a private temp file beside ``dest``, then moved into place.

    The copy is one consistent snapshot even while others write; ``dest`` never exists half
    written; without ``force`` an existing file is never replaced (``os.link`` refuses to).
    """
    import sqlite3
    import tempfile

    from frontdesk.services.errors import InvalidInput

    if not source.is_file():
        raise InvalidInput("db", f"no SQLite database file at {source}")
    if dest.is_dir():
        raise InvalidInput("path", f"{dest} is a folder; give a file name")
    if dest.exists() and dest.resolve() == source.resolve():
        raise InvalidInput("path", "is the database itself")
    if dest.exists() and not force:
        raise InvalidInput("path", f"{dest} already exists; add --force to replace it")
    if not dest.parent.is_dir():
        raise InvalidInput("path", f"folder {dest.parent} does not exist")
    handle, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(handle)  # mkstemp made it 0600; sqlite writes into it and keeps the mode
    part = Path(name)
    try:
        reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            writer = sqlite3.connect(part)
            try:
                reader.backup(writer)
                writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                check = writer.execute("PRAGMA quick_check").fetchone()
            finally:
                writer.close()
        finally:
            reader.close()
        if check != ("ok",):
            raise sqlite3.DatabaseError(f"the copy failed its integrity check: {check}")
        os.chmod(part, 0o600)
        if force:
            os.replace(part, dest)
        else:
            try:
                os.link(part, dest)
            except FileExistsError:
                raise InvalidInput("path", f"{dest} already exists; add --force to replace "
                                           "it") from None
    finally:
        part.unlink(missing_ok=True)
    return dest.stat().st_size


# --------------------------------------------------------------------------- reference lists


@main.command("locations", short_help="Locations and their ids.")
@json_option
@click.pass_obj
def locations_cmd(runtime: Runtime) -> None:
    """The practice's locations (the ids and names --location takes)."""
    from frontdesk.services import directory

    found = directory.locations(runtime.context())
    emit(runtime, found, table(["ID", "NAME", "PHONE", "ADDRESS", "TIME ZONE"],
                              [(x.id, x.name, directory.display_phone(x.phone), x.address,
                                x.timezone) for x in found]))


@main.command("providers", short_help="Providers, their ids and visit types.")
@json_option
@click.pass_obj
def providers_cmd(runtime: Runtime) -> None:
    """Active providers and the visit types each performs (the ids --provider takes)."""
    from frontdesk.services import directory

    found = directory.providers(runtime.context())
    emit(runtime, found, table(["ID", "NAME", "KIND", "VISIT TYPES"],
                              [(p.id, p.name, p.kind.value, ", ".join(p.visit_type_codes))
                               for p in found]))


@main.command("rooms")
@click.option("--location", metavar="NAME|ID", help="Only this location's rooms.")
@json_option
@click.pass_obj
def rooms_cmd(runtime: Runtime, location: str | None) -> None:
    """Rooms per location (the ids --room takes)."""
    from frontdesk.services import directory

    ctx = runtime.context()
    places = {loc.id: loc.name for loc in directory.locations(ctx)}
    wanted = resolve_location(ctx, location).id if location is not None else None
    found = [r for r in directory.rooms(ctx) if wanted is None or r.location_id == wanted]
    emit(runtime, found, table(["ID", "LOCATION", "NAME", "KIND", "FLUOROSCOPY"],
                              [(r.id, places.get(r.location_id, r.location_id), r.name,
                                r.kind.value, "yes" if r.fluoroscopy else "")
                               for r in found]))


@main.command("visit-types", short_help="Visit type codes, durations and rooms.")
@json_option
@click.pass_obj
def visit_types_cmd(runtime: Runtime) -> None:
    """Visit types: the codes --visit-type takes, with duration, buffers and room."""
    from frontdesk.services import directory

    found = directory.visit_types(runtime.context())
    emit(runtime, found, table(
        ["CODE", "NAME", "MINUTES", "BUFFERS", "ROOM", "PROVIDER IDS"],
        [(v.code, v.name, v.duration_min, f"{v.buffer_before_min}/{v.buffer_after_min}",
          v.room_kind.value, ",".join(str(i) for i in v.provider_ids)) for v in found]))


@main.group("staff")
def staff_group() -> None:
    """Staff members (the usernames --as takes)."""


@staff_group.command("list")
@json_option
@click.pass_obj
def staff_list(runtime: Runtime) -> None:
    """Active staff members and their roles."""
    from frontdesk.services import directory

    found = directory.staff(runtime.context())
    emit(runtime, found, table(["USERNAME", "NAME", "ROLE", "ID"],
                              [(s.username, s.name, s.role.value, s.id) for s in found]))


# --------------------------------------------------------------------------- scheduling


@main.command("slots", short_help="Find the best free slots for a visit type.")
@click.option("--visit-type", "visit_type", required=True, metavar="CODE",
              help="What to book (`frontdesk visit-types` lists the codes).")
@click.option("--location", metavar="NAME|ID", help="Only this location.")
@click.option("--provider", metavar="NAME|ID", help="Only this provider.")
@click.option("--from", "from_", metavar="DATE", help="First day to search (default: today).")
@click.option("--days", type=click.IntRange(1, 730), default=60, show_default=True,
              help="How many days to search.")
@click.option("--limit", type=click.IntRange(1, 200), default=10, show_default=True,
              help="How many slots to show.")
@json_option
@click.pass_obj
def slots_cmd(runtime: Runtime, visit_type: str, location: str | None, provider: str | None,
              from_: str | None, days: int, limit: int) -> None:
    """The best free slots for a visit type across providers and locations, earliest first."""
    from frontdesk.services import directory, scheduling
    from frontdesk.services.errors import InvalidInput

    ctx = runtime.context()
    place = resolve_location(ctx, location) if location is not None else None
    who = directory.find_provider(ctx, provider) if provider is not None else None
    zone = place.timezone if place else PRACTICE_ZONE
    today = practice_today(ctx, zone)
    start = None
    if from_ is not None:
        first = parse_day(from_, field_name="from", today=today)
        horizon = ctx.settings.booking.horizon_days
        if first < today:
            raise InvalidInput("from", f"{first} is in the past")
        if first > today + timedelta(days=horizon):
            raise InvalidInput("from", f"{first} is beyond the booking horizon of {horizon} days")
        if first > today:
            start = datetime.combine(first, datetime.min.time(), ZoneInfo(zone))
    found = scheduling.find_slots(
        ctx, visit_type=visit_type, start=start, days=days, limit=limit,
        location_ids={place.id} if place else None, provider_ids={who.id} if who else None,
    )
    if not found:
        text = f"No free {visit_type} slot in the {days} days searched."
    else:
        first_slot = found[0]
        hint = (f"\nTimes are local to each location. Book one with:\n  frontdesk book "
                f"--visit-type {visit_type} --provider {first_slot.provider_id} --location "
                f"{first_slot.location_id} --start {first_slot.local_start:%Y-%m-%dT%H:%M} "
                "--patient ID --as USERNAME")
        text = _slot_table(found) + hint
    emit(runtime, found, text)


@main.command("book", short_help="Book or hold a visit.")
@click.option("--patient", type=ID, required=True, metavar="ID", help="Patient id.")
@click.option("--visit-type", "visit_type", required=True, metavar="CODE", help="Visit type code.")
@click.option("--provider", required=True, metavar="ID|NAME", help="Provider id (or name).")
@click.option("--location", required=True, metavar="ID|NAME", help="Location id (or name).")
@click.option("--start", required=True, metavar="ISO8601",
              help="Start, e.g. 2027-03-15T09:00-05:00; without an offset, the location's "
                   "local time.")
@as_option
@click.option("--room", type=ID, metavar="ID", help="A particular room (default: any free one).")
@click.option("--region", type=click.Choice(["cervical", "thoracic", "lumbar"],
                                            case_sensitive=False),
              help="Spinal region (procedures).")
@click.option("--levels", metavar="L", help="Levels, e.g. 'L4-L5, L5-S1' (procedures).")
@click.option("--side", type=click.Choice(["left", "right", "bilateral"], case_sensitive=False),
              help="Side (procedures).")
@click.option("--hold", is_flag=True, help="Hold the slot for the caller for a few minutes.")
@json_option
@click.pass_obj
def book_cmd(runtime: Runtime, patient: int, visit_type: str, provider: str, location: str,
             start: str, staff: str, room: int | None, region: str | None, levels: str | None,
             side: str | None, hold: bool) -> None:
    """Book (or --hold) a visit. Exit 3 with alternatives when the slot was just taken."""
    from frontdesk.services import directory, scheduling

    ctx = runtime.context()
    place = resolve_location(ctx, location)
    who = directory.find_provider(ctx, provider)
    when = parse_start(start, zone=place.timezone, now=ctx.now())
    appt = scheduling.book(
        ctx, staff=staff, patient_id=patient, visit_type=visit_type, provider_id=who.id,
        location_id=place.id, start=when, room_id=room, region=region, levels=levels,
        side=side, hold=hold,
    )
    prep = next((v.prep for v in directory.visit_types(ctx) if v.code == appt.visit_type_code),
                "")
    _appointment_done(runtime, f"{'Held' if hold else 'Booked'} appointment {appt.id}", appt,
                      f"\nRead back: {prep}" if prep else "")


@main.command("reschedule", short_help="Move a visit to another time.")
@click.argument("appointment_id", type=ID)
@click.option("--start", required=True, metavar="ISO8601",
              help="New start; without an offset, the location's local time.")
@as_option
@click.option("--provider", metavar="ID|NAME", help="Move to this provider.")
@click.option("--location", metavar="ID|NAME", help="Move to this location.")
@click.option("--room", type=ID, metavar="ID", help="Move to this room.")
@if_version_option
@json_option
@click.pass_obj
def reschedule_cmd(runtime: Runtime, appointment_id: int, start: str, staff: str,
                   provider: str | None, location: str | None, room: int | None,
                   expected_version: int | None) -> None:
    """Move a visit to another time (and optionally provider, location or room)."""
    from frontdesk.services import directory, scheduling

    ctx = runtime.context()
    current = scheduling.get_appointment(ctx, appointment_id)
    place = resolve_location(ctx, location) if location is not None else None
    who = directory.find_provider(ctx, provider) if provider is not None else None
    when = parse_start(start, zone=place.timezone if place else current.timezone, now=ctx.now())
    appt = scheduling.reschedule(
        ctx, staff=staff, appointment_id=appointment_id, start=when,
        provider_id=who.id if who else None, location_id=place.id if place else None,
        room_id=room, expected_version=expected_version,
    )
    _appointment_done(runtime, f"Moved appointment {appt.id}", appt)


@main.command("cancel", short_help="Cancel a visit, with a reason.")
@click.argument("appointment_id", type=ID)
@click.option("--reason", required=True, metavar="TEXT", help="Why (recorded).")
@as_option
@if_version_option
@json_option
@click.pass_obj
def cancel_cmd(runtime: Runtime, appointment_id: int, reason: str, staff: str,
               expected_version: int | None) -> None:
    """Cancel a visit; flagged late inside the late-cancel window."""
    from frontdesk.services import scheduling

    appt = scheduling.cancel(runtime.context(), staff=staff, appointment_id=appointment_id,
                             reason=reason, expected_version=expected_version)
    _appointment_done(runtime, f"Cancelled appointment {appt.id}", appt)


@main.command("status", short_help="Confirm, check in, complete or mark no-show.")
@click.argument("appointment_id", type=ID)
@click.argument("status", metavar="STATUS", callback=_status_value)
@as_option
@if_version_option
@json_option
@click.pass_obj
def status_cmd(runtime: Runtime, appointment_id: int, status: str, staff: str,
               expected_version: int | None) -> None:
    """Set STATUS: confirmed, checked_in, completed, no_show or booked."""
    from frontdesk.domain.model import Status
    from frontdesk.services import scheduling

    appt = scheduling.set_status(runtime.context(), staff=staff, appointment_id=appointment_id,
                                 status=Status(status), expected_version=expected_version)
    _appointment_done(runtime, f"Appointment {appt.id} is now {appt.status.label}", appt)


@main.command("show", short_help="Show one appointment in full.")
@click.argument("appointment_id", type=ID)
@json_option
@click.pass_obj
def show_cmd(runtime: Runtime, appointment_id: int) -> None:
    """One appointment in full (including its version, for --if-version)."""
    from frontdesk.services import scheduling

    appt = scheduling.get_appointment(runtime.context(), appointment_id)
    _appointment_done(runtime, f"Appointment {appt.id}", appt)


@main.command("appointments")
@click.option("--date", "day", default="today", show_default=True, metavar="DATE",
              help="The day, e.g. 2027-03-15, tomorrow, next tue, 3/15.")
@click.option("--location", metavar="NAME|ID", help="Only this location.")
@json_option
@click.pass_obj
def appointments_cmd(runtime: Runtime, day: str, location: str | None) -> None:
    """One day's appointments, in each location's local time."""
    from frontdesk.services import scheduling
    from frontdesk.services.errors import InvalidInput

    ctx = runtime.context()
    place = resolve_location(ctx, location) if location is not None else None
    today = practice_today(ctx, place.timezone if place else PRACTICE_ZONE)
    wanted = parse_day(day, field_name="date", today=today)
    if abs((wanted - today).days) > 3650:
        raise InvalidInput("date", "pick a day within 10 years of today")
    found = scheduling.appointments_on(ctx, day=wanted,
                                       location_ids={place.id} if place else None)
    if not found:
        emit(runtime, found, f"No appointments on {_day(wanted)}.")
        return
    rows = [(a.id, f"{_clock(a.local_start)}–{_clock(a.local_end)}", a.status.label,
             a.patient_short, a.visit_type_code, a.provider_name, a.room_name, a.location_name)
            for a in found]
    emit(runtime, found, f"{_day(wanted)}: {len(found)} appointment(s)\n" + table(
        ["ID", "TIME", "STATUS", "PATIENT", "VISIT", "PROVIDER", "ROOM", "LOCATION"], rows))


# --------------------------------------------------------------------------- patients


@main.group("patients")
def patients_group() -> None:
    """Find and add patients."""


@patients_group.command("find")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@json_option
@click.pass_obj
def patients_find(runtime: Runtime, text: str, limit: int) -> None:
    """Find patients by phone (any format), date of birth or name parts."""
    from frontdesk.services import directory

    found = directory.find_patients(runtime.context(), text, limit=limit)
    emit(runtime, found, table(
        ["ID", "NAME", "BORN", "PHONE", "PAYER"],
        [(p.id, f"{p.last_name}, {p.first_name}", p.dob.isoformat(),
          directory.display_phone(p.phone), p.payer) for p in found],
    ) if found else "No patients match.")


@patients_group.command("add")
@click.option("--name", required=True, metavar="TEXT", help="'First Last' or 'Last, First'.")
@click.option("--dob", required=True, metavar="DATE", help="Date of birth, e.g. 1970-05-17.")
@click.option("--phone", required=True, metavar="TEXT", help="Phone, e.g. 918-555-0142.")
@click.option("--location", metavar="NAME|ID", help="Preferred location.")
@click.option("--payer", metavar="NAME", help="Payer, e.g. Medicare.")
@as_option
@json_option
@click.pass_obj
def patients_add(runtime: Runtime, name: str, dob: str, phone: str, location: str | None,
                 payer: str | None, staff: str) -> None:
    """Add a patient."""
    from frontdesk.services import directory

    ctx = runtime.context()
    born = parse_day(dob, field_name="dob", today=practice_today(ctx))
    place = resolve_location(ctx, location).name if location is not None else None
    patient = directory.add_patient(ctx, staff=staff, name=name, dob=born, phone=phone,
                                    location=place, payer=payer)
    emit(runtime, patient,
         f"Added patient {patient.id}: {_clean(patient.full_name)}, born {patient.dob}, "
         f"{directory.display_phone(patient.phone)}")


__all__ = ["CommandFailed", "Runtime", "main"]
