"""``frontdesk audit``: the audit trail, newest first, filtered by time, person, patient, action."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import ID, json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.parsing import PRACTICE_ZONE
from frontdesk.cli.runtime import Runtime

if TYPE_CHECKING:
    from frontdesk.services.audit import AuditLine
    from frontdesk.services.context import Context

DEFAULT_DAYS = 7
EXAMPLE = "e.g. 2027-03-10, or 2027-03-10T14:30 (practice time), or 2027-03-10T14:30-06:00"


def parse_moment(text: str, *, field_name: str) -> datetime:
    """An ISO date (the start of that day in the practice's zone) or ISO datetime (without an
    offset: practice time). Returned as aware UTC."""
    from frontdesk.services.errors import InvalidInput

    raw = text.strip()
    zone = ZoneInfo(PRACTICE_ZONE)
    try:
        if not raw or len(raw) > 40:
            raise ValueError(raw)
        if len(raw) == 10:
            moment = datetime.combine(date.fromisoformat(raw), time(0), zone)
        else:
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(field_name, f"{raw[:40]!r} is not an ISO date or time; "
                                       f"{EXAMPLE}") from None


def _range(ctx: Context, since: str | None, until: str | None) -> tuple[datetime, datetime | None]:
    from frontdesk.services.errors import InvalidInput

    start = (parse_moment(since, field_name="since") if since is not None
             else ctx.now() - timedelta(days=DEFAULT_DAYS))
    end = parse_moment(until, field_name="until") if until is not None else None
    if end is not None and end <= start:
        raise InvalidInput("until", "must be after --since (default: 7 days ago)")
    return start, end


@click.command("audit", short_help="The audit trail: who did what, and when.")
@click.option("--since", metavar="DATE",
              help="From this day (practice time) or ISO time on. Default: 7 days ago.")
@click.option("--until", metavar="DATE",
              help="Up to (not including) this day's start or this ISO time. Default: now.")
@click.option("--staff", metavar="USERNAME", help="Only what this staff member did.")
@click.option("--patient", type=ID, metavar="ID",
              help="Only events on this patient's record, appointments, calls, relief reports "
                   "and callbacks.")
@click.option("--action", metavar="ACTION",
              help="Only this action (appointment.cancel), or a family ending in a dot "
                   "(appointment.).")
@click.option("--limit", type=click.IntRange(1, 5000), default=200, show_default=True,
              help="At most this many events (the newest).")
@acting_as("by")
@json_option
@click.pass_obj
def audit_cmd(runtime: Runtime, since: str | None, until: str | None, staff: str | None,
              patient: int | None, action: str | None, limit: int, by: str) -> None:
    """The audit trail, newest first. It is append-only: the database refuses to change or
    delete an event. Summaries name no patient; use the ids with `frontdesk show`."""
    from frontdesk.services import audit

    ctx = runtime.context()
    start, end = _range(ctx, since, until)
    found = audit.audit_events(ctx, by=by, since=start, until=end, staff=staff, patient_id=patient,
                               action=action, limit=limit)
    zone = ZoneInfo(PRACTICE_ZONE)
    span = (f"from {start.astimezone(zone):%Y-%m-%d %H:%M}"
            + (f" to {end.astimezone(zone):%Y-%m-%d %H:%M}" if end is not None else "")
            + f" ({zone.key})")
    if not found:
        emit(runtime, found, f"No audit events {span}.")
        return
    more = (f"\nShowing the newest {limit}; narrow the filters or raise --limit for more."
            if len(found) == limit else "")
    rows = [(f"{e.at.astimezone(zone):%Y-%m-%d %H:%M:%S}", e.staff or "system", via(e),
             e.action, e.summary) for e in found]
    emit(runtime, found, f"{len(found)} audit event(s) {span}, newest first\n"
         + table(["WHEN", "WHO", "VIA", "ACTION", "WHAT"], rows) + more)


def via(line: AuditLine) -> str:
    """'cli:jdoe', 'ssh:fdsched', 'app' — the channel, and the OS user where it says more."""
    if line.channel is None:
        return "-"
    return f"{line.channel}:{line.os_user}" if line.os_user else line.channel
