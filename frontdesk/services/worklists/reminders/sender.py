"""The background sender: ``frontdesk reminders send``. Each pass marks the rows of dead
senders unsure, plans the rows the visits ahead need, then claims and sends the due ones one at
a time. The app never sends: booking a visit never waits for a mail server.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from frontdesk.services.context import Context
from frontdesk.services.errors import Busy
from frontdesk.services.worklists.reminders import letter as letters
from frontdesk.services.worklists.reminders import outbox, transport
from frontdesk.services.worklists.reminders.outbox import Outcome

LOG = logging.getLogger("frontdesk.reminders")


@dataclass(frozen=True, slots=True)
class Pass:
    """What one pass did, by count (nothing about patients)."""

    planned: int = 0
    skipped: int = 0
    unsure: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def work_due(ctx: Context, *, claimer: str | None = None,
             stop: threading.Event | None = None) -> Pass:
    """One pass: recover, plan, then send every due row (until ``stop`` is set)."""
    who = claimer or outbox.me()
    unsure = len(outbox.recover(ctx))
    planned = outbox.plan(ctx)
    superseded = outbox.skip_superseded(ctx)
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0, "unsure": 0}
    broken = transport.setup_problems(ctx.settings.reminders)
    if broken:  # nothing is claimed: a wrong setup is never a delivery try
        LOG.error("reminders not sent: %s", "; ".join(broken))
    while not broken and (stop is None or not stop.is_set()):
        rid = outbox.claim(ctx, who)
        if rid is None:
            break
        outcome = send_one(ctx, rid)
        counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
        _record(ctx, rid, who, outcome)
        LOG.info("reminder %s: %s (%s)", rid, outcome.kind, outcome.detail)
    return Pass(planned=planned.made, skipped=planned.skipped + superseded + counts["skipped"],
                unsure=unsure + counts["unsure"], sent=counts["sent"],
                retried=counts["retry"], failed=counts["failed"])


def send_one(ctx: Context, reminder_id: int) -> Outcome:
    """Check the visit and the consent once more, right before sending, then send. What goes
    wrong before anything was handed to the network is a retry with its reason."""
    try:
        found = letters.load(ctx, reminder_id)
    except letters.LetterProblem as exc:
        return Outcome("retry", str(exc))
    except Exception as exc:  # the kind only: an error's text may quote the patient
        LOG.error("reminder %s: cannot make the reminder (%s)", reminder_id,
                  type(exc).__name__)
        return Outcome("retry", f"cannot make the reminder ({type(exc).__name__})")
    if isinstance(found, str):
        return Outcome("skipped", found)
    try:
        return transport.send(ctx.settings.reminders, found)
    except Exception as exc:  # a bug must not leave the row claimed by a live sender
        # the kind only: an error's text may quote the address
        LOG.error("reminder %s: sending failed unexpectedly (%s)", reminder_id,
                  type(exc).__name__)
        return Outcome("unsure", f"unexpected error while sending ({type(exc).__name__})")


def _record(ctx: Context, rid: int, who: str, outcome: Outcome) -> None:
    """Record the outcome; a busy database is waited for (a message sent must be recorded as
    sent). If it cannot be, the row stays ``sending`` and the next pass makes it unsure."""
    for wait in (0.0, 1.0, 2.0, 5.0, 10.0):
        time.sleep(wait)
        try:
            outbox.record(ctx, rid, who, outcome)
            return
        except Busy:
            continue


def run(ctx: Context, *, stop: threading.Event, once: bool = False) -> Pass:
    """Work the due rows every ``poll_s`` seconds until ``stop`` is set (or once)."""
    total = Pass()
    while not stop.is_set():
        try:
            done = work_due(ctx, stop=stop)
        except Busy:
            done = Pass()
            LOG.warning("database busy; trying again at the next pass")
        except Exception as exc:  # one bad pass never stops the sender; the kind only
            done = Pass()
            LOG.error("reminders pass failed (%s); trying again at the next pass",
                      type(exc).__name__)
        total = Pass(*(a + b for a, b in zip(_astuple(total), _astuple(done), strict=True)))
        if once:
            break
        stop.wait(ctx.settings.reminders.poll_s)
    return total


def _astuple(p: Pass) -> tuple[int, ...]:
    return (p.planned, p.skipped, p.unsure, p.sent, p.retried, p.failed)
