"""The waitlist: who is waiting, putting someone on it, and who a cancelled visit's time
suits (the same services as the app's waitlist screen and its matches after a cancel)."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import ID, json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.parsing import parse_day, practice_today, resolve_location
from frontdesk.cli.runtime import Runtime

if TYPE_CHECKING:
    from frontdesk.services.worklists.waitlist import Match, WaitlistView


@click.group("waitlist")
def waitlist_group() -> None:
    """Callers who want an earlier time, matched to time that opens."""


def _entry_json(e: WaitlistView) -> dict[str, Any]:
    return {
        "id": e.id, "patient_id": e.patient_id, "patient": e.patient_short,
        "phone": e.patient_phone, "visit_type": e.visit_type_code,
        "appointment_id": e.held.id if e.held else None,
        "held_start": e.held.start.isoformat() if e.held else None,
        "location_ids": list(e.location_ids), "weekdays": list(e.weekdays),
        "earliest": e.earliest.isoformat() if e.earliest else None,
        "latest": e.latest.isoformat() if e.latest else None,
        "until": e.until.isoformat() if e.until else None, "note": e.note,
        "status": e.status.value, "created_at": e.created_at.isoformat(),
        "created_by": e.created_by, "version": e.version, "wants": e.wants_text,
    }


def _match_json(m: Match) -> dict[str, Any]:
    return {"entry": _entry_json(m.entry), "start": m.start.isoformat(),
            "end": m.end.isoformat(), "provider_id": m.provider_id,
            "provider": m.provider_name, "location_id": m.location_id,
            "location": m.location_name, "gain_days": None if m.gain is None
            else round(m.gain.total_seconds() / 86400, 1),
            "miles": None if m.miles is None else round(m.miles, 1), "reason": m.reason,
            "asks": m.asks}


@waitlist_group.command("list")
@click.option("--location", metavar="NAME|ID", help="Only those who can come here.")
@acting_as()
@json_option
@click.pass_obj
def list_cmd(runtime: Runtime, location: str | None, staff: str) -> None:
    """Who is waiting for an earlier time, longest first."""
    from frontdesk.services.worklists import waitlist

    ctx = runtime.context()
    place = resolve_location(ctx, location) if location is not None else None
    found = waitlist.waiting(ctx, by=staff, location_id=place.id if place else None)
    now = ctx.now()
    emit(runtime, [_entry_json(e) for e in found],
         table(["ID", "PATIENT", "PHONE", "WAITING", "HAS", "WANTS"],
               [(e.id, e.patient_short, e.patient_phone, f"{e.waited_days(now)} d",
                 f"{e.held.local_start:%a %Y-%m-%d %H:%M}" if e.held else "-", e.wants_text)
                for e in found]) if found else "Nobody is waiting for an earlier time.")


def _clock(text: str | None, field: str) -> time | None:
    from frontdesk.domain.dates import DateWordsError, parse_clock_words
    from frontdesk.services.errors import InvalidInput

    if text is None or not text.strip():
        return None
    try:
        return parse_clock_words(text)
    except DateWordsError as exc:
        raise InvalidInput(field, str(exc)) from None


@waitlist_group.command("add")
@click.option("--patient", "patient_id", type=ID, required=True, help="The patient's id.")
@click.option("--visit-type", metavar="CODE", help="The visit type wanted (or --appointment).")
@click.option("--appointment", "appointment_id", type=ID,
              help="Their booked visit, wanted earlier (its visit type and details).")
@click.option("--location", "locations", metavar="NAME|ID", multiple=True,
              help="A location they can come to; repeat for several (default: any).")
@click.option("--days", metavar="DAYS", default="",
              help="Days they can come: 'mon wed fri', 'mon-thu' (default: any).")
@click.option("--from", "from_", metavar="TIME", help="Not before this clock time (9:30, 2pm).")
@click.option("--to", metavar="TIME", help="Done by this clock time.")
@click.option("--until", metavar="DATE", help="The wish stands until this day (inclusive).")
@click.option("--region", help="A procedure's region (lumbar, cervical, thoracic).")
@click.option("--levels", help="A spine procedure's levels, e.g. L4-L5.")
@click.option("--side", help="left, right or bilateral.")
@click.option("--note", default="", metavar="TEXT", help="Anything the desk should know.")
@acting_as()
@json_option
@click.pass_obj
def add_cmd(runtime: Runtime, patient_id: int, visit_type: str | None,
            appointment_id: int | None, locations: tuple[str, ...], days: str,
            from_: str | None, to: str | None, until: str | None, region: str | None,
            levels: str | None, side: str | None, note: str, staff: str) -> None:
    """Put a patient on the waitlist (asking again updates their entry for that visit type)."""
    from frontdesk.domain.dates import DateWordsError, parse_weekday_words
    from frontdesk.services.errors import InvalidInput
    from frontdesk.services.worklists import waitlist

    if (visit_type is None) == (appointment_id is None):
        raise InvalidInput("visit-type", "give --visit-type or --appointment (one of them)")
    ctx = runtime.context()
    try:
        weekdays = parse_weekday_words(days)
    except DateWordsError as exc:
        raise InvalidInput("days", str(exc)) from None
    added = waitlist.add(
        ctx, staff=staff, patient_id=patient_id, visit_type=visit_type,
        appointment_id=appointment_id, region=region, levels=levels, side=side,
        location_ids=[resolve_location(ctx, loc).id for loc in locations], weekdays=weekdays,
        earliest=_clock(from_, "from"), latest=_clock(to, "to"),
        until=parse_day(until, field_name="until", today=practice_today(ctx))
        if until else None, note=note)
    verb = "Updated waitlist entry" if added.updated else "Added waitlist entry"
    emit(runtime, _entry_json(added.entry) | {"updated": added.updated},
         f"{verb} {added.entry.id}: {added.entry.wants_text}")


@waitlist_group.command("matches")
@click.option("--appointment", "appointment_id", type=ID, required=True,
              help="A cancelled (or moved) visit: who on the waitlist its time suits.")
@acting_as()
@json_option
@click.pass_obj
def matches_cmd(runtime: Runtime, appointment_id: int, staff: str) -> None:
    """Who on the waitlist a visit's time suits, best first (soonest need, longest waiting,
    nearest location). The time must be free now: cancel the visit first."""
    from frontdesk.services.worklists import waitlist

    ctx = runtime.context()
    found = waitlist.match(ctx, by=staff, opened=waitlist.opened_by(ctx, appointment_id))
    emit(runtime, [_match_json(m) for m in found],
         table(["ENTRY", "PATIENT", "PHONE", "START", "WITH", "WHY"],
               [(m.entry.id, m.entry.patient_short, m.entry.patient_phone,
                 f"{m.local_start:%a %Y-%m-%d %H:%M}", m.provider_name, m.reason)
                for m in found]) if found else "Nobody on the waitlist suits that time.")
