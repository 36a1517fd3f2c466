"""Calendar screens on the big database, measured in a headless Textual app at 160x50.

(d) The day view of the busiest location: press → (next day) and time, in CPU of the whole
process (``time.process_time``: the event loop *and* the worker thread that reads the day),
from the key press until the grid has been repainted with the new day. Repeated over
consecutive days. The pieces are timed apart so a regression can be located: the read
(``Backend.load_grid``), the layout (``CalendarGrid.show``: rows, columns, cells) and drawing every
line (``CalendarGrid.render_line``).

(e) The week view: from pushing ``WeekViewScreen`` until its first paint of real data, for the
busiest location and for the busiest provider (the screen's provider mode), wall and CPU.

"Repainted" is observed, not assumed: the grid widget's drawing method (``render_line`` for the
day grid, which uses the Line API; ``render`` for the week grid) is wrapped for the run,
and once it has drawn the wanted day or week the probe asks for a callback *after the next
refresh* (``call_after_refresh``), i.e. once the screen has no dirty widgets left. The clock
stops there. Keys are posted to the app the way the driver posts them; nothing polls while a
sample runs, so the CPU figure is the app's own.

    .venv/bin/python -m bench.ui [--days 60] [--opens 20]     # only (d) and (e)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget

from bench import bigdb
from bench.figures import Figure
from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment
from frontdesk.domain.model import Status
from frontdesk.domain.settings import Settings
from frontdesk.services import directory
from frontdesk.ui.app import styles_path
from frontdesk.ui.backend.door import Backend, open_backend
from frontdesk.ui.calendar.day.grid import CalendarGrid
from frontdesk.ui.calendar.day.screen import DayViewScreen
from frontdesk.ui.calendar.week.grid import WeekGridView
from frontdesk.ui.calendar.week.layout import Mode
from frontdesk.ui.calendar.week.screen import WeekViewScreen
from frontdesk.ui.start import freeze_startup_objects

SIZE = (160, 50)
QUIET = 3600.0  # poll_seconds: no background reread lands inside a sample
WARM = 3  # unrecorded steps / opens first (compiled statements, rrule caches)
TIMEOUT = 30.0


@dataclass(frozen=True)
class Subjects:
    """The busiest location and provider over the days the benchmark steps through."""

    location_id: int
    location_name: str
    location_visits: int
    provider_id: int
    provider_name: str
    provider_visits: int


@dataclass
class Sample:
    cpu_ms: float
    wall_ms: float


class Host(App[None]):
    """The frontdesk style sheet on a blank base screen: no board polling underneath."""

    CSS_PATH = styles_path()


class PaintProbe:
    """Stamps process CPU and wall time once a wanted frame has been painted."""

    def __init__(self) -> None:
        self._want: Callable[[Widget], bool] | None = None
        self._painted = asyncio.Event()
        self.cpu = self.wall = 0.0

    def expect(self, wanted: Callable[[Widget], bool]) -> None:
        self._painted.clear()
        self._want = wanted

    def rendered(self, widget: Widget) -> None:
        """Called after every draw of a watched widget."""
        if self._want is not None and self._want(widget):
            self._want = None
            widget.call_after_refresh(self._stamp)

    def _stamp(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        self._painted.set()

    async def wait(self) -> None:
        await asyncio.wait_for(self._painted.wait(), TIMEOUT)


@contextmanager
def watching(probe: PaintProbe, *classes: type[Widget]) -> Iterator[None]:
    """Wrap the drawing method of the widget classes (``render_line`` where the class draws
    line by line, else ``render``) for the benchmark's process only."""
    names = {cls: "render_line" if "render_line" in vars(cls) else "render" for cls in classes}
    originals = {cls: getattr(cls, name) for cls, name in names.items()}

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def draw(self: Widget, *args: Any) -> Any:
            result = original(self, *args)
            probe.rendered(self)
            return result

        return draw

    try:
        for cls, original in originals.items():
            setattr(cls, names[cls], wrap(original))
        yield
    finally:
        for cls, original in originals.items():
            setattr(cls, names[cls], original)


def frozen_clock(big: bigdb.BigDb) -> Callable[[], datetime]:
    now = datetime.combine(big.today, clock_time(9), bigdb.ZONE).astimezone(UTC)
    return lambda: now


