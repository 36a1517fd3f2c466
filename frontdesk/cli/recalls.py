"""``frontdesk recalls``: patients due for a next step, and ``recalls record`` for what came
of a call (booked, left-message, no-answer, not-now --until DATE, declined --note)."""

from __future__ import annotations

from collections.abc import Callable

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.runtime import Runtime

OUTCOMES = ("booked", "left-message", "no-answer", "not-now", "declined")


@click.group("recalls", invoke_without_command=True)
@click.option("--location", metavar="NAME|ID", help="Only this location's recalls.")
@acting_as(deferred=True)
@json_option
@click.pass_context
def recalls_group(click_ctx: click.Context, location: str | None,
                  staff: Callable[[], str]) -> None:
    """Patients due for a next step: a repeat procedure their payer allows again (from its
    first eligible date), a relief callback overdue, a procedure with no next visit booked.
    Untried first, the most overdue first. The audit log records who listed them."""
    if click_ctx.invoked_subcommand is not None:
        return
    from frontdesk.cli.parsing import resolve_location
    from frontdesk.services import directory
    from frontdesk.services.worklists.recalls import recalls

    runtime = click_ctx.ensure_object(Runtime)
    who = staff()
    ctx = runtime.context()
    place = resolve_location(ctx, location) if location is not None else None
    found = recalls(ctx, by=who, location_id=place.id if place else None)
    directory.record_listed(ctx, staff=who, command="recalls", rows=len(found))
    where = place.name if place else "any location"
    if not found:
        emit(runtime, found, f"No recalls due at {where}.")
        return
    rows = [(r.key, f"{r.since:%Y-%m-%d}", r.patient_short, r.phone_display, r.what,
             r.last_words) for r in found]
    emit(runtime, found, table(("KEY", "DUE FROM", "PATIENT", "PHONE", "WHAT", "LAST"), rows)
         + f"\n{len(found)} due at {where}. Record a call: frontdesk recalls record KEY "
           "OUTCOME")


@recalls_group.command("record")
@click.argument("key")
@click.argument("outcome", type=click.Choice(OUTCOMES))
@click.option("--until", "until", metavar="DATE",
              help="not-now: the day to call again (2027-04-01, in 2 weeks, next mon).")
@click.option("--note", default="", help="What was said (a decline needs one).")
@acting_as()
@json_option
@click.pass_obj
def record_cmd(runtime: Runtime, key: str, outcome: str, until: str | None, note: str,
               staff: str) -> None:
    """What came of a call on the recall KEY (as `frontdesk recalls` lists it). booked only
    once the visit is booked (`frontdesk book`, or the app's call screen)."""
    from frontdesk.cli.parsing import parse_day, practice_today
    from frontdesk.services.worklists.recalls import record_outcome

    ctx = runtime.context()
    day = (parse_day(until, field_name="until", today=practice_today(ctx))
           if until is not None else None)
    done = record_outcome(ctx, staff=staff, key=key, outcome=outcome, until=day, note=note)
    again = f"; call again from {done.until:%a %d %b %Y}" if done.until else ""
    emit(runtime, done, f"Recorded {done.outcome.label.lower()} for {done.key} "
                        f"(try {done.tries}){again}.")
