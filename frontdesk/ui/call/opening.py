"""F2 from any screen: the unfinished calls to resume, or a new call at once. The drafts are
read in a worker; pressing F2 again while a call is being opened still opens one call, and no
call screen is ever pushed while one is open or being opened (by the caller pop too)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from frontdesk.ui.call.dialogs import ResumeDialog
from frontdesk.ui.call.screen import CallScreen

if TYPE_CHECKING:
    from textual.app import App

    from frontdesk.services.calls import CallView
    from frontdesk.services.views import LocationView
    from frontdesk.ui.backend.door import Backend

FAILED = "Could not start the call: the database did not answer. Try F2 again."
FAILED_ON = "Could not start the call on the patient: the database did not answer. Try again."


class CallOpener:
    """Opens calls for ``app``; ``busy`` while one is on its way."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.busy = False

    def call_shown(self) -> bool:
        """A call screen is open (anywhere in the stack), or the caller pop is opening one."""
        pop_opening = getattr(self.app, "pop_opening", None)  # the app's caller pop
        return (any(isinstance(s, CallScreen) for s in self.app.screen_stack)
                or bool(pop_opening is not None and pop_opening()))

    def open(self, backend: Backend) -> None:
        """Resume or start a call, unless one is already open or being opened."""
        if self.busy or self.call_shown():
            return
        self.busy = True
        self._run(partial(self._read, backend))

    def open_on(self, backend: Backend, patient_id: int) -> None:
        """A new call with ``patient_id`` as the caller, unless a call is open or opening."""
        if self.busy or self.call_shown():
            return
        self.busy = True
        self._run(partial(self._start_on, backend, patient_id))

    def _start_on(self, backend: Backend, patient_id: int) -> None:
        try:
            places = backend.locations()
            call = backend.save_call(backend.start_call(), patient_id=patient_id)
            self.app.call_from_thread(self._show, backend, call, [], places)
        except Exception:  # the database went away, or the patient's record did
            self.app.call_from_thread(self._failed, FAILED_ON)

    def _run(self, work: Any) -> None:
        self.app.run_worker(work, name="call-open", group="call-open", exclusive=True,
                            thread=True, exit_on_error=False)

    def _read(self, backend: Backend) -> None:
        try:
            drafts = backend.open_calls()
            places = backend.locations()
            call = None if drafts else backend.start_call()
            self.app.call_from_thread(self._show, backend, call, drafts, places)
        except Exception:  # the database went away (or the call could not show): say so,
            self.app.call_from_thread(self._failed)  # and F2 can try again

    def _start(self, backend: Backend, places: tuple[LocationView, ...]) -> None:
        try:
            call = backend.start_call()
            self.app.call_from_thread(self._show, backend, call, [], places)
        except Exception:
            self.app.call_from_thread(self._failed)

    def _failed(self, message: str = FAILED) -> None:
        self.busy = False
        self.app.notify(message, severity="error", markup=False)

    def _covered(self) -> bool:
        """The screen was locked (or someone else is signing in) while the call was read:
        nothing with a patient's details opens over it. The call is saved as a draft, so F2
        resumes it once the screen is unlocked."""
        covered = getattr(self.app, "covered", None)
        return bool(covered is not None and covered())

    def _show(self, backend: Backend, call: CallView | None, drafts: list[CallView],
              places: tuple[LocationView, ...]) -> None:
        self.busy = False
        if self._covered() or self.call_shown():
            return  # behind a lock, or a call opened meanwhile: the draft stays, for F2
        if call is not None:
            self.app.push_screen(CallScreen(backend, call, locations=places))
            return

        def chosen(choice: CallView | str | None) -> None:
            if self._covered() or self.call_shown() or self.busy:
                return
            if choice == "new":
                self.busy = True
                self._run(partial(self._start, backend, places))
            elif choice is not None and not isinstance(choice, str):
                self.app.push_screen(CallScreen(backend, choice, locations=places))

        self.app.push_screen(ResumeDialog(drafts, ZoneInfo(backend.zone)), chosen)
