"""The application shell: wiring, global keys and the command palette.

Start-up is kept cheap on purpose: this module loads no database code. The first screen paints,
then a thread worker opens the database (Alembic migrations, demo seeding) through
``frontdesk.ui.backend.door`` and the board takes over.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

import frontdesk
from frontdesk.domain.permissions import Permission
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.start import StartScreen

if TYPE_CHECKING:
    from datetime import datetime

    from frontdesk.domain.settings import Settings
    from frontdesk.services.calls import CallView
    from frontdesk.services.config import LoadedSettings
    from frontdesk.services.context import Context
    from frontdesk.services.views import LocationView
    from frontdesk.ui.backend.door import Backend, Opened

POLL_SECONDS = 2.0
IDLE_CHECK_SECONDS = 5.0
INPUT_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp,
                events.Paste)
HIDDEN_SYSTEM_COMMANDS = frozenset({"Screenshot"})  # would write patient details to a file

Report = Callable[[str], object]
Connect = Callable[[Report], "Opened"]


def styles_path() -> Path:
    """The packaged ``styles.tcss`` when installed, else the one at the repo root."""
    package = Path(frontdesk.__file__).parent
    shipped = package / "styles.tcss"
    return shipped if shipped.exists() else package.parent / "styles.tcss"


def freeze_startup_objects() -> None:
    """What start-up built (Textual, SQLAlchemy, the mappers) lives as long as the app: keep the
    garbage collector from walking it again on every later collection (the repaint tails)."""
    gc.freeze()


@runtime_checkable
class HasPaletteCommands(Protocol):
    def palette_commands(self) -> list[SystemCommand]: ...


class Progress(Message):
    """Posted from the opening worker: what it is doing now, in plain words."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class FrontDeskApp(App[None]):
    """Pass a ready ``context`` (tests) or a ``connect`` callable (``make_app``), not both.

    ``staff``: who is signed in (with ``context``, for tests and embedding); None picks the
    first active receptionist or scheduler. ``sign_in``: nobody is, until the sign-in screen
    (or the SSH login) says who; ``make_app`` always asks.
    """

    TITLE = "frontdesk"
    CSS_PATH = styles_path()
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "start_call", "Call", id="app.call", priority=True,
                tooltip="Start a call (or resume an unfinished one)"),
        Binding("f3", "treatments", "Treatments", id="app.treatments",
                tooltip="Approved answers about treatments (inside a call: beside it)"),
        Binding("f4", "daily_report", "Report", id="app.report",
                tooltip="The manager's daily report: bookings, calls, funnel, utilisation"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit frontdesk"),
        Binding("ctrl+l", "lock", "Lock", id="app.lock", show=False,
                tooltip="Lock the screen now (your password unlocks it)"),
    ]

    def __init__(
        self,
        *,
        context: Context | None = None,
        connect: Connect | None = None,
        poll_seconds: float = POLL_SECONDS,
        staff: str | None = None,
        theme: str | None = None,
        sign_in: bool = False,
    ) -> None:
        if context is not None and connect is None:
            connect = _use_context(context, staff, sign_in)
        elif connect is None or context is not None:
            raise TypeError("pass exactly one of context= or connect=")
        super().__init__()
        self.sign_in = sign_in
        self._last_input = monotonic()
        if theme is not None:
            self.theme = theme  # e.g. ansi-dark: the terminal's own 16 colours
        self._connect = connect
        self.poll_seconds = poll_seconds
        self.backend: Backend | None = None
        self._calling = False  # a call is being opened (F2 pressed twice stays one call)

    def get_default_screen(self) -> Screen[Any]:
        return StartScreen(id="start")

    def on_mount(self) -> None:
        self.call_after_refresh(self._open)  # paint first, then open the database
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle)

    # -- who is at the keyboard

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, INPUT_EVENTS):
            self._last_input = monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        backend = self.backend
        if backend is None or backend.staff is None or not backend.idle_minutes:
            return
        if monotonic() - self._last_input >= backend.idle_minutes * 60:
            self.action_lock(idle=True)

    def action_lock(self, idle: bool = False) -> None:
        """Cover everything until the same person types their password (or someone else
        signs in, which ends this session). Audited, after the idle time or at once."""
        from frontdesk.ui.account.sign_in import LockScreen, SignInScreen

        backend = self.backend
        if (backend is None or backend.person is None
                or isinstance(self.screen, (LockScreen, SignInScreen))):
            return
        self.clear_notifications()  # what was just said stays with the person who left
        self.push_screen(LockScreen(backend, name=backend.person.name), self._unlocked)
        self._record_lock(backend, idle)

    @work(thread=True, group="lock", exit_on_error=False)
    def _record_lock(self, backend: Backend, idle: bool) -> None:
        """The audit event; the lock itself never waits for the database (nor fails with it)."""
        backend.screen_locked(idle=idle)

    def _unlocked(self, other: Backend | None) -> None:
        self._last_input = monotonic()
        if other is not None:
            self.clear_notifications()  # said to the first person while the screen was locked
            self._begin(other)

    def _begin(self, backend: Backend) -> None:
        """``backend``'s person starts afresh on the board: every screen of whoever was signed
        in before closes (their unfinished call stays saved as a draft for them)."""
        self.backend = backend
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._last_input = monotonic()
        self.push_screen(TodayScreen(backend, poll_seconds=self.poll_seconds))

    def on_unmount(self) -> None:
        if self.backend is not None:
            self.backend.close()

    def action_treatments(self) -> None:
        """F3: the treatment lookup (a call screen shows it beside the call instead)."""
        from frontdesk.ui.treatments.screen import TreatmentScreen

        if self.backend is None:
            return
        if isinstance(self.screen, TreatmentScreen):
            self.pop_screen()
        else:
            self.push_screen(TreatmentScreen(self.backend))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F4 is not offered before the database is open, nor over a call or a drill-down;
        it shows greyed out to a person whose role does not see the report."""
        if action != "daily_report":
            return True
        if self.backend is None:
            return False
        from frontdesk.ui.call.screen import CallScreen
        from frontdesk.ui.report.audit import AuditScreen
        from frontdesk.ui.report.screen import DrillScreen

        if isinstance(self.screen, (CallScreen, DrillScreen, AuditScreen)):
            return False
        return True if self.backend.may(Permission.REPORTS) else None

    def action_daily_report(self) -> None:
        """F4: the daily report (not over a call: the caller comes first)."""
        from frontdesk.ui.report.screen import ReportScreen

        if self.backend is None or not self.check_action("daily_report", ()):
            return
        if isinstance(self.screen, ReportScreen):
            self.pop_screen()
        else:
            self.push_screen(ReportScreen(self.backend))

    def action_start_call(self) -> None:
        """F2 from anywhere: the unfinished calls to resume, or a new call at once."""
        from frontdesk.ui.call.screen import CallScreen

        if self.backend is None or isinstance(self.screen, CallScreen) or self._calling:
            return
        self._calling = True
        self._open_call(self.backend)

    @work(thread=True, exclusive=True, group="call-open", exit_on_error=False)
    def _open_call(self, backend: Backend) -> None:
        drafts = backend.open_calls()
        places = backend.locations()
        call = None if drafts else backend.start_call()
        self.call_from_thread(self._show_call, backend, call, drafts, places)

    def _show_call(self, backend: Backend, call: CallView | None, drafts: list[CallView],
                   places: tuple[LocationView, ...]) -> None:
        from zoneinfo import ZoneInfo

        from frontdesk.ui.call.screen import CallScreen, ResumeDialog

        self._calling = False
        if call is not None:
            self.push_screen(CallScreen(backend, call, locations=places))
            return

        def chosen(choice: CallView | str | None) -> None:
            if choice == "new":
                self._calling = True
                self._new_call(backend, places)
            elif choice is not None and not isinstance(choice, str):
                self.push_screen(CallScreen(backend, choice, locations=places))

        self.push_screen(ResumeDialog(drafts, ZoneInfo(backend.zone)), chosen)

    @work(thread=True, exclusive=True, group="call-open", exit_on_error=False)
    def _new_call(self, backend: Backend, places: tuple[LocationView, ...]) -> None:
        call = backend.start_call()
        self.call_from_thread(self._show_call, backend, call, [], places)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in HIDDEN_SYSTEM_COMMANDS:
                yield command
        if isinstance(screen, HasPaletteCommands):
            yield from screen.palette_commands()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> Opened:
        return self._connect(lambda text: self.post_message(Progress(text)))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self._start_screen().say(event.text)

    @on(Worker.StateChanged)
    def _opened(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "call-open" and event.state == WorkerState.ERROR:
            self._calling = False
            self.notify("Could not start the call: the database did not answer. Try F2 again.",
                        severity="error", markup=False)
            return
        if event.worker.group != "open":
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self._start_screen().fail(f"Cannot open the database ({type(error).__name__}).")
        elif event.state == WorkerState.SUCCESS:
            opened: Opened | None = event.worker.result
            if opened is not None:
                self._start(opened)

    def _start(self, opened: Opened) -> None:
        if opened.problems:  # file, key and reason only: nothing about patients
            self.notify("\n".join(opened.problems), title="Settings: defaults used for",
                        severity="warning", timeout=20, markup=False)
        if opened.backend is None:
            self._start_screen().fail(opened.error)
            return
        self.backend = opened.backend
        freeze_startup_objects()
        if opened.backend.staff is not None or not self.sign_in:
            self._begin(opened.backend)
            return
        from frontdesk.ui.account.sign_in import SignInScreen

        def signed_in(backend: Backend | None) -> None:
            if backend is not None:
                self._begin(backend)

        self.push_screen(SignInScreen(opened.backend), signed_in)

    def _start_screen(self) -> StartScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, StartScreen)
        return screen


def _use_context(ctx: Context, staff: str | None, sign_in: bool) -> Connect:
    def connect(_report: Report) -> Opened:
        from frontdesk.ui.backend.door import Backend, Opened  # services load in the worker

        return Opened(Backend.create(ctx, staff=staff, sign_in=sign_in))

    return connect


def make_app(
    db: str,
    *,
    demo: bool = False,
    clock: Callable[[], datetime] | None = None,
    settings: Settings | LoadedSettings | None = None,
    poll_seconds: float = POLL_SECONDS,
    staff: str | None = None,
    theme: str | None = None,
) -> FrontDeskApp:
    """The app on database ``db`` (a path or SQLAlchemy URL). Cheap: nothing opens until mount.

    ``demo``: seed the demo practice when the database is empty. ``settings``: loaded from the
    config directory when not given; their problems show as a warning. ``staff``: the username
    changes are attributed to; None (what the CLI passes) picks the first active receptionist or
    scheduler — there is no sign-in yet, a later issue replaces this default. ``theme``: a
    Textual theme name (None: the default, textual-dark).
    """

    def connect(report: Report) -> Opened:
        from frontdesk.ui.backend.door import open_backend  # services load in the worker

        return open_backend(db, demo=demo, clock=clock, settings=settings, report=report,
                            staff=staff, sign_in=staff is None)

    return FrontDeskApp(connect=connect, poll_seconds=poll_seconds, theme=theme,
                        sign_in=staff is None)
