"""The root ``frontdesk`` group: --db/--demo, the TUI when no command is given, and the one
place where whatever a command raises becomes a message and an exit code."""

from __future__ import annotations

import errno
import importlib
import os
from typing import Any

import click

from frontdesk import __version__
from frontdesk.cli.errors import Interrupted, translate
from frontdesk.cli.runtime import Runtime
from frontdesk.web import DB_FD_OPTION

#: Every command, by name: the module that holds it and its function there. A command's module
#: loads only when that command runs (or for --help), so `frontdesk` alone — the app — and each
#: command pay for their own code, not for every other command's.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("db", "db_group"),
    "locations": ("directory", "locations_cmd"),
    "providers": ("directory", "providers_cmd"),
    "rooms": ("directory", "rooms_cmd"),
    "visit-types": ("directory", "visit_types_cmd"),
    "payers": ("directory", "payers_cmd"),
    "staff": ("directory", "staff_group"),
    "slots": ("appointments", "slots_cmd"),
    "book": ("appointments", "book_cmd"),
    "reschedule": ("appointments", "reschedule_cmd"),
    "cancel": ("appointments", "cancel_cmd"),
    "status": ("appointments", "status_cmd"),
    "show": ("appointments", "show_cmd"),
    "appointments": ("appointments", "appointments_cmd"),
    "confirmations": ("confirmations", "confirmations_group"),
    "patients": ("patients", "patients_group"),
    "closures": ("closures", "closures_cmd"),
    "holidays": ("closures", "holidays_group"),
    "report": ("report", "report_group"),
    "audit": ("audit", "audit_cmd"),
    "serve": ("serve", "serve_cmd"),
    "export": ("exports", "export_group"),
    "import": ("imports", "import_group"),
    "practice": ("practice", "practice_group"),
    "recalls": ("recalls", "recalls_group"),
    "reminders": ("reminders", "reminders_group"),
    "call": ("call", "call_cmd"),
    "waitlist": ("waitlist", "waitlist_group"),
}


class FrontDeskGroup(click.Group):
    """The root group: turns every exception from a command into a message and an exit code,
    and loads each command's module when it is asked for (:data:`COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        module, name = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"frontdesk.cli.{module}"), name)
        assert isinstance(command, click.Command)
        assert command.name == cmd_name, (command.name, cmd_name)
        return command

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
            runtime = ctx.find_object(Runtime)
            raise translate(exc, as_json=runtime is not None and runtime.as_json) from None
        finally:
            runtime = ctx.find_object(Runtime)
            if runtime is not None:
                runtime.close()


@click.group(
    cls=FrontDeskGroup, invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Exit codes: 0 done; 1 database unreachable or unexpected error; 2 bad input "
           "(nothing written); 3 slot just taken; 4 appointment changed meanwhile; "
           "5 database busy; 6 refused: a payer rule, or not allowed for this person; "
           "130 interrupted.",
)
@click.option("--db", metavar="PATH|URL",
              help="Database: a SQLite file or a SQLAlchemy URL. Default: $FRONTDESK_DB, else "
                   "frontdesk.db in the user data directory.")
@click.option(DB_FD_OPTION, "db_fd", type=click.IntRange(0), hidden=True,
              help="Read the database from this inherited file descriptor (how `frontdesk "
                   "serve` hands it to each app process, off the command line).")
@click.option("--demo", is_flag=True,
              help="Use the separate demo database (seeded with a synthetic practice the "
                   "first time the app opens it); $FRONTDESK_DB is ignored.")
@click.option("--theme", metavar="NAME", envvar="FRONTDESK_THEME",
              help="Colour theme of the app, e.g. ansi-dark for a 16-colour terminal (uses the "
                   "terminal's own colours) or textual-light. Default: $FRONTDESK_THEME, else "
                   "textual-dark.")
@click.version_option(__version__, "--version", prog_name="frontdesk")
@click.pass_context
def main(ctx: click.Context, db: str | None, db_fd: int | None, demo: bool,
         theme: str | None) -> None:
    """Front desk for the practice. With no command, open the full-screen app."""
    if db_fd is not None:
        if db is not None:
            raise click.UsageError(f"give --db or {DB_FD_OPTION}, not both")
        from frontdesk.cli.serve import database_from_fd

        db = database_from_fd(db_fd)
    runtime = ctx.ensure_object(Runtime)
    runtime.db, runtime.demo = db, demo
    if ctx.invoked_subcommand is None:
        # an app behind `frontdesk serve` is a browser tab, whoever signs in there: the phone
        # system's calls are for the desk's own sessions only
        from frontdesk.cli.tui import run_app

        run_app(ctx, runtime, theme=theme, listen=db_fd is None)

