"""The reminder outbox's rows and their changes: planning, claiming, what came of a try, the
rows whose sender died, and a manager's re-queue. Every change of a row is one transaction
with its delivery-log line and its audit record (no staff for the sender: it acts for the
practice; the real OS user is on the record).

Exactly once: a row is claimed (``sending``, by host:pid) and committed *before* anything goes
out; only the sender that claimed it records what came of it. A row found ``sending`` whose
sender is gone is ``unsure`` — it may or may not have gone out — and is never sent again by
itself: a manager decides (``frontdesk reminders retry``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment, Patient, Reminder, ReminderAttempt
from frontdesk.domain import reminders as r
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.errors import InvalidInput

PROC = Path("/proc")
LIVE = ("booked", "confirmed")


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def me() -> str:
    """Who claims a row: this host and process."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def reach(p: Patient) -> r.Reach:
    return r.Reach(email_consent=p.email_consent, email=p.email.strip(),
                   sms_consent=p.sms_consent, mobile=p.mobile.strip())


def log(session: Session, ctx: Context, row: Reminder, outcome: str, detail: str,
        *, before: str) -> None:
    """The delivery-log line and the audit record of one change of ``row``."""
    now = ctx.now()
    assert row.id is not None
    session.add(ReminderAttempt(reminder_id=row.id, at=now, outcome=outcome,
                                detail=detail[:300]))
    q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=None,
                action=f"reminder.{outcome}", entity="reminder", entity_id=row.id,
                before={"status": before},
                after={"status": row.status, "appointment_id": row.appointment_id,
                       "channel": row.channel, "attempts": row.attempts})


# -- planning --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Planned:
    made: int
    skipped: int


def plan(ctx: Context) -> Planned:
    """Make the missing rows for the visits ahead and skip the rows whose visit moved, was
    cancelled or whose consent was withdrawn: one transaction."""
    return write(ctx, lambda session: plan_rows(session, ctx, ctx.now()))


def plan_rows(session: Session, ctx: Context, now: datetime) -> Planned:
    """``plan`` inside ``session``. Rows are inserted with ON CONFLICT DO NOTHING on the
    outbox's unique key, so two planners at once make each row once and neither fails."""
    settings = ctx.settings.reminders
    skipped = _skip_stale(session, ctx, now)
    made = 0
    horizon = settings.horizon
    if horizon:
        visits = session.exec(
            select(Appointment, Patient)
            .join(Patient, col(Patient.id) == Appointment.patient_id)
            .where(col(Appointment.status).in_(LIVE), col(Appointment.starts_at) > now,
                   col(Appointment.starts_at) <= now + horizon)).all()
        have = _existing(session, [appt.id for appt, _ in visits if appt.id is not None])
        for appt, patient in visits:
            assert appt.id is not None
            for want in r.wanted(settings, starts_at=utc(appt.starts_at), reach=reach(patient),
                                 now=now):
                key = (appt.id, want.channel, want.before_min, want.visit_starts_at)
                found = have.get(key)
                if found is None:  # only what is missing is tried (a planner racing
                    made += _insert(session, ctx, appt.id, want, now)  # us: no conflict)
                elif found[1] == r.SKIPPED:  # wanted again: the visit is back at this time,
                    made += _unskip(session, ctx, found[0], want, now)  # consent given again
    if made or skipped:
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=None,
                    action="reminder.plan", entity="reminder", entity_id=None,
                    after={"made": made, "skipped": skipped})
    return Planned(made, skipped)


Key = tuple[int, str, int, datetime]


def _existing(session: Session, appointment_ids: list[int]) -> dict[Key, tuple[int, str]]:
    """The outbox keys the visits have already, each with its row's id and status."""
    found: dict[Key, tuple[int, str]] = {}
    for start in range(0, len(appointment_ids), 500):
        chunk = appointment_ids[start:start + 500]
        rows = session.exec(select(Reminder)
                            .where(col(Reminder.appointment_id).in_(chunk))).all()
        found.update(((row.appointment_id, row.channel, row.before_min,
                       utc(row.visit_starts_at)), (row.id, row.status))
                     for row in rows if row.id is not None)
    return found


