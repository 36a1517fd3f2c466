"""The appointment generator: template time packed a day at a time, within every booking rule."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import SQLModel

from frontdesk.domain.availability import expand_template, subtract
from frontdesk.domain.model import ClosureSpec, Interval, Role, Status, TemplateSpec
from frontdesk.services.demo.content import CANCEL_REASONS, LEVELS, MIX
from frontdesk.services.demo.practice import _Kind, _PracticeBuilder, _weighted, _Who


class _AppointmentBuilder(_PracticeBuilder):
    """Plans appointment rows for every working day and inserts them in batches."""

    def _work_by_day(self) -> dict[date, list[tuple[int, int, Interval]]]:
        """Template time minus closures, per local day: (provider, location, interval)."""
        out: dict[date, list[tuple[int, int, Interval]]] = defaultdict(list)
        for t in self.templates:
            holes = [Interval(c.start, c.end) for c in self.closures if _applies(c, t)]
            for span in subtract(expand_template(t, self.window), holes):
                if self.window.start <= span.start and span.end <= self.window.end:
                    out[span.start.astimezone(self.zone).date()].append(
                        (t.provider_id, t.location_id, span))
        return out

    def plan(self, fill: float) -> list[dict[str, Any]]:
        """Appointment rows for every working day; deterministic for a seed and fill."""
        planner = _Planner(self, random.Random(self.seed * 7919 + 1), fill)
        work = self._work_by_day()
        rows: list[dict[str, Any]] = []
        for n, day in enumerate(sorted(work)):
            rows.extend(planner.day(day, work[day]))
            if n % 60 == 59:
                self.say(f"Planned {n + 1} days, {len(rows):,} appointments")
        return rows

    def insert(self, rows: Sequence[dict[str, Any]], batch: int = 5000) -> None:
        table = SQLModel.metadata.tables["appointment"]
        connection = self.session.connection()
        for n in range(0, len(rows), batch):
            connection.execute(insert(table), list(rows[n:n + batch]))
            self.say(f"Inserted {min(n + batch, len(rows)):,} of {len(rows):,} appointments")


def _applies(closure: ClosureSpec, template: TemplateSpec) -> bool:
    return (closure.provider_id in (None, template.provider_id)
            and closure.location_id in (None, template.location_id))


OFFICE_CLOSES = time(17, 30)  # the desk books between 08:00 and 17:30


class _Planner:
    """Packs one day at a time: a cursor per provider, an occupancy list per room."""

    def __init__(self, builder: _AppointmentBuilder, rng: random.Random, fill: float) -> None:
        self.b, self.rng, self.fill = builder, rng, fill
        self.step = timedelta(minutes=builder.ctx.settings.booking.slot_step_min)
        self.late = timedelta(hours=builder.ctx.settings.booking.late_cancel_hours)
        self.who = {p.id: p for p in builder.providers}
        self.booker = [builder.staff_ids[Role.RECEPTIONIST]] * 3 + [
            builder.staff_ids[Role.SCHEDULER]] * 2

    def _mix(self, who: _Who, location_id: int) -> tuple[list[_Kind], list[int]]:
        kinds, weights = [], []
        for code, weight in MIX[who.kind].items():
            kind = self.b.kinds[code]
            if code in who.codes and self.b.rooms.get((location_id, kind.room_kind)):
                kinds.append(kind)
                weights.append(weight)
        return kinds, weights

    def day(self, day: date, work: list[tuple[int, int, Interval]]) -> list[dict[str, Any]]:
        ahead = (day - self.b.today).days
        fill = self.fill
        if ahead > 0 and self.b.days_ahead:
            fill *= 1 - 0.35 * ahead / self.b.days_ahead  # the far future is still filling up
        by_provider: dict[int, list[tuple[int, Interval]]] = defaultdict(list)
        for pid, lid, span in work:
            by_provider[pid].append((lid, span))
        order = sorted(by_provider)
        self.rng.shuffle(order)
        rooms: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        seen: set[int] = set()
        rows: list[dict[str, Any]] = []
        for pid in order:
            free_at = self.b.window.start
            for lid, span in sorted(by_provider[pid], key=lambda x: x[1].start):
                kinds, weights = self._mix(self.who[pid], lid)
                if not kinds:
                    continue
                place = self._place_rate(kinds, weights, fill)
                cursor = span.start
                while cursor < span.end:
                    if self.rng.random() >= place:
                        cursor += self.step
                        continue
                    kind = self.rng.choices(kinds, weights=weights)[0]
                    start = cursor
                    while start - kind.before < free_at:
                        start += self.step
                    end = start + kind.duration
                    if end > span.end:
                        cursor += self.step
                        continue
                    room = self._room(rooms, lid, kind, start - kind.before, end + kind.after)
                    if room is None:
                        cursor += self.step
                        continue
                    free_at = end + kind.after
                    rows.append(self._row(pid, lid, room, kind, start, seen))
                    cursor = start + kind.duration + kind.after
                    cursor += (span.start - cursor) % self.step
        return rows

    def _place_rate(self, kinds: Sequence[_Kind], weights: Sequence[int], fill: float) -> float:
        """Chance to start a visit at a free step so that about ``fill`` of the time is blocked.

        Visits occupy whole slot steps (a 20-minute visit on a 15-minute grid takes 30) and the
        end of a block often cannot hold the next visit (measured: about 12 % lost), so the
        target is first scaled up to the share of steps that must be taken.
        """
        minute = timedelta(minutes=1)
        total = sum(weights)
        raw = sum(w * (k.before + k.duration + k.after) / minute
                  for k, w in zip(kinds, weights, strict=True)) / total
        footprint = sum(w * _span(k, self.step) / minute
                        for k, w in zip(kinds, weights, strict=True)) / total
        share = min(0.97, fill * footprint / raw / 0.88)
        step = self.step / minute
        return share * step / (share * step + (1 - share) * footprint)

    def _room(self, rooms: dict[int, list[tuple[datetime, datetime]]], lid: int, kind: _Kind,
              start: datetime, end: datetime) -> int | None:
        for rid in self.b.rooms[lid, kind.room_kind]:
            taken = rooms[rid]
            if all(e <= start or end <= s for s, e in taken):
                taken.append((start, end))
                return rid
        return None

    def _patient(self, lid: int, seen: set[int]) -> int:
        """Mostly someone who prefers this location; never one patient twice in a day."""
        local = self.b.patients_at.get(lid) or self.b.patient_ids
        pid = 0
        for attempt in range(12):
            pool = local if attempt < 8 and self.rng.random() < 0.8 else self.b.patient_ids
            pid = self.rng.choice(pool)
            if pid not in seen:
                break
        seen.add(pid)
        return pid

    def _row(self, pid: int, lid: int, rid: int, kind: _Kind, start: datetime,
             seen: set[int]) -> dict[str, Any]:
        rng, now = self.rng, self.b.now
        end = start + kind.duration
        booked_at = start - timedelta(days=rng.uniform(1, 45))
        if booked_at >= now:  # spread over the weeks before now, not piled up just before it
            booked_at = now - timedelta(days=45) * rng.uniform(0.002, 1)
        booked_at = self._office_hours(booked_at.replace(microsecond=0), min(start, now))
        status, updated, reason = self._status(start, end, booked_at)
        updated = updated.replace(microsecond=0)
        late = reason is not None and start - updated < self.late
        region = levels = side = None
        if kind.is_procedure:
            region = _weighted(rng, (("lumbar", 70), ("cervical", 22), ("thoracic", 8)))
            if kind.code != "trigger-point":
                levels = rng.choice(LEVELS[region])
            side = _weighted(rng, (("bilateral", 50), ("left", 25), ("right", 25)))
        return {
            "patient_id": self._patient(lid, seen), "visit_type_id": kind.id,
            "provider_id": pid, "location_id": lid, "room_id": rid,
            "starts_at": start, "ends_at": end, "block_start": start - kind.before,
            "block_end": end + kind.after, "status": status.value, "hold_expires_at": None,
            "region": region, "levels": levels, "side": side,
            "booked_by_id": rng.choice(self.booker), "booked_at": booked_at,
            "cancel_reason": reason, "late_cancel": late, "version": 1, "updated_at": updated,
        }

    def _office_hours(self, moment: datetime, before: datetime) -> datetime:
        """The moment squeezed into its day's desk hours (08:00-17:30 local; a Saturday's into
        Friday's, a Sunday's into Monday's), keeping its order within the day, without another
        draw, and always before ``before`` (a day not open yet by then gives the weekday
        before it)."""
        zone = self.b.zone
        local = moment.astimezone(zone)
        day = local.date() + timedelta(days={5: -1, 6: 1}.get(local.weekday(), 0))
        for _ in range(4):
            opens = datetime.combine(day, time(8), zone).astimezone(UTC)
            closes = min(datetime.combine(day, OFFICE_CLOSES, zone).astimezone(UTC), before)
            if opens < closes:
                share = (local.hour * 3600 + local.minute * 60 + local.second) / 86400
                return (opens + (closes - opens) * share).replace(microsecond=0)
            day -= timedelta(days=3 if day.weekday() == 0 else 1)
        return min(moment, before - timedelta(minutes=10))

    def _status(self, start: datetime, end: datetime,
                booked_at: datetime) -> tuple[Status, datetime, str | None]:
        """A realistic status for the visit's place in time, with when it last changed."""
        rng, now = self.rng, self.b.now
        roll = rng.random()
        cancel_rate = 0.08 if start < now else 0.05
        if roll < cancel_rate:
            latest = min(now, start) - timedelta(minutes=1)
            if rng.random() < 0.35 and start - self.late < latest:
                at = start - timedelta(hours=rng.uniform(1, self.late.total_seconds() / 3600))
            else:
                at = booked_at + (latest - booked_at) * rng.random()
            at = min(max(at, booked_at + timedelta(minutes=1)), latest)
            return Status.CANCELLED, at, rng.choice(CANCEL_REASONS)
        if end <= now:
            if roll < cancel_rate + 0.05:
                return Status.NO_SHOW, min(end + timedelta(minutes=30), now), None
            return Status.COMPLETED, min(end + timedelta(minutes=rng.uniform(2, 20)), now), None
        if start <= now or (start - now < timedelta(minutes=30) and roll < 0.55):
            return Status.CHECKED_IN, min(start - timedelta(minutes=rng.uniform(3, 25)), now), None
        soon = start - now < timedelta(days=3)
        if rng.random() < (0.7 if soon else 0.12):
            confirmed = max(booked_at, min(now, start - timedelta(days=rng.uniform(0.2, 2.5))))
            return Status.CONFIRMED, confirmed, None
        return Status.BOOKED, booked_at, None


def _span(kind: _Kind, step: timedelta) -> timedelta:
    """A visit's footprint on the provider's day, rounded up to whole slot steps."""
    length = kind.before + kind.duration + kind.after
    return step * -(-length // step)