def busiest(backend: Backend, first: date, days: int) -> Subjects:
    """By visits not cancelled, starting on ``first`` and the ``days`` after it."""
    start = datetime.combine(first, clock_time(), bigdb.ZONE)
    end = datetime.combine(first + timedelta(days=days + 1), clock_time(), bigdb.ZONE)
    alive = col(Appointment.status).not_in([Status.CANCELLED.value, Status.EXPIRED.value])
    span = (col(Appointment.starts_at) >= start, col(Appointment.starts_at) < end, alive)
    with read_session(backend.ctx.engine) as session:
        places = session.exec(
            select(Appointment.location_id, func.count()).where(*span)
            .group_by(col(Appointment.location_id)).order_by(func.count().desc())).all()
        people = session.exec(
            select(Appointment.provider_id, func.count()).where(*span)
            .group_by(col(Appointment.provider_id)).order_by(func.count().desc())).all()
    location_id, location_visits = places[0]
    provider_id, provider_visits = people[0]
    location = next(p for p in directory.locations(backend.ctx) if p.id == location_id)
    provider = next(p for p in directory.providers(backend.ctx) if p.id == provider_id)
    return Subjects(location_id, location.name, int(location_visits),
                    provider_id, provider.name, int(provider_visits))


# --------------------------------------------------------------------------- (d) next day


async def _step_days(pilot: Pilot[None], probe: PaintProbe, backend: Backend, where: int,
                     first: date, days: int) -> list[Sample]:
    app = pilot.app
    screen = DayViewScreen(backend, day=first - timedelta(days=WARM), location_id=where,
                           poll_seconds=QUIET)
    probe.expect(lambda w: isinstance(w, CalendarGrid) and screen.up_to_date)
    app.push_screen(screen)
    await probe.wait()
    samples = []
    for step in range(WARM + days):
        target = screen.day + timedelta(days=1)
        probe.expect(lambda w, day=target: (  # type: ignore[misc]
            isinstance(w, CalendarGrid) and w.grid is not None and w.grid.day == day
            and screen.up_to_date))
        await asyncio.sleep(0.02)  # let the previous frame's stragglers settle
        cpu, wall = time.process_time(), time.perf_counter()
        key = events.Key("right", None)
        key.set_sender(app)
        app.post_message(key)
        await probe.wait()
        if screen.day != target or screen.board is None:
            raise RuntimeError(f"the day view did not move to {target}")
        if step >= WARM:
            samples.append(Sample((probe.cpu - cpu) * 1000, (probe.wall - wall) * 1000))
    return samples


async def _pieces(pilot: Pilot[None], backend: Backend, where: int, first: date,
                  days: int) -> tuple[list[float], list[float], list[float]]:
    """load_grid, CalendarGrid.show (layout) and its lines, CPU each, on the event loop."""
    screen = pilot.app.screen
    assert isinstance(screen, DayViewScreen)
    grid = screen.query_one(CalendarGrid)
    now = backend.ctx.now()
    load, layout, render = [], [], []
    for offset in range(-WARM, days):
        day = first + timedelta(days=offset)
        cpu = time.process_time()
        board = backend.load_grid(day, where)
        loaded = time.process_time()
        grid.show(board.grid, now)
        shown = time.process_time()
        for y in range(grid.size.height):
            grid.render_line(y)
        drawn = time.process_time()
        if offset >= 0:
            load.append((loaded - cpu) * 1000)
            layout.append((shown - loaded) * 1000)
            render.append((drawn - shown) * 1000)
        await pilot.pause(0.01)  # let the posted Highlighted messages drain
    return load, layout, render


# --------------------------------------------------------------------------- (e) week view


def _week_painted(holder: list[WeekViewScreen]) -> Callable[[Widget], bool]:
    """The week grid has drawn a read week, the one its screen names."""
    return lambda w: (isinstance(w, WeekGridView) and w.grid is not None
                      and bool(holder) and holder[0].up_to_date)


async def _open_weeks(pilot: Pilot[None], probe: PaintProbe, backend: Backend, *, mode: Mode,
                      subject: int, opens: int) -> list[Sample]:
    app = pilot.app
    samples = []
    for run in range(WARM + opens):
        await pilot.pause(0.05)
        holder: list[WeekViewScreen] = []
        probe.expect(_week_painted(holder))
        cpu, wall = time.process_time(), time.perf_counter()
        if mode is Mode.LOCATION:
            screen = WeekViewScreen(backend, location_id=subject, poll_seconds=QUIET)
        else:
            screen = WeekViewScreen(backend, mode=Mode.PROVIDER, subject=subject,
                                    poll_seconds=QUIET)
        holder.append(screen)
        app.push_screen(screen)
        await probe.wait()
        board = screen.board
        if board is None or board.grid is None or board.subject != subject:
            raise RuntimeError("the week view painted something else than asked")
        if run >= WARM:
            samples.append(Sample((probe.cpu - cpu) * 1000, (probe.wall - wall) * 1000))
        await app.pop_screen()
    return samples