def _unskip(session: Session, ctx: Context, reminder_id: int, want: r.Wanted,
            now: datetime) -> int:
    """A skipped row that is wanted again (the visit moved back to this time, consent was
    given again, the time was set up again) is pending again: it never went out. The UPDATE
    names the status it expects, so a planner racing us turns it back once."""
    done = session.execute(
        update(Reminder).where(col(Reminder.id) == reminder_id,
                               col(Reminder.status) == r.SKIPPED)
        .values(status=r.PENDING, attempts=0, due_at=want.due_at,
                next_try_at=max(want.due_at, now), claimed_at=None, claimed_by="",
                last_error=""))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    row = session.get(Reminder, reminder_id, populate_existing=True)
    assert row is not None
    log(session, ctx, row, "replanned", "wanted again: the visit is at this time again "
                                        "and the patient may be reached", before=r.SKIPPED)
    return 1


def _insert(session: Session, ctx: Context, appointment_id: int, want: r.Wanted,
            now: datetime) -> int:
    values: dict[str, Any] = {
        "appointment_id": appointment_id, "channel": want.channel,
        "before_min": want.before_min, "visit_starts_at": want.visit_starts_at,
        "due_at": want.due_at, "status": r.PENDING, "attempts": 0,
        "next_try_at": max(want.due_at, now), "claimed_by": "", "message_id": "",
        "last_error": "", "created_at": now}
    dialect = postgresql if ctx.dialect == "postgresql" else sqlite
    table = Reminder.__table__  # type: ignore[attr-defined]
    stmt = (dialect.insert(table).values(**values)
            .on_conflict_do_nothing(index_elements=["appointment_id", "channel", "before_min",
                                                    "visit_starts_at"])
            .returning(table.c.id))
    new_id = session.execute(stmt).scalar()
    if new_id is None:
        return 0
    session.execute(update(Reminder).where(col(Reminder.id) == new_id)
                    .values(message_id=message_id(new_id, want.channel, ctx)))
    return 1


def message_id(reminder_id: int, channel: str, ctx: Context) -> str:
    """The same id on every try of one reminder (and a manager's re-send): the Message-ID of an
    email, the Idempotency-Key of an HTTP text, so a provider can drop a repeat."""
    domain = "".join(c for c in ctx.settings.practice_name.lower() if c.isalnum())[:40]
    return f"<reminder-{reminder_id}.{channel}@{domain or 'frontdesk'}.frontdesk>"


def _skip_stale(session: Session, ctx: Context, now: datetime) -> int:
    rows = session.exec(
        select(Reminder, Appointment, Patient)
        .join(Appointment, col(Appointment.id) == Reminder.appointment_id)
        .join(Patient, col(Patient.id) == Appointment.patient_id)
        .where(col(Reminder.status) == r.PENDING)).all()
    settings = ctx.settings.reminders
    skipped = 0
    for row, appt, patient in rows:
        why = r.stale_reason(status=appt.status, starts_at=utc(appt.starts_at),
                             made_for=utc(row.visit_starts_at), reach=reach(patient),
                             channel=row.channel, now=now)
        if why is None and row.before_min not in settings.offsets(row.channel):
            why = "no longer set up: this channel or time was turned off in the settings"
        if why is not None and row.id is not None:
            skipped += skip(session, ctx, row.id, why)
    return skipped


def skip(session: Session, ctx: Context, reminder_id: int, why: str) -> int:
    """Skip the row if it is still pending (read without a lock: a sender may have claimed
    and sent it meanwhile, and that is never overwritten)."""
    done = session.execute(
        update(Reminder).where(col(Reminder.id) == reminder_id,
                               col(Reminder.status) == r.PENDING)
        .values(status=r.SKIPPED, last_error=why[:300]))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    row = session.get(Reminder, reminder_id, populate_existing=True)
    assert row is not None
    log(session, ctx, row, r.SKIPPED, why, before=r.PENDING)
    return 1


# -- claiming and recording ------------------------------------------------------------------

