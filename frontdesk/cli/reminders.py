"""``frontdesk reminders``: the background sender, the day's outbox, and a manager's re-queue.

``send`` runs as a service (docs/reminders.md has a systemd unit): it acts for the practice,
not for a staff member, and its audit records carry the OS user it runs as. Nothing it prints
or logs names a patient: reminder ids, counts, status codes.
"""

from __future__ import annotations

import click

from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import ID, json_option
from frontdesk.cli.output import emit, table
from frontdesk.cli.parsing import parse_day
from frontdesk.cli.runtime import Runtime


@click.group("reminders")
def reminders_group() -> None:
    """Email and text reminders of visits: the sender, the outbox and the delivery log."""


@reminders_group.command("send")
@click.option("--once", is_flag=True,
              help="Work the reminders due now, then exit (for a timer or cron); without "
                   "it, keep running and look again every [reminders] poll_s seconds.")
@click.pass_obj
def send_cmd(runtime: Runtime, once: bool) -> None:
    """Plan and send the reminders due ([reminders] in settings.toml). Stop it with
    Ctrl-C or SIGTERM: the reminder being sent is finished first."""
    import logging
    import signal
    import threading

    from frontdesk.cli.errors import CommandFailed
    from frontdesk.services.worklists.reminders import sender, transport

    ctx = runtime.context()
    settings = ctx.settings.reminders
    if not settings.offsets("email") and not settings.offsets("sms"):
        click.echo("warning: no reminders are set up: give [reminders.smtp] host and from, "
                   "or [reminders.sms] command or url, in settings.toml", err=True)
    wrong = [p for p in runtime.settings_problems() if ": reminders" in p]
    wrong += transport.setup_problems(settings)
    if wrong:  # said before anything is tried: a wrong setup is never a delivery try
        for problem in wrong[:-1]:
            click.echo(f"error: {problem}", err=True)
        raise CommandFailed(f"{wrong[-1]}\nreminders not sent: correct the setup "
                            "(docs/reminders.md) and start it again")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()

    def halt(_signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, halt)
    signal.signal(signal.SIGINT, halt)
    done = sender.run(ctx, stop=stop, once=once)
    click.echo(f"reminders: {done.sent} sent, {done.retried} to try again, {done.failed} "
               f"failed, {done.unsure} unsure, {done.skipped} skipped, {done.planned} planned",
               err=True)


@reminders_group.command("status")
@click.option("--date", "day", default="today", show_default=True, metavar="DATE",
              help="The practice's local day: ISO (2027-03-10), today, tomorrow, ...")
@json_option
@acting_as("by")
@click.pass_obj
def status_cmd(runtime: Runtime, day: str, by: str) -> None:
    """The reminders due on a day by status, each one, and the day's delivery log (no
    message text, no patient: the visit's appointment id)."""
    from zoneinfo import ZoneInfo

    from frontdesk.services.worklists.reminders import day_outbox
    from frontdesk.services.worklists.reminders.status import practice_day

    ctx = runtime.context()
    when = parse_day(day, field_name="date", today=practice_day(ctx))
    found = day_outbox(ctx, by=by, day=when)
    zone = ZoneInfo(found.zone)

    def hm(moment: object) -> str:
        from datetime import datetime

        return f"{moment.astimezone(zone):%H:%M}" if isinstance(moment, datetime) else ""

    counts = ", ".join(f"{n} {s}" for s, n in found.counts.items())
    rows = table(("id", "due", "channel", "visit", "appt", "status", "tries", "last error"),
                 [(row.id, hm(row.due_at), row.channel,
                   f"{row.visit_starts_at.astimezone(zone):%a %m-%d %H:%M}",
                   row.appointment_id, row.status, row.attempts, row.last_error[:40])
                  for row in found.rows]) if found.rows else "  (no reminders due)"
    log = table(("at", "id", "channel", "outcome", "detail"),
                [(hm(line.at), line.reminder_id, line.channel, line.outcome, line.detail[:50])
                 for line in found.log]) if found.log else "  (nothing logged)"
    emit(runtime, {"day": when, "counts": found.counts, "reminders": found.rows,
                   "log": found.log},
         f"Reminders due {when:%a %Y-%m-%d}: {counts}\n\n{rows}\n\nDelivery log\n{log}")


@reminders_group.command("retry")
@click.argument("reminder_id", type=ID, metavar="ID")
@acting_as("by")
@click.pass_obj
def retry_cmd(runtime: Runtime, reminder_id: int, by: str) -> None:
    """Send a failed or unsure reminder again (a manager). An unsure one may have gone out
    already: the patient may get it twice (email and HTTP providers can drop the repeat by
    its message id)."""
    from frontdesk.services.worklists.reminders import retry

    ctx = runtime.context()
    retry(ctx, by=by, reminder_id=reminder_id)
    click.echo(f"reminder {reminder_id} re-queued: the sender sends it at its next pass")
