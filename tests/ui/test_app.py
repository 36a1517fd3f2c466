"""The app shell: the factory, opening the database, plain errors and the command palette."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from frontdesk.db import migrate
from frontdesk.db.engine import make_engine
from frontdesk.domain.settings import Settings
from frontdesk.services.config import LoadedSettings
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.account.sign_in import SignInScreen
from frontdesk.ui.app import FrontDeskApp, make_app
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.start import Progress, StartScreen
from tests.conftest import FrozenClock
from tests.ui.conftest import settled, shown, text_of


async def start_message(pilot: Pilot[None]) -> str:
    """The start screen's words once the database has failed to open. The sign-in form that
    was on top is closed then, and its worker ("can anyone sign in?") cancelled: not a failure."""
    for worker in list(pilot.app.workers):
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await worker.wait()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StartScreen)
    return text_of(screen, "#start-message")


def test_importing_the_app_loads_no_database_code() -> None:
    """First paint must not wait for SQLAlchemy, SQLModel or Alembic to import."""
    code = "import sys, frontdesk.ui.app; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout.split()
    loaded = {name.split(".")[0] for name in out}
    assert not {"sqlalchemy", "sqlmodel", "alembic", "psycopg"} & loaded
    assert "frontdesk.services.scheduling" not in out


async def test_make_app_migrates_a_new_file_and_shows_an_empty_board(
    tmp_path: Path, clock: FrozenClock
) -> None:
    path = tmp_path / "new.db"
    app = make_app(str(path), clock=clock, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(pilot.app.screen, SignInScreen):
                break
        screen = pilot.app.screen
        assert isinstance(screen, SignInScreen)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert text_of(screen, "#signin-note").startswith(
            "Nobody can sign in yet: no staff account has a password.")
    async with make_app(str(path), clock=clock, settings=Settings(),
                        staff="admin").run_test(size=(80, 24)) as pilot:
        board = await settled(pilot)
        assert text_of(board, "#board-title") == "Wed 10 Mar 2027 (today) · All locations"
        assert text_of(board, "#board-empty") == (
            "This database has no locations yet, so there is nothing to show.")
    engine = make_engine(path)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


async def test_make_app_reads_an_existing_practice(
    sqlite_url: str, sqlite_ctx: Context, booked: list[AppointmentView], clock: FrozenClock
) -> None:
    app = make_app(sqlite_url, clock=clock, settings=Settings(), staff="desk")
    async with app.run_test() as pilot:
        screen = await settled(pilot)
        assert [r["patient"] for r in shown(screen)] == ["Testcase, C.", "Sample, J."]


async def test_a_file_that_is_not_a_database_gets_a_plain_message(
    tmp_path: Path, clock: FrozenClock
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the tables you are looking for\n" * 200)
    async with make_app(str(path), clock=clock, settings=Settings()).run_test() as pilot:
        message = await start_message(pilot)
    assert message.startswith(f"Cannot open the database {path}.\nfile is not a database")
    assert "Traceback" not in message
    assert "Press q to quit." in message


@pytest.mark.parametrize(("url", "expected"), [
    ("mysql://someone@localhost/frontdesk", "unsupported database 'mysql'"),
    ("postgresql+psycopg://desk:s3cret@127.0.0.1:1/frontdesk", "Connection refused"),
])
async def test_a_bad_or_unreachable_url_gets_a_plain_message(
    url: str, expected: str, clock: FrozenClock
) -> None:
    async with make_app(url, clock=clock, settings=Settings()).run_test() as pilot:
        message = await start_message(pilot)
    assert message.startswith("Cannot open the database ")
    assert expected in message
    assert "s3cret" not in message
    assert "Traceback" not in message


async def test_settings_problems_show_as_a_warning(tmp_path: Path, clock: FrozenClock) -> None:
    seen: list[Message] = []
    problem = "settings.toml: booking.hold_min: must be between 1 and 60"
    loaded = LoadedSettings(Settings(), (problem,))
    app = make_app(str(tmp_path / "x.db"), clock=clock, settings=loaded, staff="desk")
    async with app.run_test(message_hook=seen.append) as pilot:
        await settled(pilot)
    warnings = [m.notification for m in seen if isinstance(m, Notify)]
    assert [(n.severity, n.message) for n in warnings] == [("warning", problem)]


async def test_the_palette_has_no_screenshot_command(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    app = FrontDeskApp(context=sqlite_ctx)
    async with app.run_test() as pilot:
        screen = await settled(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Screenshot" not in titles
        assert {"Quit", "Go to today", "Next location", "Choose location"} <= set(titles)
        start_titles = [c.title for c in app.get_system_commands(app.screen_stack[0])]
        assert "Screenshot" not in start_titles


async def test_a_palette_command_drives_the_board(
    sqlite_ctx: Context, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test() as pilot:
        await settled(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"next day")
        await pilot.pause()
        await pilot.press("enter")
        screen = await settled(pilot)
        assert isinstance(screen, TodayScreen)
        assert text_of(screen, "#board-title").startswith("Thu 11 Mar 2027")


def test_the_board_opens_without_the_calls_or_the_reports_services(tmp_path: Path) -> None:
    """What the board does at start (open the backend, read today) imports none of what a
    call, the report, an export or an import needs: those load when first used."""
    path = tmp_path / "current.db"
    engine = make_engine(path)
    migrate.upgrade(engine)
    engine.dispose()
    later = ("frontdesk.services.report", "frontdesk.services.calls",
             "frontdesk.services.readback", "frontdesk.services.record",
             "frontdesk.services.exports", "frontdesk.services.imports", "frontdesk.ui.call",
             "frontdesk.ui.report", "alembic", "fhir", "icalendar")
    probe = ("import sys\n"
             "from frontdesk.domain.settings import Settings\n"
             "from frontdesk.ui.app import make_app\n"
             "from frontdesk.ui.backend.door import open_backend\n"
             f"opened = open_backend({str(path)!r}, settings=Settings(), sign_in=True)\n"
             "opened.backend.load_day(opened.backend.today(), None)\n"
             f"print(sorted(m for m in sys.modules if m.startswith({later!r})))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_app_needs_exactly_one_way_to_reach_the_database(sqlite_ctx: Context) -> None:
    with pytest.raises(TypeError):
        FrontDeskApp()
    with pytest.raises(TypeError):
        FrontDeskApp(context=sqlite_ctx, connect=lambda _report: None)  # type: ignore[arg-type,return-value]


async def test_demo_mode_seeds_an_empty_database_once(tmp_path: Path, clock: FrozenClock) -> None:
    seen: list[Message] = []
    path = str(tmp_path / "demo.db")
    app = make_app(path, demo=True, clock=clock, settings=Settings(), staff="rita")
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await settled(pilot)
        rows = shown(screen)
        assert rows
        assert text_of(screen, "#board-summary").split()[1] in ("visit", "visits")
        first_count = len(rows)
    progress = [m.text for m in seen if isinstance(m, Progress)]
    assert progress == ["Setting up the demo practice…"]
    seen.clear()
    again = make_app(path, demo=True, clock=clock, settings=Settings(), staff="rita")
    async with again.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        screen = await settled(pilot)
        assert len(shown(screen)) == first_count
    assert not [m for m in seen if isinstance(m, Progress)]
