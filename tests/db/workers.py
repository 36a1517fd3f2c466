"""Code that runs in child processes for the race and crash tests (imported by 'spawn')."""

from __future__ import annotations

from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from typing import Any

from frontdesk.db.engine import make_engine
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import SlotTaken

FROZEN_NOW = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)


def race(url: str, patient_id: int, provider_id: int, location_id: int, starts: list[str],
         barrier: Barrier, results: Any) -> None:
    """Book every start in turn, all racers released together by the barrier per trial."""
    engine = make_engine(url)
    ctx = Context(engine=engine, clock=lambda: FROZEN_NOW)
    for trial, start in enumerate(starts):
        barrier.wait(timeout=60)
        try:
            appt = scheduling.book(
                ctx, staff="desk", patient_id=patient_id, visit_type="facet-diagnostic",
                provider_id=provider_id, location_id=location_id,
                start=datetime.fromisoformat(start), region="lumbar", levels="L4-L5",
                side="left", accept_warnings=scheduling.WARNING_CODES,  # a block every hour
            )
            results.put((trial, "won", appt.id))
        except SlotTaken as taken:
            results.put((trial, "taken", len(taken.alternatives)))
        except Exception as exc:  # reported to the parent, which fails the test
            results.put((trial, "error", f"{type(exc).__name__}: {exc}"))
    engine.dispose()


def book_forever(url: str, patient_id: int, provider_id: int, location_id: int,
                 starts: list[str], confirmed: Any) -> None:
    """Book one start after another, reporting each id only after book() has returned."""
    engine = make_engine(url)
    ctx = Context(engine=engine, clock=lambda: FROZEN_NOW)
    for start in starts:
        appt = scheduling.book(
            ctx, staff="desk", patient_id=patient_id, visit_type="follow-up",
            provider_id=provider_id, location_id=location_id,
            start=datetime.fromisoformat(start),
            accept_warnings=scheduling.WARNING_CODES,  # one patient's many visits, on purpose
        )
        confirmed.send(appt.id)