def claim(ctx: Context, claimer: str) -> int | None:
    """Claim one due row for ``claimer``: committed as ``sending`` before anything goes out.
    The UPDATE names the status it expects, so of two senders only one gets the row."""

    def work(session: Session) -> int | None:
        now = ctx.now()
        _skip_superseded(session, ctx, now)
        due = session.exec(
            select(Reminder.id).where(col(Reminder.status) == r.PENDING,
                                      col(Reminder.next_try_at) <= now)
            .order_by(col(Reminder.next_try_at), col(Reminder.id)).limit(10)).all()
        for rid in due:
            done = session.execute(
                update(Reminder)
                .where(col(Reminder.id) == rid, col(Reminder.status) == r.PENDING)
                .values(status=r.SENDING, claimed_at=now, claimed_by=claimer))
            if done.rowcount == 1:  # type: ignore[attr-defined]
                row = session.get(Reminder, rid, populate_existing=True)
                assert row is not None
                q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=None,
                            action="reminder.claim", entity="reminder", entity_id=rid,
                            before={"status": r.PENDING},
                            after={"status": r.SENDING, "by": claimer[:80]})
                return rid
        return None

    return write(ctx, work)


SUPERSEDED = ("a later reminder of this visit is due now or gone out (the sender was not "
              "running): only the later one is sent")


def skip_superseded(ctx: Context) -> int:
    """:func:`_skip_superseded` in a transaction of its own: how many were skipped."""
    return write(ctx, lambda session: _skip_superseded(session, ctx, ctx.now()))


