"""The confirmation list from the command line: a day's visits to confirm, and a call's outcome
recorded (confirmed, left a message, no answer, cancelled with its reason, wants to move). The
move itself is made with `frontdesk reschedule` (or the day view), and the visit stays counted
under the day it was called about."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import ID, if_version_option, json_option
from frontdesk.cli.output import clock_time, emit, emit_appointment, long_day, table
from frontdesk.cli.parsing import PRACTICE_ZONE, parse_day, practice_today, resolve_location
from frontdesk.cli.runtime import Runtime

if TYPE_CHECKING:
    from frontdesk.services.worklists.confirmations import ConfirmationList, ConfirmRow

#: The outcomes a call recorded here may have (a cancel needs its --reason).
OUTCOMES = ("confirmed", "left-message", "no-answer", "cancelled", "wants-move")


@click.group("confirmations", invoke_without_command=True,
             short_help="The visits to confirm on a day, and calls' outcomes.")
@click.option("--date", "day", metavar="DATE",
              help="The day, e.g. 2027-03-15, tomorrow, next tue, 3/15 (default: the next "
                   "working day).")
@click.option("--location", metavar="NAME|ID", help="Only this location.")
@acting_as(deferred=True)
@json_option
@click.pass_context
def confirmations_group(click_ctx: click.Context, day: str | None, location: str | None,
                        staff: Callable[[], str]) -> None:
    """The visits still to happen on a day (default: the next working day), procedures and
    first visits first, with the phone to call, what to remind and where each call stands.
    The audit log records who listed them, and how many."""
    if click_ctx.invoked_subcommand is not None:
        return
    from frontdesk.services.errors import InvalidInput
    from frontdesk.services.worklists import confirmations

    runtime = click_ctx.ensure_object(Runtime)
    ctx = runtime.context()
    place = resolve_location(ctx, location) if location is not None else None
    wanted = None
    if day is not None:
        today = practice_today(ctx, place.timezone if place else PRACTICE_ZONE)
        wanted = parse_day(day, field_name="date", today=today)
        if abs((wanted - today).days) > 3650:
            raise InvalidInput("date", "pick a day within 10 years of today")
    found = confirmations.confirmation_list(ctx, by=staff(), day=wanted,
                                            location_id=place.id if place else None)
    where = place.name if place else "All locations"
    emit(runtime, _json(found, where), _text(found, where))


def _text(found: ConfirmationList, where: str) -> str:
    heading = f"Confirmations · {where} · {long_day(found.day)}"
    if not found.rows and not found.settled:
        return f"{heading}: no visits to confirm."
    lines = [f"{heading}: {found.progress}"]
    if found.rows:
        lines.append(_table(found.rows))
    if found.settled:
        lines += ["", "Cancelled or moved through the list:", _table(found.settled)]
    return "\n".join(lines)


def _table(rows: tuple[ConfirmRow, ...]) -> str:
    from frontdesk.services.patients.search import display_phone

    return table(
        ["ID", "TIME", "PATIENT", "PHONE", "VISIT", "PROVIDER", "CALL", "REMIND"],
        [(r.id, clock_time(r.appointment.local_start), r.patient_name, display_phone(r.phone),
          ("* " if r.first else "") + r.appointment.visit_type_code,
          r.appointment.provider_name,
          r.standing.label + (f" ({r.tries} calls)" if r.tries > 1 else ""), r.remind)
         for r in rows])


def _json(found: ConfirmationList, where: str) -> dict[str, Any]:
    def row(r: ConfirmRow) -> dict[str, Any]:
        appt = r.appointment
        return {
            "appointment_id": r.id, "version": appt.version, "start": appt.start,
            "local_time": appt.local_start.isoformat(timespec="minutes"),
            "patient_id": appt.patient_id, "patient": r.patient_name, "phone": r.phone,
            "visit_type": appt.visit_type_code, "provider": appt.provider_name,
            "location": appt.location_name, "status": appt.status.value,
            "procedure": r.is_procedure, "first_visit": r.first_visit, "remind": r.remind,
            "standing": r.standing.value, "tries": r.tries, "called_at": r.called_at,
            "called_by": r.called_by or None,
        }

    return {
        "day": found.day, "location": where, "location_id": found.location_id,
        "reached": found.reached, "confirmed": found.confirmed, "to_call": found.to_call,
        "rows": [row(r) for r in found.rows], "settled": [row(r) for r in found.settled],
    }


@confirmations_group.command("record", short_help="Record a confirmation call's outcome.")
@click.argument("appointment_id", type=ID)
@click.argument("outcome", type=click.Choice(OUTCOMES, case_sensitive=False))
@click.option("--note", default="", metavar="TEXT",
              help="A note on the call (kept with it; up to 500 characters).")
@click.option("--reason", default="", metavar="TEXT",
              help="Why the patient cancelled (needed with cancelled).")
@acting_as()
@if_version_option
@json_option
@click.pass_obj
def record_cmd(runtime: Runtime, appointment_id: int, outcome: str, note: str, reason: str,
               staff: str, expected_version: int | None) -> None:
    """Record OUTCOME of the call about a visit on the list: confirmed (the visit is marked
    confirmed), left-message or no-answer (the visit stays as it is), cancelled (the visit is
    cancelled with --reason, as `frontdesk cancel` does) or wants-move (the visit stays
    booked until it is moved with `frontdesk reschedule`; the list counts it as moved)."""
    from frontdesk.domain.confirmations import Outcome
    from frontdesk.services.errors import InvalidInput
    from frontdesk.services.worklists import confirmations

    said = Outcome(outcome.lower())
    if said is Outcome.CANCELLED and not reason.strip():
        raise InvalidInput("reason", "give the reason the patient cancelled with --reason")
    if said is not Outcome.CANCELLED and reason:
        raise InvalidInput("reason", "--reason goes with cancelled only")
    appt = confirmations.record(runtime.context(), staff=staff, appointment_id=appointment_id,
                                outcome=said, expected_version=expected_version, note=note,
                                reason=reason)
    emit_appointment(runtime, f"Appointment {appt.id}: {said.label} (call recorded)", appt)