# --------------------------------------------------------------------------- driver


@dataclass(frozen=True)
class Results:
    subjects: Subjects
    first: date
    steps: list[Sample]
    load: list[float]
    layout: list[float]
    render: list[float]
    week_location: list[Sample]
    week_provider: list[Sample]


async def _measure(backend: Backend, subjects: Subjects, first: date, *, days: int,
                   opens: int) -> Results:
    probe = PaintProbe()
    with watching(probe, CalendarGrid, WeekGridView):
        async with Host().run_test(size=SIZE) as pilot:
            freeze_startup_objects()  # as FrontDeskApp does once the database is open
            steps = await _step_days(pilot, probe, backend, subjects.location_id, first, days)
            load, layout, render = await _pieces(pilot, backend, subjects.location_id,
                                                 first + timedelta(days=1), days)
            await pilot.app.pop_screen()
            by_place = await _open_weeks(pilot, probe, backend, mode=Mode.LOCATION,
                                         subject=subjects.location_id, opens=opens)
            by_person = await _open_weeks(pilot, probe, backend, mode=Mode.PROVIDER,
                                          subject=subjects.provider_id, opens=opens)
    return Results(subjects, first, steps, load, layout, render, by_place, by_person)


def measure(big: bigdb.BigDb, *, days: int, opens: int) -> Results:
    opened = open_backend(str(big.path), clock=frozen_clock(big), settings=Settings())
    if opened.backend is None:
        raise RuntimeError(opened.error)
    backend = opened.backend
    try:
        first = backend.today()
        subjects = busiest(backend, first, days)
        return asyncio.run(_measure(backend, subjects, first, days=days, opens=opens))
    finally:
        backend.close()


def figures(r: Results) -> list[Figure]:
    s = r.subjects
    return [
        Figure("day view → next day, key to repaint, process CPU (busiest location)",
               tuple(x.cpu_ms for x in r.steps), "p95 <= 50 ms CPU", 50.0),
        Figure("day view → next day, key to repaint, wall",
               tuple(x.wall_ms for x in r.steps)),
        Figure("  of which: load_grid (day_grid read), CPU", tuple(r.load)),
        Figure("  of which: CalendarGrid.show (rows, columns, cells), CPU", tuple(r.layout)),
        Figure("  of which: CalendarGrid lines at 160x50, CPU", tuple(r.render)),
        Figure(f"open week view, location ({s.location_name}), to first paint, wall",
               tuple(x.wall_ms for x in r.week_location), "p95 <= 150 ms", 150.0),
        Figure("open week view, location, process CPU",
               tuple(x.cpu_ms for x in r.week_location)),
        Figure(f"open week view, provider ({s.provider_name}), to first paint, wall",
               tuple(x.wall_ms for x in r.week_provider), "p95 <= 150 ms", 150.0),
        Figure("open week view, provider, process CPU",
               tuple(x.cpu_ms for x in r.week_provider)),
    ]


def notes(r: Results, days: int) -> list[str]:
    s = r.subjects
    last = r.first + timedelta(days=days)
    return [
        f"(d) {s.location_name} (id {s.location_id}), the busiest location with "
        f"{s.location_visits:,} visits from {r.first} to {last}; {days} presses of → from "
        f"{r.first} at {SIZE[0]}x{SIZE[1]}, headless. CPU is the whole process "
        "(`time.process_time`: event loop + the worker thread that reads the day) from the key "
        "event to the callback after the repaint of the new day; the 'of which' rows time "
        "the pieces alone on the same days, the rest is Textual (messages, CSS, compositor).",
        f"(e) this week; {s.provider_name} (id {s.provider_id}) is the busiest provider "
        f"({s.provider_visits:,} visits over the same days). From `push_screen` to the "
        "callback after the first repaint showing the read week.",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--appointments", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=60, help="→ presses to time")
    parser.add_argument("--opens", type=int, default=20, help="week-view opens per mode")
    args = parser.parse_args(argv)
    big = bigdb.open_big(bigdb.default_path(args.appointments),
                         bigdb.Recipe.for_target(args.appointments))
    from bench.run import table

    results = measure(big, days=args.days, opens=args.opens)
    found = figures(results)
    print(table(found))
    for note in notes(results, args.days):
        print(f"- {note}")
    return 1 if any(f.verdict == "MISSED" for f in found) else 0


if __name__ == "__main__":
    sys.exit(main())
