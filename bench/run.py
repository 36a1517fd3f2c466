"""Benchmarks on a big synthetic practice: slot search, booking commit, start-up, calendar.

    .venv/bin/python -m bench.run [--appointments 200000] [--db PATH] [--rebuild]

Targets: (a) ``find_slots`` for facet-diagnostic, 60 days, limit 10, all locations:
p95 <= 10 ms; (b) one booking commit through ``scheduling.book`` on SQLite: p95 <= 5 ms;
(c) start to first paint <= 2x a minimal Textual app; (d) day view of the busiest location,
→ to the next day and repainted: p95 <= 50 ms of CPU; (e) opening the week view: p95 <= 150 ms
(see ``bench/ui.py``); (f) the manager's daily report for one day, all locations or one:
p95 <= 50 ms; (g) ``frontdesk import patients`` of a 50,000-row file as a whole command:
p95 <= 30 s (see ``bench/imports.py``); what a person sees, from outside the process in tmux
beside a bare Textual app: ``--only seen`` (see ``bench/seen.py``). Prints a table and writes
the figures to docs/benchmarks.md between markers, leaving the rest of that page alone.
Not part of the test run: it takes a few minutes and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import bigdb
from bench import imports as bench_imports
from bench.figures import Figure
from bench.startup import MISSING
from frontdesk.domain.model import ProviderKind
from frontdesk.services import directory, report, scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import FrontDeskError
from frontdesk.services.views import SlotView

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
ZONE = ZoneInfo("America/Chicago")
MANAGER = "maria"  # the demo practice's manager (the report needs one)
BOOKED_TYPES = ("follow-up", "facet-diagnostic", "new-patient", "med-management", "massage",
                "trigger-point", "rfa", "facet-therapeutic")


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


# --------------------------------------------------------------------------- (a) find_slots


def bench_find_slots(ctx: Context, *, n: int, rng: random.Random,
                     ranked: bool = False) -> Figure:
    """Varied start points over the next ~4 months, so some searches meet full weeks.

    ``ranked`` adds what a receptionist usually passes (the caller's preferred location and
    previous physician), which can make the search read further ahead.
    """
    location_ids = [loc.id for loc in directory.locations(ctx)]
    physicians = [p.id for p in directory.providers(ctx) if p.kind is ProviderKind.PHYSICIAN]
    for _ in range(5):  # warm caches (rrule parsing, compiled statements) as a running app has
        scheduling.find_slots(ctx, visit_type="facet-diagnostic", days=60, limit=10)
    samples = []
    for _ in range(n):
        start = ctx.now() + timedelta(minutes=15 * rng.randrange(4 * 24 * 120))
        search = partial(scheduling.find_slots, ctx, visit_type="facet-diagnostic",
                         start=start, days=60, limit=10)
        if ranked:
            search = partial(search, preferred_location_id=rng.choice(location_ids),
                             previous_provider_id=rng.choice(physicians))
        samples.append(timed(search))
    if ranked:
        return Figure("find_slots, with preferred location + previous provider",
                      tuple(samples))
    return Figure("find_slots facet-diagnostic, 60 days, limit 10, all locations",
                  tuple(samples), "p95 <= 10 ms", 10.0)


# --------------------------------------------------------------------------- (b) book


def bench_book(big: bigdb.BigDb, *, n: int, rng: random.Random) -> Figure:
    """Book into free slots found beforehand, on a copy of the database; time book() only."""
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as tmp:
        copy = Path(tmp) / "book.db"
        _backup(big.path, copy)
        ctx = bigdb.BigDb(copy, big.today, big.appointments, True, 0).context()
        try:
            slots = _free_slots(ctx, n)
            patients = _patient_count(ctx)
            samples, failures = [], 0
            for code, slot in slots:
                procedure = code.startswith(("facet", "rfa")) or code == "trigger-point"
                booking = partial(
                    scheduling.book, ctx, staff="rita", patient_id=rng.randrange(1, patients + 1),
                    visit_type=code, provider_id=slot.provider_id, location_id=slot.location_id,
                    start=slot.start, room_id=slot.room_id,
                    region="lumbar" if procedure else None,
                    levels="L4-L5" if procedure and code != "trigger-point" else None,
                    side="bilateral" if procedure else None,
                    # every booking check still runs (and is timed); a random patient's other
                    # visits would only turn the sample into a warning to accept
                    ordered_by_physician=True, accept_warnings=scheduling.WARNING_CODES,
                )
                try:
                    samples.append(timed(booking))
                except FrontDeskError:
                    failures += 1
            if failures:
                print(f"  note: {failures} bookings were refused (slot taken, or a payer rule "
                      "for the random patient)")
        finally:
            ctx.engine.dispose()
    return Figure("book() commit on SQLite (one visit, audit event, read-back)",
                  tuple(samples), "p95 <= 5 ms", 5.0)


def _backup(source: Path, target: Path) -> None:
    """A consistent copy even with a WAL beside the file."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _patient_count(ctx: Context) -> int:
    with ctx.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM patient").scalar_one())


