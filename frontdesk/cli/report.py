"""``frontdesk report daily``: the manager's daily summary as text, CSV, JSON or HTML."""

from __future__ import annotations

from pathlib import Path

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.runtime import Runtime

FORMATS = ("text", "csv", "json", "html")


@click.group("report")
def report_group() -> None:
    """Reports for the practice manager (counts only; no patient names)."""


@report_group.command("daily")
@click.option("--date", "day", default="today", show_default=True, metavar="DATE",
              help="The practice's local day: ISO (2027-03-10), today or yesterday.")
@click.option("--location", metavar="NAME",
              help="Only this location (a unique part of the name will do). Calls stay "
                   "practice-wide.")
@click.option("--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False),
              default="text", show_default=True, help="What to print or write.")
@click.option("--output", metavar="PATH", type=click.Path(path_type=Path),
              help="Write the report to this file (readable by you only, mode 0600) instead "
                   "of printing it.")
@acting_as("by")
@click.pass_obj
def daily_cmd(runtime: Runtime, day: str, location: str | None, fmt: str,
              output: Path | None, by: str) -> None:
    """The day's appointments, bookings, calls, pathway, utilisation, overrides and trend."""
    from frontdesk.services import report
    from frontdesk.services.report import export as report_export

    ctx = runtime.context()
    today = report.today_in_practice(ctx)
    when = report.check_day(day, today=today)
    found = report.daily_report(ctx, by=by, day=when, location=location)
    text = report_export.render(found, fmt.lower())
    if output is None:
        click.echo(text, nl=False)
        return
    target = output.expanduser()
    report_export.write_private(target, text)
    click.echo(f"wrote the daily report for {when} to {target}", err=True)
