"""The application shell: wiring, global keys and the command palette.

Start-up is kept cheap on purpose: this module loads no database code. The first screen paints
— the sign-in form, taking keys at once, or (in an SSH login that may sign in by the OS user)
the start screen — then the database opens in a worker (``frontdesk.ui.start``), and the board
takes over once someone is signed in. Where
the global keys and the navigation messages lead is ``frontdesk.ui.routes``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast, runtime_checkable

from textual import events, on, work
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

import frontdesk
from frontdesk.services.origin import app_origin
from frontdesk.ui.routes import Routes
from frontdesk.ui.start import (
    Connect,
    Early,
    Opening,
    Progress,
    Report,
    StartScreen,
    freeze_startup_objects,
)

if TYPE_CHECKING:
    from frontdesk.domain.settings import Settings
    from frontdesk.services.config import LoadedSettings
    from frontdesk.services.context import Context
    from frontdesk.services.pop.channel import Listener
    from frontdesk.services.views import StaffView
    from frontdesk.ui.backend.boards import DayBoard
    from frontdesk.ui.backend.door import Backend, Opened
    from frontdesk.ui.backend.early import Glance
    from frontdesk.ui.call.pop import CallerPops

POLL_SECONDS = 2.0
QUIET_BEFORE_OPEN = 0.3  # seconds without a key on the early board before the stack loads
IDLE_CHECK_SECONDS = 5.0
INPUT_EVENTS = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp,
                events.Paste)
HIDDEN_SYSTEM_COMMANDS = frozenset({"Screenshot"})  # would write patient details to a file


def styles_path() -> Path:
    """The packaged ``styles.tcss`` when installed, else the one at the repo root."""
    package = Path(frontdesk.__file__).parent
    shipped = package / "styles.tcss"
    return shipped if shipped.exists() else package.parent / "styles.tcss"


@runtime_checkable
class HasPaletteCommands(Protocol):
    def palette_commands(self) -> list[SystemCommand]: ...


@runtime_checkable
class HasProgress(Protocol):
    def progress(self, text: str) -> None: ...


class FrontDeskApp(Routes):
    """Pass a ready ``context`` (tests) or a ``connect`` callable (``make_app``), not both.

    ``staff``: who is signed in (with ``context``, for tests and embedding); None picks the
    first active receptionist or scheduler. ``sign_in``: nobody is, until the sign-in screen
    (or the SSH login) says who; ``make_app`` always asks. ``form_first``: the sign-in form
    is the first screen, taking keys while the database opens (wherever no SSH login can sign
    in by the OS user); otherwise the start screen shows until the database is open.
    ``demo``: the demo flag; the sign-in form names the published accounts once the database
    is open and known to be the one the demo seeded. ``pop``: a number (E.164) the phone system
    says is calling: the call screen opens on that caller once someone has signed in
    (``frontdesk.ui.call.pop``). ``listen``: the directory where this app listens for more such
    numbers from the same OS user (``frontdesk.services.pop.channel``); None: it does not.
    ``listen_as``: the database's tag (``channel.database_tag``) the listener greets with: a
    number meant for an app on another database never reaches this one.
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
        Binding("f5", "worklists", "Worklists", id="app.worklists",
                tooltip="The worklists: confirmations, the waitlist, recalls, reminders"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit frontdesk"),
        Binding("ctrl+l", "lock", "Lock", id="app.lock", show=False,
                tooltip="Lock the screen now (your password unlocks it)"),
        # ? is text in a field being typed in (check_action): F1 opens the list there too
        Binding("question_mark", "keys", "Keys", id="app.keys", priority=True,
                tooltip="Every key of this screen, with what it does (F1 too, also in a field)"),
        Binding("f1", "keys_anywhere", "Keys", id="app.keys_f1", priority=True, show=False,
                tooltip="Every key of this screen, also while typing in a field"),
    ]

    def __init__(self, *, context: Context | None = None, connect: Connect | None = None,
                 poll_seconds: float = POLL_SECONDS, staff: str | None = None,
                 theme: str | None = None, sign_in: bool = False,
                 form_first: bool = False, demo: bool = False, pop: str | None = None,
                 listen: Path | None = None, listen_as: str = "") -> None:
        if context is not None and connect is None:
            connect = _use_context(context, staff, sign_in)
        elif connect is None or context is not None:
            raise TypeError("pass exactly one of context= or connect=")
        super().__init__()
        self.sign_in = sign_in
        self.demo = demo  # the demo flag: the sign-in form names its accounts on the demo's db
        self.form_first = sign_in and form_first
        self.opening = Opening()
        self._glance: Glance | None = None  # the SSH login signed in early, the light way
        self._early_backend: Backend | None = None  # its stand-in until the full one is open
        self._last_input = monotonic()
        self._closing = False
        if theme is not None:
            self.theme = theme  # e.g. ansi-dark: the terminal's own 16 colours
        self._connect = connect
        self.poll_seconds = poll_seconds
        self.backend: Backend | None = None
        self._first_pop = pop
        self._listen_in = listen
        self._listen_as = listen_as
        self._listener: Listener | None = None
        self._pops: CallerPops | None = None  # made with the first number from the phone system

    def get_default_screen(self) -> Screen[Any]:
        return StartScreen(id="start")

    def on_mount(self) -> None:
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle)
        if self.form_first:
            from frontdesk.ui.account.sign_in import SignInScreen

            self.push_screen(SignInScreen(self.opening, demo=self.demo), self._signed_in)
        self.call_after_refresh(self._open)  # paint first, then open the database
        if self._first_pop is not None:
            self.caller_pop(self._first_pop)
        if self._listen_in is not None:
            self.call_after_refresh(self._listen)

    # -- opening the database behind the first screen

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> Opened:
        try:
            opened = self._connect(Report(self.post_message, quiet=self._wait_quiet))
            # the board comes next: load its code here, off the event loop
            import frontdesk.ui.calendar.board.screen  # noqa: F401
        except BaseException:
            self.opening.failed("Cannot open the database.")
            raise
        if opened.backend is None:
            self.opening.failed(opened.error)
        else:
            self.opening.opened(opened.backend)
        return opened

    def _wait_quiet(self) -> None:
        """(In the opening worker, once the early board is on its way.) Wait until the person
        has left the keys alone for ``QUIET_BEFORE_OPEN`` seconds — or the app closes — so that
        loading the database stack (CPU-bound, about half a second) never slows the first
        keys on the board, which the light way answers meanwhile."""
        time.sleep(QUIET_BEFORE_OPEN)  # the board is shown (and the clock restarted) meanwhile
        while not self._closing:
            idle = monotonic() - self._last_input
            if idle >= QUIET_BEFORE_OPEN:
                return
            time.sleep(QUIET_BEFORE_OPEN - idle)

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self._start_screen().say(event.text)
        screen = self.screen
        if isinstance(screen, HasProgress):
            screen.progress(event.text)

    @on(Early)
    def _early(self, event: Early) -> None:
        """The SSH login signed in the light way: the board now, the full backend behind it."""
        from frontdesk.ui.backend.early import EarlyBackend

        self._glance = event.glance
        if self.backend is None and not self.opening.ready:
            self._early_backend = cast("Backend", EarlyBackend(event.glance, self.opening))
            self._show_board(self._early_backend, first=event.glance.first)

    def _start_screen(self) -> StartScreen:
        start = self.screen_stack[0]
        assert isinstance(start, StartScreen)
        return start

    @on(Worker.StateChanged)
    def _opened(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "open":
            return
        if event.state == WorkerState.ERROR:
            self._not_open(f"Cannot open the database ({type(event.worker.error).__name__}).")
        elif event.state == WorkerState.SUCCESS:
            opened: Opened | None = event.worker.result
            if opened is None:
                return
            if opened.problems:  # file, key and reason only: nothing about patients
                self.notify("\n".join(opened.problems), title="Settings: defaults used for",
                            severity="warning", timeout=20, markup=False)
            if opened.warnings:  # file names and modes only
                self.notify("\n".join(opened.warnings), title="Patient data not private",
                            severity="warning", timeout=30, markup=False)
            if opened.backend is None:
                self._not_open(opened.error)
            else:
                self._database_ready(opened.backend)

    def _not_open(self, reason: str) -> None:
        """The start screen says why, in place of whatever was on top of it (the form)."""
        self.opening.failed(reason)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._start_screen().fail(reason)

    # -- who is at the keyboard

    @property
    def signed_in(self) -> StaffView | None:
        """Who is signed in (the title lines show them), None before anyone is."""
        backend = self.backend or self._early_backend
        return None if backend is None else backend.person

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, INPUT_EVENTS):
            self._last_input = monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        backend = self.backend or self._early_backend
        if backend is None or backend.staff is None or not backend.idle_minutes:
            return
        if monotonic() - self._last_input >= backend.idle_minutes * 60:
            self.action_lock(idle=True)

    def action_lock(self, idle: bool = False) -> None:
        """Cover everything until the same person types their password (or someone else
        signs in, which ends this session). Audited, after the idle time or at once."""
        from frontdesk.ui.account.sign_in import LockScreen

        backend = self.backend or self._early_backend
        if backend is None or backend.person is None or self.covered():  # locked already
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
        else:
            self._pop_waiting()

    def _database_ready(self, backend: Backend) -> None:
        """The database is open: the board, once someone has signed in (unless the SSH login
        or the caller already said who). The form already on screen goes on with it."""
        self.backend = backend
        freeze_startup_objects()
        if self._early_board(backend):
            self.refresh_bindings()  # the keys that waited for the full backend are on now
            self._pop_waiting()  # a call from the phone system needs the full backend
            return  # the early board goes on, with the full backend behind it now
        if backend.staff is not None or not self.sign_in:
            self._begin(backend)
            return
        if self.form_first:
            if isinstance(self.screen, HasProgress):
                self.screen.progress("")  # the form goes on: nothing more to wait for
            return
        from frontdesk.ui.account.sign_in import SignInScreen

        self.push_screen(SignInScreen(self.opening, demo=self.demo), self._signed_in)

    def _early_board(self, backend: Backend) -> bool:
        """Whether the board shown early (by the light way) is the same person's: it stays."""
        from frontdesk.ui.calendar.board.screen import TodayScreen

        seen = self._glance
        return (seen is not None and backend.staff == seen.person.username
                and any(isinstance(s, TodayScreen) for s in self.screen_stack))

    def _signed_in(self, backend: Backend | None) -> None:
        if backend is not None:
            self._begin(backend)

    def _begin(self, backend: Backend) -> None:
        """``backend``'s person starts afresh on the board: every screen of whoever was signed
        in before closes (their unfinished call stays saved as a draft for them)."""
        self.backend = backend
        self._show_board(backend)
        self._pop_waiting()

    def _show_board(self, backend: Backend, *, first: DayBoard | None = None) -> None:
        from frontdesk.ui.calendar.board.screen import TodayScreen

        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._last_input = monotonic()
        self.push_screen(TodayScreen(backend, poll_seconds=self.poll_seconds, first=first))

    # -- the caller pop: the phone system says who is calling

    def caller_pop(self, number: str) -> str:
        """A number (E.164) from the phone system: see ``frontdesk.ui.call.pop``."""
        if self._pops is None:
            from frontdesk.ui.call.pop import CallerPops

            self._pops = CallerPops(self)
        return self._pops.arrived(number)

    def pop_opening(self) -> bool:
        return self._pops is not None and self._pops.busy

    def _pop_waiting(self) -> None:
        """Someone is signed in (or back from the lock): the call waiting for them opens once
        the screen in front has settled."""
        if self._pops is not None:
            self.call_after_refresh(self._pops.deliver)

    def action_start_call(self) -> None:
        """F2: the call from the phone system when one waits, else as always."""
        if self._pops is not None and self._pops.take():
            return
        super().action_start_call()

    async def _listen(self) -> None:
        from frontdesk.services.pop.channel import ChannelRefused, Listener

        assert self._listen_in is not None
        listener = Listener(self._listen_in, self.caller_pop, database=self._listen_as)
        try:
            await listener.start()
        except (ChannelRefused, OSError) as exc:
            self.notify(f"{exc}", title="Calls from the phone system cannot reach this session",
                        severity="warning", timeout=20, markup=False)
            return
        if self._closing:
            listener.close()
        else:
            self._listener = listener

    def on_unmount(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._closing = True
        self.opening.failed("frontdesk is closing")  # wakes any worker still waiting for it
        if self.backend is not None:
            self.backend.close()
        if self._glance is not None:
            self._glance.close()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in HIDDEN_SYSTEM_COMMANDS:
                yield command
        if isinstance(screen, HasPaletteCommands):
            yield from screen.palette_commands()


def _use_context(ctx: Context, staff: str | None, sign_in: bool) -> Connect:
    def connect(_report: Report) -> Opened:
        from frontdesk.ui.backend.door import Backend, Opened  # services load in the worker

        return Opened(Backend.create(ctx, staff=staff, sign_in=sign_in))

    return connect


def make_app(db: str, *, demo: bool = False, clock: Callable[[], datetime] | None = None,
             settings: Settings | LoadedSettings | None = None,
             poll_seconds: float = POLL_SECONDS, staff: str | None = None,
             theme: str | None = None, passwords_apart: bool = False,
             pop: str | None = None, listen: Path | None = None) -> FrontDeskApp:
    """The app on database ``db`` (a path or SQLAlchemy URL). Cheap: nothing opens until mount.

    ``demo``: seed the demo practice when the database is empty. ``settings``: loaded from the
    config directory when not given; their problems show as a warning. ``staff``: who acts;
    None (what the CLI passes) asks on the sign-in screen, unless the SSH login maps the OS user
    to a staff account. ``theme``: a Textual theme name (None: the default, textual-dark).
    ``passwords_apart``: check passwords in a child process (what the real app does, so that
    argon2's 64 MiB working memory is never the app's own; tests check in-process).
    ``pop``, ``listen``: the caller pop (see :class:`FrontDeskApp`).
    """

    origin = app_origin(os.environ)
    listen_as = ""
    if listen is not None:
        from frontdesk.services.pop.channel import database_tag

        listen_as = database_tag(db)

    def connect(report: Report) -> Opened:
        from frontdesk.services.config import LoadedSettings, load_settings

        if isinstance(settings, LoadedSettings):
            loaded = settings
        else:
            loaded = LoadedSettings(settings, ()) if settings is not None else load_settings()
        who = staff
        if who is None and origin.channel == "ssh":  # the board before the database stack
            from frontdesk.ui.backend.early import glance

            seen = glance(db, settings=loaded.settings, clock=clock or _utc_now, origin=origin)
            if seen is not None:
                # the board's code loads here, in the worker, not on the event loop
                import frontdesk.ui.calendar.board.screen  # noqa: F401
                report.early(seen)
                who = seen.person.username  # signed in (and audited) already
        from frontdesk.ui.backend.door import open_backend  # services load in the worker

        return open_backend(db, demo=demo, clock=clock, settings=loaded, report=report,
                            staff=who, sign_in=who is None,
                            passwords_apart=passwords_apart, origin=origin)

    return FrontDeskApp(connect=connect, poll_seconds=poll_seconds, theme=theme,
                        sign_in=staff is None, form_first=origin.channel != "ssh", demo=demo,
                        pop=pop, listen=listen, listen_as=listen_as)


def _utc_now() -> datetime:
    return datetime.now(UTC)