def _skip_superseded(session: Session, ctx: Context, now: datetime) -> int:
    """Skip each due row when a later reminder of the same visit and channel is due too, or
    has gone out (e.g. after a sender outage): the patient never gets two at once."""
    due = session.exec(select(Reminder).where(col(Reminder.status) == r.PENDING,
                                              col(Reminder.next_try_at) <= now)).all()
    if not due:
        return 0
    later = session.exec(
        select(Reminder.appointment_id, Reminder.channel, Reminder.visit_starts_at,
               Reminder.before_min)
        .where(col(Reminder.appointment_id).in_({row.appointment_id for row in due}),
               col(Reminder.due_at) <= now,
               col(Reminder.status).in_((r.PENDING, r.SENDING, r.SENT, r.UNSURE)))).all()
    nearest: dict[tuple[int, str, datetime], int] = {}
    for appt, channel, starts, before in later:
        key = (appt, channel, utc(starts))
        nearest[key] = min(before, nearest.get(key, before))
    skipped = 0
    for row in due:
        closest = nearest.get((row.appointment_id, row.channel, utc(row.visit_starts_at)))
        if row.id is not None and closest is not None and closest < row.before_min:
            skipped += skip(session, ctx, row.id, SUPERSEDED)
    return skipped


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of one try: ``kind`` sent | retry | failed | unsure | skipped | config (the
    setup is wrong: pending again, not counted as a try), and a detail without patient details
    (a server's status line, an exit code, an error's kind)."""

    kind: str
    detail: str = ""


def record(ctx: Context, reminder_id: int, claimer: str, outcome: Outcome) -> bool:
    """Record what came of ``claimer``'s try, if the row is still its own (False: it is not,
    e.g. a manager or another sender marked it meanwhile; nothing written)."""

    def work(session: Session) -> bool:
        row = session.get(Reminder, reminder_id, with_for_update=True)
        if row is None or row.claimed_by != claimer or row.status not in (r.SENDING, r.UNSURE):
            return False
        before, now = row.status, ctx.now()
        settings = ctx.settings.reminders
        kind = outcome.kind
        if kind in (r.SENT, "retry", r.FAILED):
            row.attempts += 1
        if kind == "config":  # the setup is wrong, not the delivery: not a try
            row.status, row.last_error = r.PENDING, outcome.detail[:300]
            row.next_try_at = now + timedelta(minutes=settings.retry_min)
        elif kind == r.SENT:
            row.status, row.sent_at, row.last_error = r.SENT, now, ""
        elif kind == "retry" and row.attempts < settings.max_attempts:
            row.status, row.last_error = r.PENDING, outcome.detail[:300]
            row.next_try_at = now + settings.backoff(row.attempts)
        elif kind in ("retry", r.FAILED):
            kind = r.FAILED
            row.status, row.last_error = r.FAILED, outcome.detail[:300]
        elif kind == r.UNSURE:
            row.status, row.last_error = r.UNSURE, outcome.detail[:300]
        else:
            row.status, row.last_error = r.SKIPPED, outcome.detail[:300]
        if row.status != r.SENDING:
            row.claimed_at, row.claimed_by = None, ""
        session.add(row)
        session.flush()
        log(session, ctx, row, kind, outcome.detail, before=before)
        return True

    return write(ctx, work)


def recover(ctx: Context, *, proc: Path = PROC) -> list[int]:
    """Mark ``unsure`` each row left ``sending`` by a sender that is gone: on this host a
    process that no longer runs, anywhere a claim older than ``claim_timeout_min``. Such a row
    may have gone out already, so it is never sent again by itself."""
    host = socket.gethostname()[:60]

    def work(session: Session) -> list[int]:
        now = ctx.now()
        limit = now - timedelta(minutes=ctx.settings.reminders.claim_timeout_min)
        rows = session.exec(select(Reminder.id, Reminder.claimed_by, Reminder.claimed_at)
                            .where(col(Reminder.status) == r.SENDING)).all()
        marked: list[int] = []
        for rid, claimed_by, claimed_at in rows:
            claimed_host, _, pid_text = claimed_by.rpartition(":")
            here_dead = (claimed_host == host and pid_text.isdigit()
                         and not alive(int(pid_text), proc=proc))
            old = claimed_at is None or utc(claimed_at) < limit
            if rid is None or not (here_dead or old):
                continue
            # read without a lock: the UPDATE names the claim it found, so a sender that
            # recorded its outcome meanwhile (e.g. sent) is never overwritten
            done = session.execute(
                update(Reminder).where(col(Reminder.id) == rid,
                                       col(Reminder.status) == r.SENDING,
                                       col(Reminder.claimed_by) == claimed_by)
                .values(status=r.UNSURE,
                        last_error="sender stopped while sending: it may have gone out; "
                                   "not sent again unless re-queued"))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                continue
            row = session.get(Reminder, rid, populate_existing=True)
            assert row is not None
            log(session, ctx, row, r.UNSURE,
                "sender gone" if here_dead else "claim timed out", before=r.SENDING)
            marked.append(rid)
        return marked

    return write(ctx, work)


def alive(pid: int, *, proc: Path = PROC) -> bool:
    """Whether process ``pid`` runs on this host (a zombie does not)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        state = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def retry(ctx: Context, *, by: str, reminder_id: int) -> None:
    """A manager's re-queue of a ``failed`` or ``unsure`` row: pending again, due now, its
    tries counted afresh. Audited with who asked."""

    def work(session: Session) -> None:
        person = acting(session, by, Permission.REMINDERS)
        row = session.get(Reminder, reminder_id, with_for_update=True)
        if row is None:
            raise InvalidInput("reminder", f"no reminder with id {reminder_id}")
        if row.status not in (r.FAILED, r.UNSURE):
            raise InvalidInput("reminder", f"reminder {reminder_id} is {row.status}: only a "
                                           "failed or unsure one can be re-queued")
        before, now = row.status, ctx.now()
        row.status, row.attempts, row.next_try_at = r.PENDING, 0, now
        row.claimed_at, row.claimed_by = None, ""
        session.add(row)
        session.flush()
        session.add(ReminderAttempt(reminder_id=reminder_id, at=now, outcome="requeued",
                                    detail=f"re-queued from {before} by a manager"))
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=person.id,
                    action="reminder.requeue", entity="reminder", entity_id=reminder_id,
                    before={"status": before},
                    after={"status": r.PENDING, "appointment_id": row.appointment_id,
                           "channel": row.channel})

    write(ctx, work)


def ids(rows: Iterable[Reminder]) -> list[int]:
    return [row.id for row in rows if row.id is not None]