def _free_slots(ctx: Context, n: int) -> list[tuple[str, SlotView]]:
    """Up to ``n`` free slots on different days or resources, none overlapping another."""
    chosen: list[tuple[str, SlotView]] = []
    margin = timedelta(hours=2)
    day = ctx.now().astimezone(ZONE).date() + timedelta(days=1)
    last = day + timedelta(days=170)
    kind = 0
    while len(chosen) < n and day < last:
        for _ in range(3):
            code = BOOKED_TYPES[kind % len(BOOKED_TYPES)]
            kind += 1
            begin = datetime.combine(day, clock_time(6), ZONE).astimezone(UTC)
            for slot in scheduling.find_slots(ctx, visit_type=code, start=begin, days=1,
                                              limit=10):
                if not any(_clash(slot, other, margin) for _, other in chosen):
                    chosen.append((code, slot))
                    break
        day += timedelta(days=1)
    return chosen[:n]


def _clash(a: SlotView, b: SlotView, margin: timedelta) -> bool:
    near = a.start - margin < b.end and b.start - margin < a.end
    return near and (a.provider_id == b.provider_id or a.room_id == b.room_id)


# --------------------------------------------------------------------------- (c) start-up


def bench_startup(db: Path, *, runs: int) -> list[Figure] | str:
    """Spawn each app ``runs`` times, alternating; first paint and exit, in milliseconds."""
    paint: dict[str, list[float]] = {"minimal": [], "frontdesk": []}
    whole: dict[str, list[float]] = {"minimal": [], "frontdesk": []}
    for run in range(runs):
        order = ("minimal", "frontdesk") if run % 2 == 0 else ("frontdesk", "minimal")
        for which in order:
            began = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "bench.startup", which, str(db)], cwd=ROOT,
                capture_output=True, text=True, timeout=120, check=False,
            )
            ended = time.monotonic()
            if done.returncode == MISSING:
                return ("skipped: frontdesk.ui.app.make_app is not importable yet "
                        f"({done.stdout.strip()})")
            marks = [float(line.split()[1]) for line in done.stdout.splitlines()
                     if line.startswith("PAINT ")]
            if done.returncode != 0 or not marks:
                return f"skipped: {which} did not paint ({done.stderr.strip()[-300:]})"
            paint[which].append((marks[0] - began) * 1000)
            whole[which].append((ended - began) * 1000)
    minimal = sorted(paint["minimal"])[len(paint["minimal"]) // 2]
    return [
        Figure("start to first paint: minimal Textual app", tuple(paint["minimal"])),
        Figure("start to first paint: frontdesk (make_app)", tuple(paint["frontdesk"]),
               "p95 <= 2x minimal p50", 2 * minimal),
        Figure("start to exit: minimal Textual app", tuple(whole["minimal"])),
        Figure("start to exit: frontdesk (make_app)", tuple(whole["frontdesk"])),
    ]


# --------------------------------------------------------------------------- report


def table(figures: Sequence[Figure]) -> str:
    lines = ["| measurement | n | p50 ms | p95 ms | max ms | target | |",
             "|---|---:|---:|---:|---:|---|---|"]
    for f in figures:
        lines.append(f"| {f.name} | {f.n} | {f.pct(50):.2f} | {f.pct(95):.2f} | "
                     f"{max(f.samples):.2f} | {f.target} | {f.verdict} |")
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, SQLite "
            f"{sqlite3.sqlite_version}; load average {load:.2f} at the end of the run")


def write_doc(figures: Sequence[Figure], notes: Sequence[str], big: bigdb.BigDb) -> None:
    body = "\n".join([
        START,
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
        "",
        f"Database: synthetic SQLite practice, {big.appointments:,} appointments "
        f"(8 locations, 40 providers), built around {big.today}"
        + (f" in {big.build_seconds:.0f} s." if big.build_seconds else " (reused)."),
        "",
        table(figures),
        "",
        *[f"- {note}" for note in notes],
        END,
    ])
    text = DOC.read_text() if DOC.exists() else _DOC_HEAD
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        text = head + body + tail
    else:
        text = text.rstrip() + "\n\n## Latest run\n\n" + body + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


# --------------------------------------------------------------------------- (f) daily report


def bench_report(ctx: Context, *, n: int, rng: random.Random) -> Figure:
    """The daily report of a random day in the last 120 or the next 30 (its 14-day trend
    included), a quarter of them for one location, as the report screen and CLI read it."""
    places = [loc.name for loc in directory.locations(ctx)]
    today = ctx.now().astimezone(ZONE).date()
    for _ in range(5):  # warm the compiled statements, as a running app has
        report.daily_report(ctx, by=MANAGER, day=today)
    samples = []
    for _ in range(n):
        day = today + timedelta(days=rng.randrange(-120, 30))
        place = rng.choice(places) if rng.random() < 0.25 else None
        samples.append(timed(partial(report.daily_report, ctx, by=MANAGER, day=day,
                                     location=place)))
    return Figure("daily report, one day (+14-day trend), all or one location",
                  tuple(samples), "p95 <= 50 ms", 50.0)


