"""The database itself refuses double-booking: races between processes, the backstop, crashes."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from frontdesk.db.engine import OverlapError, make_engine, run_write
from frontdesk.db.models import Appointment
from frontdesk.domain.model import BLOCKING_STATUSES, Status
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from tests.db import workers
from tests.practice import SEEN_VISITS, Practice, build_practice

RACERS = 8
TRIALS = 50


def spaced_slots(ctx: Context, practice: Practice, count: int, gap_min: int) -> list[datetime]:
    """``count`` diagnostic-injection starts for Dr. Able, at least ``gap_min`` apart."""
    slots = scheduling.find_slots(ctx, visit_type="facet-diagnostic", provider_ids=[practice.able],
                                  limit=2000, days=120)
    chosen: list[datetime] = []
    for slot in slots:
        if not chosen or slot.start - chosen[-1] >= timedelta(minutes=gap_min):
            chosen.append(slot.start)
        if len(chosen) == count:
            return chosen
    raise AssertionError("not enough free slots for the race")


def overlapping_pairs(ctx: Context) -> list[tuple[int, int]]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(Appointment).where(
            Appointment.status.in_([s.value for s in BLOCKING_STATUSES])  # type: ignore[attr-defined]
        )).all()
    pairs = []
    by_key: dict[tuple[str, int], list[Appointment]] = defaultdict(list)
    for row in rows:
        by_key[("provider", row.provider_id)].append(row)
        by_key[("room", row.room_id)].append(row)
    for group in by_key.values():
        group.sort(key=lambda a: a.block_start)
        for a, b in zip(group, group[1:], strict=False):
            if b.block_start < a.block_end:
                pairs.append((a.id or 0, b.id or 0))
    return pairs


@pytest.mark.slow
def test_eight_processes_race_for_one_slot_exactly_one_wins(ctx: Context) -> None:
    practice = build_practice(ctx)
    ctx = Context(engine=ctx.engine, clock=lambda: workers.FROZEN_NOW)
    starts = [s.isoformat() for s in spaced_slots(ctx, practice, TRIALS, gap_min=60)]
    url = ctx.engine.url.render_as_string(hide_password=False)
    ctx.engine.dispose()
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(RACERS)
    results = spawn.Queue()
    patients = [practice.patient_id, practice.other_patient_id]
    procs = [
        spawn.Process(target=workers.race, args=(url, patients[i % 2], practice.able,
                                                 practice.location_id, starts, barrier, results))
        for i in range(RACERS)
    ]
    for p in procs:
        p.start()
    outcomes: dict[int, list[str]] = defaultdict(list)
    errors = []
    for _ in range(RACERS * TRIALS):
        trial, outcome, detail = results.get(timeout=120)
        outcomes[trial].append(outcome)
        if outcome == "error":
            errors.append(detail)
    for p in procs:
        p.join(timeout=60)
    assert errors == []
    assert len(outcomes) == TRIALS
    for trial, got in outcomes.items():
        assert got.count("won") == 1, f"trial {trial}: {got}"
        assert got.count("taken") == RACERS - 1, f"trial {trial}: {got}"
    with Session(ctx.engine) as session:
        booked = session.exec(select(Appointment)).all()
    assert len(booked) == SEEN_VISITS + TRIALS
    assert overlapping_pairs(ctx) == []


def _raw_insert(ctx: Context, practice: Practice, start: datetime, *, room: int | None = None,
                status: Status = Status.BOOKED, provider: int | None = None) -> None:
    def work(session: Session) -> None:
        session.add(Appointment(
            patient_id=practice.patient_id, visit_type_id=1,
            provider_id=provider or practice.able, location_id=practice.location_id,
            room_id=room or practice.procedure_room, starts_at=start,
            ends_at=start + timedelta(minutes=30), block_start=start,
            block_end=start + timedelta(minutes=30), status=status.value, booked_by_id=1,
            booked_at=start, updated_at=start,
        ))
        session.flush()

    run_write(ctx.engine, work)


START = datetime(2027, 3, 11, 15, 0, tzinfo=UTC)


def test_database_refuses_a_provider_overlap_that_bypasses_the_services(
    ctx: Context, practice: Practice
) -> None:
    _raw_insert(ctx, practice, START)
    with pytest.raises(OverlapError):
        _raw_insert(ctx, practice, START + timedelta(minutes=15),
                    room=practice.exam_rooms[0])


def test_database_refuses_a_room_overlap_that_bypasses_the_services(
    ctx: Context, practice: Practice
) -> None:
    _raw_insert(ctx, practice, START)
    with pytest.raises(OverlapError):
        _raw_insert(ctx, practice, START + timedelta(minutes=15), provider=practice.baker)


def test_database_allows_back_to_back_and_cancelled_overlaps(
    ctx: Context, practice: Practice
) -> None:
    _raw_insert(ctx, practice, START)
    _raw_insert(ctx, practice, START + timedelta(minutes=30))  # touching is not overlapping
    _raw_insert(ctx, practice, START, status=Status.CANCELLED)
    _raw_insert(ctx, practice, START, status=Status.NO_SHOW)


def test_database_refuses_moving_onto_another_appointment(
    ctx: Context, practice: Practice
) -> None:
    _raw_insert(ctx, practice, START)
    _raw_insert(ctx, practice, START + timedelta(hours=2))
    with pytest.raises((OverlapError, IntegrityError)), ctx.engine.begin() as conn:
        conn.execute(text(
            "UPDATE appointment SET block_start = :s, block_end = :e "
            "WHERE id = (SELECT max(id) FROM appointment)"
        ), {"s": START + timedelta(minutes=10), "e": START + timedelta(minutes=40)})


@pytest.mark.slow
def test_every_confirmed_booking_survives_sigkill(ctx: Context) -> None:
    practice = build_practice(ctx)
    ctx = Context(engine=ctx.engine, clock=lambda: workers.FROZEN_NOW)
    slots = scheduling.find_slots(ctx, visit_type="follow-up", provider_ids=[practice.baker],
                                  limit=400, days=60)
    starts: list[str] = []
    for slot in slots:  # follow-ups are 20 minutes on a 15-minute grid: keep 30 apart
        if not starts or slot.start - datetime.fromisoformat(starts[-1]) >= timedelta(minutes=30):
            starts.append(slot.start.isoformat())
    url = ctx.engine.url.render_as_string(hide_password=False)
    spawn = multiprocessing.get_context("spawn")
    receive, send = spawn.Pipe(duplex=False)
    proc = spawn.Process(target=workers.book_forever, args=(
        url, practice.patient_id, practice.baker, practice.location_id, starts, send))
    proc.start()
    confirmed = [receive.recv() for _ in range(25)]
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=30)
    while receive.poll(0.2):
        confirmed.append(receive.recv())
    assert proc.exitcode == -signal.SIGKILL
    fresh = make_engine(url)
    with Session(fresh) as session:
        stored = set(session.exec(select(Appointment.id)).all())
    fresh.dispose()
    missing = [i for i in confirmed if i not in stored]
    assert missing == []
    assert len(confirmed) >= 25
