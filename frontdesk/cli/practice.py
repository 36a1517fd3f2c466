"""``frontdesk practice``: set up or change the practice from one TOML file, and write it out."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from frontdesk.cli.errors import InputRejected
from frontdesk.cli.identity import acting_as
from frontdesk.cli.runtime import Runtime

if TYPE_CHECKING:
    from frontdesk.services.practice import Change, Outcome
    from frontdesk.services.views import AppointmentView

KINDS = ("practice", "location", "room", "visit type", "provider", "hours", "staff", "holiday",
         "payers", "plans", "reminders")
MARKS = {"added": "+", "changed": "~", "retired": "-"}
MAX_BYTES = 5_000_000  # a practice file is a few kilobytes; refuse what would eat memory


@click.group("practice")
def practice_group() -> None:
    """The practice as a file: locations, rooms, visit types, providers and their hours,
    holidays, staff accounts and payers (see the README, "Setting up your practice")."""


@practice_group.command("apply", short_help="Set up or change the practice from FILE.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@acting_as("by", deferred=True)
@click.pass_obj
def practice_apply(runtime: Runtime, file: Path, dry_run: bool, by: Callable[[], str]) -> None:
    """Check FILE, print what it adds, changes and retires, and apply it in one transaction
    (you need to be an admin). A wrong file is reported line by line and nothing is changed;
    so is retiring something that still has visits ahead."""
    from frontdesk.services import practice

    text = _read(file)
    try:
        practice.read_file(text)  # a wrong file is reported before anyone is asked who
        outcome = practice.apply_practice(runtime.context(), staff=by(), text=text,
                                          dry_run=dry_run)
    except practice.PracticeFileError as exc:
        for p in exc.problems:
            click.echo(f"{file}:{p.line}: {p.reason}", err=True)
        raise InputRejected(str(exc)) from None
    except practice.RetireRefused as exc:
        click.echo("Visits ahead that need what the file retires or changes:", err=True)
        click.echo(_visits(exc.visits, {i: "; ".join(r) for i, r in exc.reasons.items()}),
                   err=True)
        raise InputRejected(str(exc)) from None
    plan = _plan(outcome)
    if plan:
        click.echo(plan)
    if not outcome.changes:
        click.echo("Nothing to change.")
    elif dry_run:
        click.echo("Dry run: nothing was changed.")
    else:
        count = len(outcome.changes)
        click.echo(f"Applied {count} change{'s' if count != 1 else ''}.")
    if outcome.stranded:
        done = "would be kept and marked" if dry_run else "kept and marked"
        click.echo(f"{len(outcome.stranded)} visit(s) ahead to look at ({done} for a "
                   "scheduler):")
        click.echo(_visits(outcome.stranded, dict(outcome.reasons)))


@practice_group.command("export", short_help="Write the setup as a practice file.")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@acting_as("by")
@click.pass_obj
def practice_export(runtime: Runtime, file: Path | None, by: str) -> None:
    """Write today's setup as a practice file: to FILE (readable by you only), or to standard
    output. Applying it again changes nothing."""
    from frontdesk.services import practice

    ctx = runtime.context()
    if file is None:
        click.echo(practice.export_practice(ctx, staff=by), nl=False)
        return
    practice.write_export(ctx, staff=by, path=file)
    click.echo(f"Wrote {file}.", err=True)


def _plan(outcome: Outcome) -> str:
    lines: list[str] = []
    for kind in KINDS:
        mine = [c for c in outcome.changes if c.kind == kind]
        if not mine:
            continue
        counts = ", ".join(f"{n} {a}" for a in ("added", "changed", "retired")
                           if (n := sum(c.action == a for c in mine)))
        lines.append(f"{_plural(kind)}: {counts}")
        lines += [_change(c) for c in mine]
    lines += [f"note: {n}" for n in outcome.notes]
    return "\n".join(lines) if lines else ""


def _change(c: Change) -> str:
    head = f"  {MARKS[c.action]} {c.name}"
    if c.action == "added":
        extra = ", ".join(f"{f} {new}" if c.kind != "hours" else new
                          for f, _old, new in c.fields)
        return f"{head} ({extra})" if extra else head
    if c.action == "retired":
        return head + {"staff": " (disabled)", "holiday": " (removed)"}.get(c.kind, " (retired)")
    return head + ": " + "; ".join(f"{f}: {old} → {new}" for f, old, new in c.fields)


def _plural(kind: str) -> str:
    return {"hours": "hours", "staff": "staff", "practice": "practice", "payers": "payers",
            "plans": "plans", "reminders": "reminders"}.get(kind, kind + "s")


def _read(file: Path) -> str:
    """The file's text: a regular file of at most MAX_BYTES, in UTF-8."""
    try:
        with file.open("rb") as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode):
                raise InputRejected(f"{file}: not a regular file; give the practice file "
                                    "itself")
            if found.st_size > MAX_BYTES:
                raise InputRejected(f"{file}: larger than {MAX_BYTES // 1_000_000} MB; a "
                                    "practice file is far smaller")
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputRejected(f"{file}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InputRejected(f"{file}: larger than {MAX_BYTES // 1_000_000} MB; a practice "
                            "file is far smaller")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputRejected(f"{file}: cannot read: not UTF-8 text") from None


def _visits(visits: tuple[AppointmentView, ...], why: dict[int, str]) -> str:
    return "\n".join(f"  #{v.id}  {v.local_start:%a %Y-%m-%d %H:%M}  {v.provider_name}  "
                     f"{v.location_name}" + (f"  — {why[v.id]}" if v.id in why else "")
                     for v in visits)
