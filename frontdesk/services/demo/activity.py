"""The desk's recent activity: relief-report callbacks, logged calls and payer-rule overrides."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import SQLModel, col, select

from frontdesk.db.models import Appointment, Call, Patient, VisitType, WaitlistEntry
from frontdesk.domain.calls import CallbackKind, CallOutcome, CallReason
from frontdesk.domain.model import Role, Status
from frontdesk.services.demo.content import (
    BOOKING_REASONS,
    FIRST,
    LAST,
    LEVELS,
    OTHER_BOOKING_REASONS,
    OVERRIDE_REASONS,
    OVERRIDE_RULES,
    UNBOOKED_OUTCOMES,
    UNBOOKED_REASONS,
)
from frontdesk.services.demo.practice import HOME_ZIPS, _PracticeBuilder, _weighted

ACTIVITY_DAYS = 21  # calls and payer-rule overrides: only the last three weeks
#: The procedures done months before the demo's weeks (code, about how many days back, how
#: many): each by a patient last seen then, after two diagnostic blocks.
EARLIER = (("rfa", 182, 8), ("facet-therapeutic", 91, 6))
RETURNING = sum(count for _, _, count in EARLIER)


class _ActivityBuilder(_PracticeBuilder):
    """What the desk left around the appointments: callbacks, reports, calls, overrides."""

    def relief_follow_up(self) -> None:
        """Diagnostic blocks as the desk would have left them: a relief-report callback for
        each, done with the patient's report for blocks more than two days ago, still open for
        the recent and upcoming ones."""
        rng = random.Random(self.seed + 7)
        due_after = timedelta(hours=self.ctx.settings.callbacks.relief_report_hours)
        recent = self.now - timedelta(days=2)
        blocks = self.session.exec(
            select(Appointment)
            .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
            .where(VisitType.code == "facet-diagnostic")
            .where(col(Appointment.status).in_(
                [s.value for s in (Status.BOOKED, Status.CONFIRMED, Status.CHECKED_IN,
                                   Status.COMPLETED)]))
        ).all()
        desk = self.staff_ids[Role.RECEPTIONIST]
        tasks: list[dict[str, Any]] = []
        reports: list[dict[str, Any]] = []
        for block in blocks:
            aid, pid, start, status = block.id, block.patient_id, block.starts_at, block.status
            region, levels, side = block.region, block.levels, block.side
            due = start + due_after
            done = status == Status.COMPLETED.value and start < recent
            taken = min(due + timedelta(minutes=rng.uniform(0, 240)), self.now)
            tasks.append({
                "patient_id": pid, "appointment_id": aid, "kind": "relief-report",
                "due_at": due, "created_at": min(start, self.now) - timedelta(days=1),
                "status": "done" if done else "open", "done_at": taken if done else None,
                "done_by_id": desk if done else None, "call_id": None, "note": "",
            })
            if done:
                percent = rng.choice((0, 20, 40, 60, 75, 80, 85, 90, 95))
                hours = 0.0 if percent == 0 else rng.choice((1.0, 2.0, 3.0, 4.0, 6.0))
                before = rng.randint(6, 9)
                reports.append({
                    "patient_id": pid, "appointment_id": aid, "procedure": "facet-diagnostic",
                    "region": region, "levels": levels, "side": side,
                    "percent_relief": percent, "hours_lasted": hours, "scale_before": before,
                    "scale_after": round(before * (100 - percent) / 100), "same_scale": True,
                    "wearing_off": False, "reported_at": taken, "taken_by_id": desk,
                    "call_id": None,
                })
        connection = self.session.connection()
        if tasks:
            connection.execute(insert(SQLModel.metadata.tables["callback_task"]), tasks)
        if reports:
            connection.execute(insert(SQLModel.metadata.tables["relief_report"]), reports)
        self.say(f"Relief reports {len(reports):,}, callbacks {len(tasks):,}")

    def earlier_procedures(self) -> int:
        """A few RFAs and therapeutic injections done about six and three months back, each
        after two diagnostic blocks and with the relief the patient reported, so the recalls
        list has repeats coming due (the demo's own weeks are too short for any). Their own
        random stream: nothing else in the demo changes."""
        rng = random.Random(self.seed + 13)
        desk = self.staff_ids[Role.RECEPTIONIST]
        plan = EARLIER
        visits: list[dict[str, Any]] = []
        reports: list[dict[str, Any]] = []
        returning = self._returning(rng, sum(count for _, _, count in plan))
        for code, days_back, count in plan:
            kind = self.kinds.get(code)
            doers = [w for w in self.providers if code in w.codes]
            if kind is None or not doers:
                continue
            for n in range(count):
                day = self.today - timedelta(days=days_back - 24 + n * 5 + rng.randrange(3))
                while day.weekday() >= 5:
                    day -= timedelta(days=1)
                pid = returning.pop()
                rooms = [(lid, rid) for (lid, rk), ids in self.rooms.items()
                         if rk == kind.room_kind for rid in ids]
                lid, rid = rooms[n % len(rooms)]
                start = datetime.combine(day, time(9 + n % 6), self.zone).astimezone(UTC)
                end = start + kind.duration
                region = _weighted(rng, (("lumbar", 75), ("cervical", 25)))
                side = _weighted(rng, (("bilateral", 60), ("left", 20), ("right", 20)))
                levels = rng.choice(LEVELS[region])
                block = self.kinds.get("facet-diagnostic")
                if block is not None:  # the two blocks the payer wants before
                    for weeks in (5, 3):
                        at = start - timedelta(weeks=weeks)
                        visits.append(_done(pid, block, doers[n % len(doers)].id, lid, rid,
                                            at, region, levels, side, desk))
                        reports.append(_relief(pid, "facet-diagnostic", region, levels,
                                               side, rng.choice((80, 90)), 6.0,
                                               at + timedelta(hours=8), desk))
                visits.append({
                    "patient_id": pid, "visit_type_id": kind.id,
                    "provider_id": doers[n % len(doers)].id, "location_id": lid,
                    "room_id": rid, "starts_at": start, "ends_at": end,
                    "block_start": start - kind.before, "block_end": end + kind.after,
                    "status": Status.COMPLETED.value, "hold_expires_at": None,
                    "region": region, "levels": levels, "side": side, "booked_by_id": desk,
                    "booked_at": start - timedelta(days=21), "cancel_reason": None,
                    "late_cancel": False, "version": 1, "updated_at": end,
                })
                months = 7 if code == "rfa" else 4
                before = rng.randint(6, 8)
                reports.append({
                    "patient_id": pid, "procedure": code, "region": region,
                    "levels": levels, "side": side,
                    "percent_relief": rng.choice((60, 70, 80, 85)),
                    "hours_lasted": float(months * 30 * 24), "scale_before": before,
                    "scale_after": 2, "same_scale": True, "wearing_off": True,
                    "reported_at": min(self.now, start + timedelta(days=months * 30)),
                    "taken_by_id": desk, "call_id": None,
                })
        connection = self.session.connection()
        for visit, report in zip(visits, reports, strict=True):  # one report per visit
            made = connection.execute(insert(SQLModel.metadata.tables["appointment"])
                                      .values(**visit))
            report["appointment_id"] = (made.inserted_primary_key or (None,))[0]
        if reports:
            connection.execute(insert(SQLModel.metadata.tables["relief_report"]), reports)
        self.say(f"Earlier procedures {len(visits):,}")
        return len(visits)

    def waiting_list(self) -> None:
        """A few patients booked weeks ahead who asked for an earlier time (at the same
        location, any day), as the desk would have put them on the waitlist: a cancellation
        in the coming weeks lists them. Their own random stream."""
        rng = random.Random(self.seed + 17)
        soon, later = self.now + timedelta(days=14), self.now + timedelta(days=35)
        ahead = self.session.exec(
            select(Appointment)
            .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
            .where(col(VisitType.code).in_(("new-patient", "follow-up", "facet-diagnostic")))
            .where(col(Appointment.starts_at) >= soon, col(Appointment.starts_at) < later)
            .where(col(Appointment.status).in_([Status.BOOKED.value, Status.CONFIRMED.value]))
            .order_by(col(Appointment.id))).all()
        chosen: dict[int, Appointment] = {}
        for appt in rng.sample(list(ahead), min(len(ahead), 12)):
            chosen.setdefault(appt.patient_id, appt)
        desk = self.staff_ids[Role.RECEPTIONIST]
        rows = [WaitlistEntry(
            patient_id=a.patient_id, visit_type_id=a.visit_type_id, appointment_id=a.id,
            region=a.region, levels=a.levels, side=a.side, location_ids=[a.location_id],
            until=a.starts_at.astimezone(self.zone).date() - timedelta(days=1),
            note="Asked for anything sooner", status="waiting",
            created_at=self.now - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 6)),
            created_by_id=desk) for a in list(chosen.values())[:6]]
        self.session.add_all(rows)
        self.say(f"Waitlist {len(rows):,}")

    def _returning(self, rng: random.Random, count: int) -> list[int]:
        """Patients last seen months ago (the demo's own patients all have visits in its weeks,
        and a follow-up since would be the next step): new records, insured by plans that pay
        for repeats, with the contact details reminders need."""
        taken = set(self.session.exec(select(Patient.phone)).all())
        phones = [n for n in (f"+1539555{k:04d}" for k in range(9999, 200, -1))
                  if n not in taken][:count]
        catalogue = self.ctx.settings.catalogue
        rows = []
        for phone in phones:
            payer = rng.choice(("Medicare", "BlueCross BlueShield of Oklahoma", "Aetna"))
            plan = catalogue.match(payer)
            rows.append(Patient(
                first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
                dob=date(1948, 1, 1) + timedelta(days=rng.randrange(9000)), phone=phone,
                mobile=phone, sms_consent=True, zip=rng.choice(HOME_ZIPS), payer=payer,
                payer_key=plan.key if plan else None,
                created_at=self.now - timedelta(days=400 + rng.randrange(300)),
                preferred_location_id=rng.choice(self.location_ids)))
        self.session.add_all(rows)
        self.session.flush()
        self.counts["patients"] = self.counts.get("patients", 0) + len(rows)
        return [p.id or 0 for p in rows]

    def desk_activity(self) -> None:
        """The desk's last three weeks: a logged call behind most visits the desk booked in them,
        the weekday calls that booked nothing, and a few payer-rule overrides."""
        rng = random.Random(self.seed + 11)
        since = self.now - timedelta(days=ACTIVITY_DAYS)
        desk = [self.staff_ids[Role.RECEPTIONIST], self.staff_ids[Role.SCHEDULER]]
        booked = self.session.exec(
            select(Appointment, VisitType.code)
            .join(VisitType, col(VisitType.id) == Appointment.visit_type_id)
            .where(col(Appointment.booked_at) >= since, col(Appointment.booked_at) < self.now)
            .where(col(Appointment.booked_by_id).in_(desk))
            .where(col(Appointment.status).not_in([Status.HELD.value, Status.EXPIRED.value]))
            .order_by(col(Appointment.id))
        ).all()
        calls: list[dict[str, Any]] = []
        for appt, code in booked:
            if rng.random() < 0.7:
                start, end = _around(rng, appt.booked_at, self.now)
                reason = _weighted(rng, BOOKING_REASONS.get(code, OTHER_BOOKING_REASONS))
                if start >= since:
                    calls.append(_call(appt.booked_by_id, appt.patient_id, start, end, reason,
                                       "booked", appt.id))
        calls += self._unbooked_calls(rng, calls, since)
        calls.sort(key=lambda c: c["started_at"])
        overrides = self._overrides(rng, [(a.id or 0, a.patient_id, a.booked_at, code)
                                          for a, code in booked])
        connection = self.session.connection()
        if calls:
            connection.execute(insert(SQLModel.metadata.tables["call"]), calls)
            self._call_backs(rng)
        if overrides:
            connection.execute(insert(SQLModel.metadata.tables["audit_event"]), overrides)
        self.say(f"Calls {len(calls):,}, payer-rule overrides {len(overrides):,}")

    def _call_backs(self, rng: random.Random) -> None:
        """Each call that ended "Callback scheduled" left its call-back task, as the intake
        screen leaves one: due a couple of hours later, worked by the same person, except
        the last day's, still open (a few of them overdue)."""
        ended = self.session.exec(
            select(Call).where(Call.outcome == CallOutcome.CALLBACK.value)).all()
        recent = self.now - timedelta(days=1)
        tasks: list[dict[str, Any]] = []
        for call in ended:
            call_id, patient_id, staff_id = call.id, call.patient_id, call.staff_id
            ended_at, reason = call.ended_at, call.reason
            if patient_id is None or ended_at is None:
                continue
            ended_at = ended_at.replace(tzinfo=UTC) if ended_at.tzinfo is None else ended_at
            due = ended_at + timedelta(minutes=rng.choice((60, 120, 180)))
            done = ended_at < recent
            tasks.append({
                "patient_id": patient_id, "appointment_id": None,
                "kind": CallbackKind.CALL_BACK.value,
                "due_at": due, "created_at": ended_at, "status": "done" if done else "open",
                "done_at": due + timedelta(minutes=rng.uniform(0, 90)) if done else None,
                "done_by_id": staff_id if done else None, "call_id": call_id,
                "note": CallReason(reason).label if reason else "",
            })
        if tasks:
            self.session.connection().execute(
                insert(SQLModel.metadata.tables["callback_task"]), tasks)

    def _unbooked_calls(self, rng: random.Random, booking: Sequence[dict[str, Any]],
                        since: datetime) -> list[dict[str, Any]]:
        """About a third as many again on each weekday: questions, callbacks, declines."""
        per_day: dict[date, int] = defaultdict(int)
        for row in booking:
            per_day[row["started_at"].astimezone(self.zone).date()] += 1
        desk = [self.staff_ids[Role.RECEPTIONIST]] * 4 + [self.staff_ids[Role.SCHEDULER]]
        first = since.astimezone(self.zone).date()
        days = (first + timedelta(days=n) for n in range(ACTIVITY_DAYS + 1))
        out: list[dict[str, Any]] = []
        for day in (d for d in days if d.weekday() < 5):
            opens = datetime.combine(day, time(8), self.zone).astimezone(UTC)
            for _ in range(int(per_day[day] * 0.35 + rng.random())):
                start = opens + timedelta(seconds=rng.randrange(9 * 3600))
                end = start + timedelta(seconds=rng.randrange(60, 8 * 60 + 1))
                call = _call(rng.choice(desk), rng.choice(self.patient_ids), start, end,
                             _weighted(rng, UNBOOKED_REASONS), _weighted(rng, UNBOOKED_OUTCOMES),
                             None)
                if since <= start and end <= self.now:
                    out.append(call)
        return out

    def _overrides(self, rng: random.Random,
                   booked: Sequence[tuple[int, int, datetime, str]]) -> list[dict[str, Any]]:
        """About 4 % of the procedures booked: a scheduler (now and then the manager) overrode
        a payer rule, audited as the booking service does."""
        procedures = [b for b in booked if b[3] in OVERRIDE_RULES]
        catalogue = self.ctx.settings.catalogue
        payers = {pid: catalogue.resolve(key, text) for pid, key, text in self.session.exec(
            select(Patient.id, Patient.payer_key, Patient.payer)).all()}
        covered = [(b, [rules.label]) for b in procedures
                   if (rules := payers[b[1]].rules) is not None]
        share = 0.04 * len(procedures) / max(len(covered), 1)
        out: list[dict[str, Any]] = []
        for (aid, _, at, code), labels in covered:
            if rng.random() >= share:
                continue
            rule = rng.choice(OVERRIDE_RULES[code])
            role = Role.MANAGER if rng.random() < 0.2 else Role.SCHEDULER
            out.append({
                "at": at, "staff_id": self.staff_ids[role], "action": "payer.override",
                "entity": "appointment", "entity_id": aid,
                "after": {"visit_type": code, "rules": [rule], "payers": labels,
                          "reason": rng.choice(OVERRIDE_REASONS[rule])},
            })
        return sorted(out, key=lambda row: row["at"])


def _around(rng: random.Random, booked_at: datetime,
            now: datetime) -> tuple[datetime, datetime]:
    """The call a booking was made on: a few minutes before it, a minute or few after."""
    start = booked_at - timedelta(minutes=rng.uniform(2, 9))
    end = min(booked_at + timedelta(minutes=rng.uniform(1, 4)), now)
    return start.replace(microsecond=0), end.replace(microsecond=0)


def _call(staff_id: int, patient_id: int, start: datetime, end: datetime, reason: str,
          outcome: str, appointment_id: int | None) -> dict[str, Any]:
    """A closed call row, logged as the intake screen logs one."""
    return {
        "staff_id": staff_id, "patient_id": patient_id, "started_at": start,
        "updated_at": end, "ended_at": end, "status": "closed", "reason": str(reason),
        "answers": {}, "outcome": str(outcome), "note": "", "appointment_id": appointment_id,
        "version": 1,
    }


def _done(pid: int, kind: Any, provider_id: int, lid: int, rid: int, start: datetime,
          region: str, levels: str, side: str, desk: int) -> dict[str, Any]:
    """A completed procedure's appointment row."""
    end = start + kind.duration
    return {"patient_id": pid, "visit_type_id": kind.id, "provider_id": provider_id,
            "location_id": lid, "room_id": rid, "starts_at": start, "ends_at": end,
            "block_start": start - kind.before, "block_end": end + kind.after,
            "status": Status.COMPLETED.value, "hold_expires_at": None, "region": region,
            "levels": levels, "side": side, "booked_by_id": desk,
            "booked_at": start - timedelta(days=14), "cancel_reason": None,
            "late_cancel": False, "version": 1, "updated_at": end}


def _relief(pid: int, procedure: str, region: str, levels: str, side: str, percent: int,
            hours: float, at: datetime, desk: int) -> dict[str, Any]:
    """The relief the patient reported after it."""
    return {"patient_id": pid, "procedure": procedure, "region": region, "levels": levels,
            "side": side, "percent_relief": percent, "hours_lasted": hours,
            "scale_before": 7, "scale_after": round(7 * (100 - percent) / 100),
            "same_scale": True, "wearing_off": True, "reported_at": at, "taken_by_id": desk,
            "call_id": None}
