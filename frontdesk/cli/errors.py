"""Exit codes, the exceptions that carry them, and the translation of everything else.

Every failure ends as one plain line on stderr and a documented exit code (README, "Exit
codes"); no traceback reaches the person at the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from frontdesk.cli.output import dumps, indent, slot_table
from frontdesk.services.errors import first_line, redact

if TYPE_CHECKING:
    from frontdesk.services.errors import SlotTaken

EXIT_OK = 0
EXIT_FAILURE = 1  # database unreachable or unopenable, or anything unexpected
EXIT_INPUT = 2  # bad input (also click's own usage errors); nothing was written
EXIT_TAKEN = 3  # the slot was just taken; alternatives listed
EXIT_STALE = 4  # the appointment (or patient) changed since it was read (--if-version, --version)
EXIT_BUSY = 5  # the database stayed busy after retries
EXIT_PAYER = 6  # a payer rule refuses the booking (or the person may not override it)
EXIT_WARNED = 7  # the booking has warnings to accept first (--accept CODE); nothing written
EXIT_INTERRUPTED = 130  # Ctrl+C

BUSY_MESSAGE = "the database is busy; please try again"


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


class Unproven(CommandFailed):
    """Who runs the command is not proven: nothing was done."""

    exit_code = EXIT_PAYER


class PayerRefused(CommandFailed):
    exit_code = EXIT_PAYER


class Warned(CommandFailed):
    exit_code = EXIT_WARNED


class Interrupted(CommandFailed):
    exit_code = EXIT_INTERRUPTED


def translate(exc: Exception, *, as_json: bool) -> CommandFailed:
    """The message and exit code for an exception a command let through."""
    from frontdesk.services import errors

    if isinstance(exc, errors.InvalidDetails) and len(exc.problems) > 1:
        listed = "\n".join(f"  {field}: {reason}" for field, reason in exc.problems)
        return InputRejected(f"{len(exc.problems)} details to fix (nothing was written):\n"
                             + listed)
    if isinstance(exc, errors.InvalidInput):
        return InputRejected(f"{exc.field}: {exc.message}")
    if isinstance(exc, errors.SlotTaken):
        return _slot_taken(exc, as_json=as_json)
    if isinstance(exc, errors.StaleAppointment | errors.StalePatient):
        current = dumps({"error": "stale", "current": exc.current}) if as_json else None
        return ChangedMeanwhile(str(exc), stdout=current)
    if isinstance(exc, errors.Busy):
        return DatabaseBusy(BUSY_MESSAGE)

    import sqlite3

    if isinstance(exc, sqlite3.Error):  # the light way's own driver (services.light)
        return CommandFailed(f"database error: {first_line(exc)}")

    from frontdesk.services.accounts import AccountLocked, SignInRefused
    from frontdesk.services.pathway import PayerRulesBroken
    from frontdesk.services.scheduling import BookingNeedsConfirmation

    if isinstance(exc, BookingNeedsConfirmation):
        flags = " ".join(f"--accept {code}" for code in exc.codes)
        return Warned(f"{exc}\n  (nothing was booked; book it anyway with {flags})")

    if isinstance(exc, (SignInRefused, AccountLocked)):
        return Unproven(f"not proven: {exc}")

    if isinstance(exc, (PayerRulesBroken, errors.NotAllowed)):
        return PayerRefused(str(exc))
    if isinstance(exc, errors.FrontDeskError):
        return CommandFailed(str(exc))

    from sqlalchemy.exc import SQLAlchemyError

    from frontdesk.db.engine import DatabaseBusyError

    if isinstance(exc, DatabaseBusyError):
        return DatabaseBusy(BUSY_MESSAGE)
    if isinstance(exc, SQLAlchemyError):
        return CommandFailed(f"database error: {first_line(exc)}")
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return CommandFailed(f"{exc.strerror or type(exc).__name__}{where}")
    # The text of an unexpected exception may carry patient details: name its type only.
    return CommandFailed(
        f"unexpected {type(exc).__name__}; set FRONTDESK_DEBUG=1 to see the details")


def open_failed(where: str, exc: Exception) -> CommandFailed:
    """A bad --db is bad input (exit 2); an unreachable or broken database is exit 1."""
    from sqlalchemy.exc import ArgumentError

    if isinstance(exc, ValueError | ArgumentError):
        return InputRejected(f"db: {first_line(exc)}")
    return CommandFailed(f"cannot open the database {redact(where)}: {first_line(exc)}")


def _slot_taken(exc: SlotTaken, *, as_json: bool) -> CommandFailed:
    if exc.alternatives:
        listing = indent(slot_table(exc.alternatives))
        message = f"slot just taken; the next free slots are:\n{listing}"
    else:
        message = "slot just taken, and nothing else is free in the next 30 days"
    doc = dumps({"error": "slot just taken", "alternatives": list(exc.alternatives)})
    return SlotGone(message, stdout=doc if as_json else None)