_DOC_HEAD = """# Benchmarks

Run on demand with `.venv/bin/python -m bench.run` (or `make bench`); not part of the tests.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--appointments", type=int, default=200_000,
                        help="size of the synthetic database (default 200000)")
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite file to build or reuse (default: the user cache dir)")
    parser.add_argument("--rebuild", action="store_true", help="build even if it matches")
    parser.add_argument("--searches", type=int, default=400, help="find_slots calls to time")
    parser.add_argument("--bookings", type=int, default=200, help="book() calls to time")
    parser.add_argument("--starts", type=int, default=10, help="start-up runs per app")
    parser.add_argument("--days", type=int, default=60,
                        help="day-view next-day presses to time (d)")
    parser.add_argument("--opens", type=int, default=20,
                        help="week-view opens to time, per mode (e)")
    parser.add_argument("--reports", type=int, default=200, help="daily reports to time (f)")
    parser.add_argument("--imports", type=int, default=3,
                        help="runs of the 50,000-patient import (g)")
    parser.add_argument("--import-rows", type=int, default=50_000,
                        help="rows in the synthetic patients file (g)")
    parser.add_argument("--only", choices=("report", "import", "seen"), default=None,
                        help="run one benchmark only (implies --no-doc, except seen, which "
                        "writes its own section of the page unless --no-doc)")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--runs", type=int, default=5,
                        help="start-ups per program for --only seen")
    parser.add_argument("--presses", type=int, default=20,
                        help="key presses per view for --only seen")
    args = parser.parse_args(argv)

    if args.only == "seen":  # the demo database in tmux: the big database is not needed
        from bench import seen

        print(f"what a person sees, in tmux at 80x24, {args.runs} runs ...", flush=True)
        result = seen.measure(runs=args.runs, presses_n=args.presses)
        print(seen.seen_table(result.figures, result.verdicts))
        for note in result.notes:
            print(f"- {note}")
        if not args.no_doc and seen.write_doc(result, runs=args.runs):
            print("\nWritten to docs/benchmarks.md (its own section)")
        return 1 if result.missed() else 0
    path = args.db or bigdb.default_path(args.appointments)
    big = bigdb.open_big(path, bigdb.Recipe.for_target(args.appointments), rebuild=args.rebuild)
    rng = random.Random(7)
    figures: list[Figure] = []
    notes: list[str] = []

    if args.only == "report":
        ctx = big.context()
        try:
            print(f"(f) daily report x {args.reports} ...", flush=True)
            only = bench_report(ctx, n=args.reports, rng=rng)
        finally:
            ctx.engine.dispose()
        print(table([only]))
        return 1 if only.verdict == "MISSED" else 0
    if args.only == "import":
        print(f"(g) import {args.import_rows:,} patients x {args.imports} ...", flush=True)
        only, said = bench_imports.bench_import(big, rows=args.import_rows, runs=args.imports)
        print(table([only]))
        for note in said:
            print(f"- {note}")
        return 1 if only.verdict == "MISSED" else 0
    ctx = big.context()
    try:
        print(f"(a) find_slots x {args.searches} ...", flush=True)
        figures.append(bench_find_slots(ctx, n=args.searches, rng=rng))
        figures.append(bench_find_slots(ctx, n=args.searches // 2, rng=rng, ranked=True))
    finally:
        ctx.engine.dispose()
    print(f"(b) book x {args.bookings} on a copy ...", flush=True)
    figures.append(bench_book(big, n=args.bookings, rng=rng))
    print(f"(c) start-up x {args.starts} per app ...", flush=True)
    started = bench_startup(big.path, runs=args.starts)
    if isinstance(started, str):
        print(f"  {started}")
        notes.append(f"(c) start-up {started}")
    else:
        figures.extend(started)
        ratio = started[1].pct(50) / started[0].pct(50)
        notes.append(f"(c) frontdesk first paint is {ratio:.2f}x the minimal app (p50/p50); "
                     "each run is a fresh interpreter spawned by the benchmark.")
    notes.append("(b) runs on a throw-away copy of the database; timings include the "
                 "read-back of the booked visit that book() returns.")
    from bench import ui  # loads Textual and the screens only when we get here

    print(f"(d) day view -> next day x {args.days}, (e) week view x {args.opens} per mode ...",
          flush=True)
    calendar = ui.measure(big, days=args.days, opens=args.opens)
    figures.extend(ui.figures(calendar))
    notes.extend(ui.notes(calendar, args.days))
    print(f"(f) daily report x {args.reports} ...", flush=True)
    ctx = big.context()
    try:
        figures.append(bench_report(ctx, n=args.reports, rng=rng))
    finally:
        ctx.engine.dispose()
    print(f"(g) import {args.import_rows:,} patients x {args.imports} ...", flush=True)
    imported, said = bench_imports.bench_import(big, rows=args.import_rows, runs=args.imports)
    figures.append(imported)
    notes.extend(said)
    print()
    print(table(figures))
    for note in notes:
        print(f"- {note}")
    if not args.no_doc:
        write_doc(figures, notes, big)
        print(f"\nWritten to {DOC.relative_to(ROOT)}")
    missed = [f.name for f in figures if f.verdict == "MISSED"]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
