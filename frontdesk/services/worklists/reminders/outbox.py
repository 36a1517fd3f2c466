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
                if key not in have:  # only what is missing is tried (a planner racing
                    made += _insert(session, ctx, appt.id, want, now)  # us: no conflict)
    if made or skipped:
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=None,
                    action="reminder.plan", entity="reminder", entity_id=None,
                    after={"made": made, "skipped": skipped})
    return Planned(made, skipped)


def _existing(session: Session, appointment_ids: list[int]
              ) -> set[tuple[int, str, int, datetime]]:
    """The outbox keys the visits have already (whatever their status)."""
    found: set[tuple[int, str, int, datetime]] = set()
    for start in range(0, len(appointment_ids), 500):
        chunk = appointment_ids[start:start + 500]
        rows = session.exec(select(Reminder.appointment_id, Reminder.channel,
                                   Reminder.before_min, Reminder.visit_starts_at)
                            .where(col(Reminder.appointment_id).in_(chunk))).all()
        found.update((a, c, b, utc(s)) for a, c, b, s in rows)
    return found


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
    skipped = 0
    for row, appt, patient in rows:
        why = r.stale_reason(status=appt.status, starts_at=utc(appt.starts_at),
                             made_for=utc(row.visit_starts_at), reach=reach(patient),
                             channel=row.channel, now=now)
        if why is not None:
            row.status = r.SKIPPED
            row.last_error = why
            session.add(row)
            session.flush()
            log(session, ctx, row, r.SKIPPED, why, before=r.PENDING)
            skipped += 1
    return skipped


# -- claiming and recording ------------------------------------------------------------------

def claim(ctx: Context, claimer: str) -> int | None:
    """Claim one due row for ``claimer``: committed as ``sending`` before anything goes out.
    The UPDATE names the status it expects, so of two senders only one gets the row."""

    def work(session: Session) -> int | None:
        now = ctx.now()
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


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of one try: ``kind`` sent | retry | failed | unsure | skipped, and a detail
    without patient details (a server's status line, an exit code, an error's kind)."""

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
        if kind == r.SENT:
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
        rows = session.exec(select(Reminder).where(col(Reminder.status) == r.SENDING)).all()
        marked: list[int] = []
        for row in rows:
            claimed_host, _, pid_text = row.claimed_by.rpartition(":")
            here_dead = (claimed_host == host and pid_text.isdigit()
                         and not alive(int(pid_text), proc=proc))
            old = row.claimed_at is None or utc(row.claimed_at) < limit
            if not (here_dead or old):
                continue
            row.status = r.UNSURE
            row.last_error = ("sender stopped while sending: it may have gone out; "
                              "not sent again unless re-queued")
            session.add(row)
            session.flush()
            assert row.id is not None
            log(session, ctx, row, r.UNSURE,
                "sender gone" if here_dead else "claim timed out", before=r.SENDING)
            marked.append(row.id)
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
