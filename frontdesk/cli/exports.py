"""``frontdesk export …``: the practice's data out in the field's standards — FHIR R4 Bulk Data
files for the next system, a provider's or location's calendar as iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import emit
from frontdesk.cli.parsing import PRACTICE_ZONE, parse_day, practice_today
from frontdesk.cli.runtime import Runtime

#: A calendar's default reach: today and the next four weeks.
CALENDAR_DAYS = 28


@click.group("export")
def export_group() -> None:
    """Take the practice's data out: FHIR files for another system, calendars for a calendar
    app. Files are readable by you only (mode 0600); a manager's or admin's job, audited."""


@export_group.command("fhir")
@click.argument("folder", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--since", metavar="DATE",
              help="Only patients and visits changed on or after this day (practice time); "
                   "practitioners, locations and schedules are always written whole.")
@click.option("--slot-days", type=click.IntRange(0, 366), default=28, show_default=True,
              help="How many days ahead the free/busy slots (Slot.ndjson) go; 0: none.")
@click.option("--quiet", is_flag=True, help="No progress lines on standard error.")
@click.option("--replace", is_flag=True,
              help="Write into DIR even when it holds something other than an earlier "
                   "frontdesk export (its files of the same names are replaced), or replace "
                   "a full export there with a --since one.")
@acting_as("by")
@json_option
@click.pass_obj
def export_fhir_cmd(runtime: Runtime, folder: Path, since: str | None, slot_days: int,
                    quiet: bool, replace: bool, by: str) -> None:
    """The whole practice as FHIR R4 Bulk Data files in DIR.

    Every patient, practitioner, location, schedule, free/busy slot and appointment, as FHIR
    R4 (R4B) NDJSON files in DIR (made, mode 0700, when missing), with a manifest.json listing
    them, written last. DIR must be new, empty or an earlier export's (else --replace), and
    yours, not writable by others. Each resource is checked with the fhir.resources models.
    See docs/exporting.md for what goes where."""
    from frontdesk.services.exports import fhir
    from frontdesk.services.exports.common import check_day

    ctx = runtime.context()
    moment = None
    if since is not None:
        day = parse_day(since, field_name="since", today=practice_today(ctx))
        check_day("since", day)
        moment = datetime.combine(day, time(), ZoneInfo(PRACTICE_ZONE)).astimezone(UTC)

    def told(resource_type: str, count: int) -> None:
        click.echo(f"{resource_type}: {count:,} written", err=True)

    done = fhir.export_fhir(ctx, by=by, folder=folder.expanduser(), since=moment,
                            slot_days=slot_days, progress=None if quiet else told,
                            replace=replace)
    lines = [f"wrote FHIR R4 files to {done.folder} (manifest: {done.manifest.name})"]
    lines += [f"  {t}: {n:,}" for t, n in done.counts if n]
    if done.left_out:
        lines.append(f"  left out (see OperationOutcome.ndjson): {done.left_out:,}")
    emit(runtime, {"folder": str(done.folder), "manifest": str(done.manifest),
                   "transaction_time": done.transaction_time, "counts": dict(done.counts),
                   "left_out": done.left_out}, "\n".join(lines))


@export_group.command("ics")
@click.option("--provider", metavar="NAME|ID", help="This provider's calendar.")
@click.option("--location", metavar="NAME|ID", help="This location's calendar.")
@click.option("--from", "first", metavar="DATE", default="today", show_default=True,
              help="First day (the visit's local day).")
@click.option("--to", "last", metavar="DATE",
              help=f"Last day, included. Default: {CALENDAR_DAYS} days after the first.")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write (mode 0600). Default: a file named after the calendar in "
                   "the current folder.")
@click.option("--no-names", is_flag=True,
              help="No patient names at all: each visit shows its type only. Without it a "
                   "visit shows the patient as 'Last, F.'.")
@acting_as("by")
@json_option
@click.pass_obj
def export_ics_cmd(runtime: Runtime, provider: str | None, location: str | None, first: str,
                   last: str | None, output: Path | None, no_names: bool, by: str) -> None:
    """A provider's or a location's calendar as an iCalendar file.

    Their visits as an .ics file with proper time zones, for a calendar app. Cancelled visits,
    no-shows and lapsed holds are written as cancelled (without the patient), so a re-import
    takes them off. At most three years, 1900 to 2200. A calendar leaves the practice: give
    --no-names to share it without patient names."""
    from frontdesk.cli.parsing import resolve_location
    from frontdesk.services import directory
    from frontdesk.services.errors import InvalidInput
    from frontdesk.services.exports import ics
    from frontdesk.services.exports.common import check_day

    if (provider is None) == (location is None):
        raise InvalidInput("calendar", "give --provider or --location (one of them)")
    ctx = runtime.context()
    place = resolve_location(ctx, location) if location is not None else None
    who = directory.find_provider(ctx, provider) if provider is not None else None
    today = practice_today(ctx, place.timezone if place else PRACTICE_ZONE)
    start = parse_day(first, field_name="from", today=today)
    check_day("from", start)
    end = (parse_day(last, field_name="to", today=today) if last is not None
           else start + timedelta(days=CALENDAR_DAYS))
    name = who.name if who is not None else place.name if place is not None else ""
    target = (output or Path(ics.default_name(name, start))).expanduser()
    done = ics.export_ics(ctx, by=by, output=target, first=start, last=end,
                          provider_id=who.id if who else None,
                          location_id=place.id if place else None, names=not no_names)
    gone = f" (and {done.cancelled:,} cancelled)" if done.cancelled else ""
    emit(runtime, {"file": str(done.path), "calendar": done.calendar, "events": done.events,
                   "cancelled": done.cancelled, "from": done.first, "to": done.last},
         f"wrote {done.events:,} visit(s){gone} of {done.calendar}, {done.first} to "
         f"{done.last}, to {done.path}")
