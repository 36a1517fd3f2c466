"""Scheduling from the command line: find slots, book, move, cancel, set status, show, list."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from frontdesk.cli.identity import acting_as, authoriser_password, override_option
from frontdesk.cli.options import ID, if_version_option, json_option
from frontdesk.cli.output import clock_time, emit, emit_appointment, long_day, slot_table, table
from frontdesk.cli.parsing import (
    PRACTICE_ZONE,
    parse_day,
    parse_start,
    practice_today,
    resolve_location,
)
from frontdesk.cli.runtime import Runtime

if TYPE_CHECKING:
    from frontdesk.services.context import Context
    from frontdesk.services.views import AppointmentView

STATUSES = ("booked", "confirmed", "checked_in", "completed", "no_show")


accept_option = click.option(
    "--accept", multiple=True, metavar="CODE",
    help="Book despite this warning, once you have read it (repeatable): same-day, "
         "relief-pending, duplicate. Written to the audit log.")


def _status_value(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    normal = value.strip().lower().replace("-", "_").replace(" ", "_")
    if normal not in STATUSES:
        raise click.BadParameter(f"{value[:40]!r} is not one of {', '.join(STATUSES)}")
    return normal


@click.command("slots", short_help="Find the best free slots for a visit type.")
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
    from frontdesk.services.errors import InvalidInput

    # the everyday form (any location, any provider) is answered the light way: no database
    # stack to load
    light = runtime.light() if location is None and provider is None else None
    if light is None:
        from frontdesk.services import directory

        ctx = runtime.context()
        place = resolve_location(ctx, location) if location is not None else None
        who = directory.find_provider(ctx, provider) if provider is not None else None
    else:
        place = who = None
    zone = place.timezone if place else PRACTICE_ZONE
    opened = light or runtime.context()
    today = practice_today(opened, zone)
    start = None
    if from_ is not None:
        first = parse_day(from_, field_name="from", today=today)
        horizon = opened.settings.booking.horizon_days
        if first < today:
            raise InvalidInput("from", f"{first} is in the past")
        if first > today + timedelta(days=horizon):
            raise InvalidInput("from", f"{first} is beyond the booking horizon of {horizon} days")
        if first > today:
            start = datetime.combine(first, datetime.min.time(), ZoneInfo(zone))
    if light is not None:
        from frontdesk.services.light.slots import find_slots

        found = find_slots(light, visit_type=visit_type, start=start, days=days, limit=limit)
    else:
        from frontdesk.services import scheduling

        found = scheduling.find_slots(
            runtime.context(), visit_type=visit_type, start=start, days=days, limit=limit,
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
        text = slot_table(found) + hint
    emit(runtime, found, text)


@click.command("book", short_help="Book or hold a visit.")
@click.option("--patient", type=ID, required=True, metavar="ID", help="Patient id.")
@click.option("--visit-type", "visit_type", required=True, metavar="CODE", help="Visit type code.")
@click.option("--provider", required=True, metavar="ID|NAME", help="Provider id (or name).")
@click.option("--location", required=True, metavar="ID|NAME", help="Location id (or name).")
@click.option("--start", required=True, metavar="ISO8601",
              help="Start, e.g. 2027-03-15T09:00-05:00; without an offset, the location's "
                   "local time.")
@acting_as()
@click.option("--room", type=ID, metavar="ID", help="A particular room (default: any free one).")
@click.option("--region", type=click.Choice(["cervical", "thoracic", "lumbar"],
                                            case_sensitive=False),
              help="Spinal region (procedures).")
@click.option("--levels", metavar="L", help="Levels, e.g. 'L4-L5, L5-S1' (procedures).")
@click.option("--side", type=click.Choice(["left", "right", "bilateral"], case_sensitive=False),
              help="Side (procedures).")
@click.option("--hold", is_flag=True, help="Hold the slot for the caller for a few minutes.")
@click.option("--ordered", is_flag=True,
              help="A physician ordered this visit: a patient's first visit may then be other "
                   "than the new-patient evaluation. Written to the audit log.")
@click.option("--physician-review", is_flag=True,
              help="The pathway routes this visit to physician review: book it with a "
                   "physician (unless the practice's settings allow any clinician).")
@accept_option
@click.option("--override-reason", metavar="TEXT",
              help="Book against a payer rule; needs a scheduler, manager or admin (--as or "
                   "--override-by). Written to the audit log.")
@override_option
@json_option
@click.pass_obj
def book_cmd(runtime: Runtime, patient: int, visit_type: str, provider: str, location: str,
             start: str, staff: str, room: int | None, region: str | None, levels: str | None,
             side: str | None, hold: bool, ordered: bool, physician_review: bool,
             accept: tuple[str, ...], override_reason: str | None,
             override_by: str | None, override_password_file: Path | None) -> None:
    """Book (or --hold) a visit, and print the read-back for the caller. Exit 3 with
    alternatives when the slot was just taken; exit 7 with the warnings to accept (--accept)."""
    from frontdesk.services import directory, scheduling

    ctx = runtime.context()
    place = resolve_location(ctx, location)
    who = directory.find_provider(ctx, provider)
    when = parse_start(start, zone=place.timezone, now=ctx.now())
    secret = authoriser_password(staff, override_by, override_reason, override_password_file)
    appt = scheduling.book(
        ctx, staff=staff, patient_id=patient, visit_type=visit_type, provider_id=who.id,
        location_id=place.id, start=when, room_id=room, region=region, levels=levels,
        side=side, hold=hold, override_reason=override_reason, override_by=override_by,
        override_password=secret, ordered_by_physician=ordered,
        physician_review=physician_review, accept_warnings=accept,
    )
    emit_appointment(runtime, f"{'Held' if hold else 'Booked'} appointment {appt.id}", appt,
                     _read_back(ctx, appt.id))


def _read_back(ctx: Context, appointment_id: int, *, moved: bool = False) -> str:
    """The confirmation to read to the caller, as the call screen shows it."""
    from frontdesk.services.readback import read_back

    script = read_back(ctx, appointment_id, moved=moved)
    return "\n\nRead back to the caller:\n" + "\n".join(f"  {line}" for line in script.lines)


@click.command("reschedule", short_help="Move a visit to another time.")
@click.argument("appointment_id", type=ID)
@click.option("--start", required=True, metavar="ISO8601",
              help="New start; without an offset, the location's local time.")
@acting_as()
@click.option("--provider", metavar="ID|NAME", help="Move to this provider.")
@click.option("--location", metavar="ID|NAME", help="Move to this location.")
@click.option("--room", type=ID, metavar="ID", help="Move to this room.")
@click.option("--region", type=click.Choice(["cervical", "thoracic", "lumbar"],
                                            case_sensitive=False),
              help="Spinal region, for a procedure booked without it.")
@click.option("--levels", metavar="L", help="Levels, for a procedure booked without them.")
@click.option("--side", type=click.Choice(["left", "right", "bilateral"], case_sensitive=False),
              help="Side, for a procedure booked without it.")
@click.option("--ordered", is_flag=True,
              help="A physician ordered this visit (a move before the first evaluation).")
@accept_option
@click.option("--override-reason", metavar="TEXT",
              help="Move against a payer rule (scheduler, manager or admin); audited.")
@override_option
@if_version_option
@json_option
@click.pass_obj
def reschedule_cmd(runtime: Runtime, appointment_id: int, start: str, staff: str,
                   provider: str | None, location: str | None, room: int | None,
                   region: str | None, levels: str | None, side: str | None, ordered: bool,
                   accept: tuple[str, ...], override_reason: str | None,
                   override_by: str | None, override_password_file: Path | None,
                   expected_version: int | None) -> None:
    """Move a visit to another time (and optionally provider, location or room), and print
    the read-back for the caller. Exit 7 with the warnings to accept (--accept)."""
    from frontdesk.services import directory, scheduling

    ctx = runtime.context()
    current = scheduling.get_appointment(ctx, appointment_id)
    place = resolve_location(ctx, location) if location is not None else None
    who = directory.find_provider(ctx, provider) if provider is not None else None
    when = parse_start(start, zone=place.timezone if place else current.timezone, now=ctx.now())
    appt = scheduling.reschedule(
        ctx, staff=staff, appointment_id=appointment_id, start=when,
        provider_id=who.id if who else None, location_id=place.id if place else None,
        room_id=room, expected_version=expected_version, override_reason=override_reason,
        override_by=override_by,
        override_password=authoriser_password(staff, override_by, override_reason,
                                              override_password_file),
        ordered_by_physician=ordered, accept_warnings=accept, region=region, levels=levels,
        side=side,
    )
    emit_appointment(runtime, f"Moved appointment {appt.id}", appt,
                     _read_back(ctx, appt.id, moved=True))


@click.command("cancel", short_help="Cancel a visit, with a reason.")
@click.argument("appointment_id", type=ID)
@click.option("--reason", required=True, metavar="TEXT", help="Why (recorded).")
@acting_as()
@if_version_option
@json_option
@click.pass_obj
def cancel_cmd(runtime: Runtime, appointment_id: int, reason: str, staff: str,
               expected_version: int | None) -> None:
    """Cancel a visit; flagged late inside the late-cancel window. Says how many on the
    waitlist the freed time suits (`frontdesk waitlist matches` lists them)."""
    from frontdesk.services import scheduling

    ctx = runtime.context()
    appt = scheduling.cancel(ctx, staff=staff, appointment_id=appointment_id,
                             reason=reason, expected_version=expected_version)
    emit_appointment(runtime, f"Cancelled appointment {appt.id}", appt,
                     _waitlist_hint(ctx, staff, appt))


def _waitlist_hint(ctx: Context, staff: str, appt: AppointmentView) -> str:
    """'\n2 on the waitlist could take this time: frontdesk waitlist matches ...' (a count
    only, no names: the list itself is audited when asked for); "" when none or unreadable."""
    from frontdesk.services.errors import FrontDeskError
    from frontdesk.services.worklists import waitlist

    if appt.start <= ctx.now():
        return ""
    try:
        found = waitlist.match(ctx, by=staff, opened=waitlist.OpenedTime(
            appt.provider_id, appt.location_id, appt.start, appt.end), audit=False)
    except FrontDeskError:
        return ""  # e.g. a role that may not book: the cancel stands, the hint is not theirs
    if not found:
        return ""
    return (f"\n{len(found)} on the waitlist could take this time: frontdesk waitlist "
            f"matches --appointment {appt.id}")


@click.command("status", short_help="Confirm, check in, complete or mark no-show.")
@click.argument("appointment_id", type=ID)
@click.argument("status", metavar="STATUS", callback=_status_value)
@accept_option
@acting_as()
@if_version_option
@json_option
@click.pass_obj
def status_cmd(runtime: Runtime, appointment_id: int, status: str, accept: tuple[str, ...],
               staff: str, expected_version: int | None) -> None:
    """Set STATUS: confirmed, checked_in, completed, no_show or booked. A hold or a no-show
    booked again passes the booking's checks and payer rules again (--accept for its
    warnings)."""
    from frontdesk.domain.model import Status
    from frontdesk.services import scheduling

    appt = scheduling.set_status(runtime.context(), staff=staff, appointment_id=appointment_id,
                                 status=Status(status), expected_version=expected_version,
                                 accept_warnings=accept)
    emit_appointment(runtime, f"Appointment {appt.id} is now {appt.status.label}", appt)


@click.command("show", short_help="Show one appointment in full.")
@click.argument("appointment_id", type=ID)
@acting_as()
@json_option
@click.pass_obj
def show_cmd(runtime: Runtime, appointment_id: int, staff: str) -> None:
    """One appointment in full (including its version, for --if-version). The audit log
    records who looked."""
    from frontdesk.services import directory, scheduling

    ctx = runtime.context()
    appt = scheduling.get_appointment(ctx, appointment_id)
    directory.record_listed(ctx, staff=staff, command="show", rows=1, patient_id=appt.patient_id)
    emit_appointment(runtime, f"Appointment {appt.id}", appt)


@click.command("appointments")
@click.option("--date", "day", default="today", show_default=True, metavar="DATE",
              help="The day, e.g. 2027-03-15, tomorrow, next tue, 3/15.")
@click.option("--location", metavar="NAME|ID", help="Only this location.")
@acting_as()
@json_option
@click.pass_obj
def appointments_cmd(runtime: Runtime, day: str, location: str | None, staff: str) -> None:
    """One day's appointments, in each location's local time. The audit log records who
    listed them, and how many."""
    from frontdesk.services.errors import InvalidInput

    # the everyday form (every location) is answered the light way: no database stack to load
    light = runtime.light() if location is None else None
    ctx = runtime.context() if light is None else None
    place = resolve_location(ctx, location) if ctx is not None and location is not None else None
    today = practice_today(light or runtime.context(), place.timezone if place else PRACTICE_ZONE)
    wanted = parse_day(day, field_name="date", today=today)
    if abs((wanted - today).days) > 3650:
        raise InvalidInput("date", "pick a day within 10 years of today")
    if light is not None:
        from frontdesk.services.light.appointments import appointments_on

        found = appointments_on(light, day=wanted)
        light.record_listed(staff=staff, command="appointments", rows=len(found))
    else:
        from frontdesk.services import directory, scheduling

        ctx = runtime.context()
        found = scheduling.appointments_on(ctx, day=wanted,
                                           location_ids={place.id} if place else None)
        directory.record_listed(ctx, staff=staff, command="appointments", rows=len(found))
    if not found:
        emit(runtime, found, f"No appointments on {long_day(wanted)}.")
        return
    rows = [(a.id, f"{clock_time(a.local_start)}–{clock_time(a.local_end)}", a.status.label,
             a.patient_short, a.visit_type_code, a.provider_name, a.room_name, a.location_name)
            for a in found]
    emit(runtime, found, f"{long_day(wanted)}: {len(found)} appointment(s)\n" + table(
        ["ID", "TIME", "STATUS", "PATIENT", "VISIT", "PROVIDER", "ROOM", "LOCATION"], rows))
