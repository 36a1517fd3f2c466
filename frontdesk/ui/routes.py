"""Where the keys that work everywhere lead (F2 a call, F3 the treatments, F4 the report, F5 the
worklists), and which screen answers each navigation message. The app shell is built on it; the
features never open each other's screens, so this is the one place that knows them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import App
from textual.screen import Screen
from textual.widget import AwaitMount

from frontdesk.ui.navigation import CallPatient, EditHours, ShowAttention, ShowDay, ShowWeek

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend
    from frontdesk.ui.call.opening import CallOpener


#: The app's actions a password screen in front lets through.
OPEN_OVER_A_LOCK = frozenset({"quit", "help_quit", "focus_next", "focus_previous"})


class Routes(App[None]):
    """The app's ways to other screens; ``backend`` is set once the database is open."""

    backend: Backend | None = None
    _calls: CallOpener | None = None  # made on the first F2

    def action_start_call(self) -> None:
        """F2 from anywhere: the unfinished calls to resume, or a new call at once."""
        from frontdesk.ui.call.opening import CallOpener

        if self.backend is not None and not self.covered():
            self._calls = self._calls or CallOpener(self)  # F2 twice while opening: one call
            self._calls.open(self.backend)

    def call_opening(self) -> bool:
        """F2 (or a patient's call from a screen) is opening a call screen right now."""
        return self._calls is not None and self._calls.busy

    def pop_opening(self) -> bool:
        """The caller pop is opening a call screen right now (the app says)."""
        return False

    @on(CallPatient)
    def _call_patient(self, event: CallPatient) -> None:
        """A new call with ``event.patient_id`` as the caller (unfinished calls stay for F2)."""
        from frontdesk.ui.call.opening import CallOpener

        if self.backend is not None and not self.covered():
            self._calls = self._calls or CallOpener(self)
            self._calls.open_on(self.backend, event.patient_id)

    def action_treatments(self) -> None:
        """F3: the treatment lookup (a call screen shows it beside the call instead)."""
        from frontdesk.ui.treatments.screen import TreatmentScreen

        if (backend := self.backend) is not None and not self.covered():
            self._toggle(TreatmentScreen, lambda: TreatmentScreen(backend))

    def action_worklists(self) -> None:
        """F5: the worklists (again: closes them)."""
        from frontdesk.ui.worklists.hub import WorklistsScreen

        if (backend := self.backend) is not None and not self.covered():
            self._toggle(WorklistsScreen, lambda: WorklistsScreen(backend))

    # ------------------------------------------------------------------ the lock holds

    def _front(self) -> Screen[Any] | None:
        """The screen in front, under a list of keys shown over it."""
        stack = self._screen_stack
        front = [s for s in stack if not getattr(s, "TRANSIENT", False)]
        return front[-1] if front else None

    def covered(self) -> bool:
        """A password screen is in front (the lock, the sign-in, ``COVERS_APP``): nothing
        behind it may be reached — no call, no report, no palette, not even a list of keys."""
        return bool(getattr(self._front(), "COVERS_APP", False))

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        """Push ``screen`` — but over a password screen only another password screen: a
        screen opened by a worker that finished after the lock (a call, a list) stays shut,
        its callback never called."""
        if self.covered() and not getattr(screen, "COVERS_APP", False):
            return AwaitMount(self.screen, [])  # nothing to wait for
        self._close_keys()  # the screens change under the list: it closes first
        return super().push_screen(screen, *args, **kwargs)

    def pop_screen(self) -> Any:
        """A screen closing itself while a list of keys shows over it (a call logged by its
        worker, an unlock): the list closes with it, rather than in its stead."""
        top = self._screen_stack[-1] if self._screen_stack else None
        if getattr(top, "TRANSIENT", False) and not getattr(top, "closing", False):
            super().pop_screen()
        return super().pop_screen()

    def _close_keys(self) -> None:
        top = self._screen_stack[-1] if self._screen_stack else None
        if getattr(top, "TRANSIENT", False):
            top.closing = True  # type: ignore[union-attr]
            super().pop_screen()

    # ------------------------------------------------------------------ keys that work everywhere

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Over a password screen, only quitting (and moving between its fields). F4 is not
        offered before the database is open, nor over a call or a drill-down; it shows greyed
        out to a person whose role does not see the report."""
        if self.covered() and action not in OPEN_OVER_A_LOCK:
            return False
        if action == "keys":  # not while typing: there ? is text (F1 opens the list)
            focused = self.screen.focused
            return focused is None or not focused.check_consume_key("question_mark", "?")
        if action in ("start_call", "treatments", "worklists"):
            return True if self.backend is not None else None  # greyed until it is open
        if action != "daily_report":
            return True
        if self.backend is None:
            return False
        if getattr(self.screen, "REPORT_KEY_OFF", False):  # a call, a drill-down, the audit
            return False  # (a marker: importing those screens here cost the board ~30 ms)
        from frontdesk.domain.permissions import Permission  # after the first paint: loaded

        return True if self.backend.may(Permission.REPORTS) else None

    def action_keys(self) -> None:
        """?: every key of the screen in front (again: closes the list)."""
        from frontdesk.ui.widgets.keys import KeysScreen

        if isinstance(self.screen, KeysScreen):
            self.screen.action_close()
        elif not self.covered():
            self.push_screen(KeysScreen(self.screen))

    def action_keys_anywhere(self) -> None:
        """F1: the same, also while typing in a field."""
        self.action_keys()

    def action_daily_report(self) -> None:
        """F4: the daily report (not over a call: the caller comes first)."""
        from frontdesk.ui.report.screen import ReportScreen

        if (backend := self.backend) is not None and self.check_action("daily_report", ()):
            self._toggle(ReportScreen, lambda: ReportScreen(backend))

    def _toggle(self, kind: type[Screen[Any]], make: Callable[[], Screen[Any]]) -> None:
        """Close ``kind`` when it shows, else open it."""
        if isinstance(self.screen, kind):
            self.pop_screen()
        else:
            self.push_screen(make())

    @on(ShowDay)
    def _show_day(self, event: ShowDay) -> None:
        from frontdesk.ui.calendar.day.screen import DayViewScreen

        if self.backend is not None and not self.covered():
            self.push_screen(DayViewScreen(self.backend, day=event.day,
                                           location_id=event.location_id,
                                           poll_seconds=event.poll_seconds,
                                           visit_id=event.visit_id, move=event.move))

    @on(ShowWeek)
    def _show_week(self, event: ShowWeek) -> None:
        from frontdesk.ui.calendar.week.layout import Mode
        from frontdesk.ui.calendar.week.screen import WeekViewScreen

        mode = Mode.LOCATION if event.provider_id is None else Mode.PROVIDER
        if self.backend is not None and not self.covered():
            self.push_screen(WeekViewScreen(self.backend, day=event.day,
                                            location_id=event.location_id, mode=mode,
                                            subject=event.provider_id,
                                            poll_seconds=event.poll_seconds))

    @on(EditHours)
    def _edit_hours(self, event: EditHours) -> None:
        from frontdesk.ui.schedule.screen import ScheduleEditorScreen

        if self.backend is not None and not self.covered():
            self.push_screen(ScheduleEditorScreen(self.backend, provider_id=event.provider_id))

    @on(ShowAttention)
    def _show_attention(self, event: ShowAttention) -> None:
        from frontdesk.ui.attention.screen import AttentionScreen

        if self.backend is None or self.covered():
            return
        if any(isinstance(s, AttentionScreen) for s in self.screen_stack):
            while not isinstance(self.screen, AttentionScreen):  # back to it: no second list
                self.pop_screen()
            return
        self.push_screen(AttentionScreen(self.backend, location_id=event.location_id,
                                         poll_seconds=event.poll_seconds))
