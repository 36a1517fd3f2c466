"""UI fixtures: the tiny practice with a few bookings, and helpers to wait for the board."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time

import pytest
from sqlmodel import Session
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.worker import WorkerCancelled

from frontdesk.db.engine import run_write
from frontdesk.db.models import Location, Room, Template
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.calendar.board.table import DayTable
from tests.practice import CHICAGO, PROCEDURES, SPINE, Practice, build_practice

TEN = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)  # Wed 10 Mar 2027 10:00 in Tulsa
THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)


@pytest.fixture
def practice(sqlite_ctx: Context) -> Practice:
    """The tiny practice on SQLite only (the storage tests cover PostgreSQL)."""
    return build_practice(sqlite_ctx)


def book(ctx: Context, p: Practice, *, patient: int, visit: str, provider: int,
         start: datetime, location: int | None = None) -> AppointmentView:
    """Book the first free slot at or after ``start`` (found the way a receptionist would)."""
    where = location or p.location_id
    slot = scheduling.find_slots(ctx, visit_type=visit, start=start, provider_ids=[provider],
                                 location_ids=[where], limit=1)[0]
    details = SPINE if visit in PROCEDURES else {}
    return scheduling.book(ctx, staff=p.staff, patient_id=patient, visit_type=visit,
                           provider_id=provider, location_id=where, start=slot.start,
                           accept_warnings=scheduling.WARNING_CODES,  # a test's setting-up
                           **details)  # type: ignore[arg-type]


@pytest.fixture
def booked(sqlite_ctx: Context, practice: Practice) -> list[AppointmentView]:
    """Wednesday: Testcase (facet block, Dr. Able) and Sample (follow-up, Baker) at 10:00."""
    return [
        book(sqlite_ctx, practice, patient=practice.patient_id, visit="facet-diagnostic",
             provider=practice.able, start=TEN),
        book(sqlite_ctx, practice, patient=practice.other_patient_id, visit="follow-up",
             provider=practice.baker, start=TEN),
    ]


def add_location(ctx: Context, p: Practice, name: str) -> int:
    """A second clinic where Pat Baker sees patients every weekday."""

    def work(session: Session) -> int:
        loc = Location(name=name, address="2 Test Way, Owasso, OK 74055",
                       phone="+19185550200", timezone=CHICAGO)
        session.add(loc)
        session.flush()
        assert loc.id is not None
        session.add(Room(location_id=loc.id, name="Exam A", kind="exam"))
        session.add(Template(provider_id=p.baker, location_id=loc.id,
                             rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", timezone=CHICAGO,
                             start_time=time(17), end_time=time(18),
                             valid_from=datetime(2026, 1, 1, tzinfo=UTC).date()))
        return loc.id

    return run_write(ctx.engine, work)


async def settled(pilot: Pilot[None]) -> TodayScreen:
    """Wait, bounded, until the board shows the day and location it names."""
    for _ in range(200):
        with contextlib.suppress(WorkerCancelled):  # a newer read replaced one (exclusive)
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, TodayScreen) and screen.up_to_date:
            return screen
    raise AssertionError("the board never showed the requested day")


def shown(screen: TodayScreen) -> list[dict[str, str]]:
    """The board's rows as plain text, by column key."""
    table = screen.query_one(DayTable)
    keys = [str(k.value) for k in table.columns]
    return [
        {key: cell.plain for key, cell in zip(keys, table.get_row_at(i), strict=True)}
        for i in range(table.row_count)
    ]


def text_of(screen: Screen[None], selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def choose_visit_type(pilot: Pilot[None], code: str | None) -> None:
    """Press v and pick ``code`` (None: all visit types) in the visit-type filter."""
    from frontdesk.ui.calendar.visit_filter import VisitFilter

    await pilot.press("v")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, VisitFilter)
    codes = [None, *(v.code for v in picker.visit_types)]
    assert len(codes) == 10  # every visit type is offered
    picker.query_one(OptionList).highlighted = codes.index(code)
    await pilot.press("enter")
    await pilot.pause()
