"""``frontdesk import …``: bring the patients and visits of the system the practice leaves.

Each command checks every row, writes the good ones in one transaction (none while any row is
bad, unless --skip-bad; none with --dry-run) and writes a report, owner-only, saying what
happened to each line. docs/importing.md documents the columns.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from frontdesk.cli.errors import InputRejected
from frontdesk.cli.identity import acting_as
from frontdesk.cli.output import clean
from frontdesk.cli.runtime import Runtime

if TYPE_CHECKING:
    from frontdesk.services.context import Context
    from frontdesk.services.imports import ImportResult

F = TypeVar("F", bound=Callable[..., Any])
SHOWN = 10  # bad rows shown on screen; the report has them all
BAR_FROM = 2000  # rows: a file this long gets a progress bar (on a terminal)


@click.group("import")
def import_group() -> None:
    """Bring patients and visits over from another system's files (docs/importing.md)."""


def _options(command: F) -> F:
    for option in reversed((
        click.option("--dry-run", is_flag=True,
                     help="Check every row and write the report; import nothing."),
        click.option("--skip-bad", is_flag=True,
                     help="Import the good rows and report the bad ones (default: any bad row "
                          "stops the whole import)."),
        click.option("--map", "maps", multiple=True, metavar="THEIRS=OURS",
                     help="Read the file's column THEIRS as our column OURS, e.g. "
                          "--map \"Birth Date=dob\" (repeatable)."),
        click.option("--dates", type=click.Choice(["mdy", "dmy"]), default=None,
                     help="How the file writes slashed dates: mdy (05/17/1970, the US way) or "
                          "dmy (17/05/1970). Default: as the file's own dates show; a date "
                          "that could be read both ways is a bad row."),
        click.option("--report", "report", type=click.Path(path_type=Path), metavar="PATH",
                     help="Where to write the report (owner-only), a new file. Default: a "
                          "new file in the reports folder of the data directory."),
        click.option("--force", is_flag=True,
                     help="Replace the --report file if it exists (never the file being "
                          "imported)."),
    )):
        command = option(command)
    return command


@import_group.command("patients")
@click.argument("file", type=click.Path(path_type=Path))
@_options
@acting_as()
@click.pass_obj
def import_patients_cmd(runtime: Runtime, file: Path, dry_run: bool, skip_bad: bool,
                        maps: tuple[str, ...], dates: str | None, report: Path | None,
                        force: bool, staff: str) -> None:
    """Import patients from a CSV file. Manager or admin."""
    from frontdesk.services import imports
    from frontdesk.services.imports.patients import COLUMNS

    _run(runtime, "patients", file, report, force, lambda ctx, progress: imports.import_patients(
        ctx, staff=staff, path=file, mapping=imports.parse_mapping(maps, COLUMNS),
        dates=_order(dates), dry_run=dry_run, skip_bad=skip_bad, progress=progress))


@import_group.command("appointments")
@click.argument("file", type=click.Path(path_type=Path))
@_options
@acting_as()
@click.pass_obj
def import_appointments_cmd(runtime: Runtime, file: Path, dry_run: bool, skip_bad: bool,
                            maps: tuple[str, ...], dates: str | None, report: Path | None,
                            force: bool, staff: str) -> None:
    """Import visits from a CSV or iCalendar (.ics) file. Manager or admin."""
    from frontdesk.services import imports
    from frontdesk.services.imports.appointments import COLUMNS

    _run(runtime, "appointments", file, report, force,
         lambda ctx, progress: imports.import_appointments(
             ctx, staff=staff, path=file, mapping=imports.parse_mapping(maps, COLUMNS),
             dates=_order(dates), dry_run=dry_run, skip_bad=skip_bad, progress=progress))


def _order(dates: str | None) -> Any:
    from frontdesk.domain.imports import DateOrder

    return DateOrder(dates) if dates else None


def _run(runtime: Runtime, kind: str, file: Path, report: Path | None, force: bool,
         run: Callable[[Context, Any], ImportResult]) -> None:
    from frontdesk.db.files import PRIVATE
    from frontdesk.services import imports
    from frontdesk.services.errors import InvalidInput

    ctx = runtime.context()
    target, modes = (report, PRIVATE) if report is not None else _default_report(ctx, kind)
    _check_folder(target, file, replace=force)
    bar = _Bar()
    try:
        result = run(ctx, bar)
    except InvalidInput as exc:  # the reason may quote the file: nothing raw to the terminal
        raise InputRejected(clean(f"{exc.field}: {exc.message}")) from None
    finally:
        bar.close()
    imports.write_report(result, target, modes, replace=force)
    for text in result.summary():
        click.echo(clean(text))
    for line in result.bad[:SHOWN]:
        click.echo(f"  {clean(line.text())}")
    if len(result.bad) > SHOWN:
        click.echo(f"  … and {len(result.bad) - SHOWN} more bad row(s)")
    if result.attention:
        click.echo(f"{len(result.attention)} visit(s) for a scheduler to look at (in the "
                   "report).")
    click.echo(f"Report: {target}")
    if result.aborted:
        raise InputRejected(f"{len(result.bad)} bad row(s): nothing imported (--skip-bad "
                            "imports the good rows)")


def _default_report(ctx: Context, kind: str) -> tuple[Path, Any]:
    from zoneinfo import ZoneInfo

    from frontdesk.cli.parsing import PRACTICE_ZONE
    from frontdesk.services import files, paths

    modes = files.file_modes(ctx.settings)
    folder = paths.data_dir() / "reports"
    files.make_folders(folder, modes)
    stamp = f"{ctx.now().astimezone(ZoneInfo(PRACTICE_ZONE)):%Y%m%d-%H%M%S}"
    target = folder / f"import-{kind}-{stamp}.txt"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"import-{kind}-{stamp}-{n}.txt"
    return target, modes


def _check_folder(target: Path, file: Path, *, replace: bool) -> None:
    """The report can be written: checked before anything is imported. Never the file being
    imported (nor a link to it); an existing file only with ``replace`` (--force)."""
    import os

    from frontdesk.services.errors import InvalidInput

    if target.resolve() == file.resolve() or (
            target.exists() and file.exists() and os.path.samefile(target, file)):
        raise InvalidInput("report", "the report cannot be written over the file being "
                                     "imported; give another --report")
    if os.path.lexists(target) and not target.is_dir() and not replace:
        raise InvalidInput("report", f"{clean(target)} already exists; give another name, or "
                                     "--force to replace it")
    if target.is_dir():
        raise InvalidInput("report", f"{target} is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise InvalidInput("report", f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput("report", f"cannot write in {folder}: permission denied")


class _Bar:
    """A progress bar on stderr for a long file, only when stderr is a terminal (so output
    piped or captured stays plain)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.off = not sys.stderr.isatty()

    def __call__(self, advance: int, total: int) -> None:
        if self.off or total < BAR_FROM:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Checking rows", file=sys.stderr)
            self.bar.render_progress()
        self.bar.update(advance)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None
