"""The caller pop: the phone system said who is calling (``frontdesk call --from``, or the
running session's local channel), and the call screen opens on them — the patients with that
number listed to pick from (one: highlighted, "Caller ID matches …: confirm name and date of
birth", one Enter takes it; caller ID can be faked, or the spouse calls, so nobody is the
call's caller until the desk picks them), or the new-patient form with the number filled in.

It opens only for someone signed in, never behind the lock or the sign-in form: until then the
pop waits (and says nothing about the caller). An open call is never replaced: the desk is told
"Call from … — F2 to take it", and F2 (once that call is left or ended) opens it. A pop not taken
within :data:`KEEP_SECONDS` is said to be missed instead of opening long after the phone rang; so
is one a newer call replaced before it was taken (once someone signed in may be told). A call
screen is never opened over another one, nor while F2 is opening one (nor F2's while this is).
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING, Any, Protocol

from frontdesk.ui.text import phone_text

if TYPE_CHECKING:
    from textual.screen import Screen

    from frontdesk.services.calls import CallView
    from frontdesk.services.views import LocationView, PatientView
    from frontdesk.ui.backend.door import Backend

KEEP_SECONDS = 10 * 60
FAILED = "Could not open the call from the phone system: the database did not answer. F2 " \
         "starts a call."
WAITING = "A call came in: it opens once you have signed in."
TAKE = " — F2 to take it (Esc leaves this call as a draft first)."


class PopHost(Protocol):
    """The app, as the pop needs it."""

    backend: Backend | None

    def covered(self) -> bool: ...

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...

    def notify(self, message: str, *, title: str = ..., severity: Any = ...,
               timeout: float | None = ..., markup: bool = ...) -> None: ...

    def push_screen(self, *args: Any, **kwargs: Any) -> Any: ...

    def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...

    def call_opening(self) -> bool: ...

    def call_from_thread(self, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Pop:
    number: str  # E.164
    at: float  # monotonic seconds


class CallerPops:
    """The pop waiting to be shown (the latest only: the phone rings for the newest caller)."""

    def __init__(self, app: PopHost, *, clock: Any = monotonic) -> None:
        self.app = app
        self.clock = clock
        self.pending: Pop | None = None
        self.missed: list[Pop] = []  # replaced by a newer call before taken: to be said
        self.busy = False

    # ------------------------------------------------------------------ a number arrives

    def arrived(self, number: str) -> str:
        """A number from the phone system: ``shown``, ``queued`` (a call is open: told,
        F2 takes it) or ``held`` (nobody signed in, or the screen locked)."""
        if self.pending is not None and self.pending.number != number:  # not a repeat of it
            self.missed.append(self.pending)
        self.pending = Pop(number, self.clock())
        if not self.ready():
            if self.app.covered():  # the sign-in form or the lock: nothing about the caller
                self.app.notify(WAITING, markup=False)
            return "held"
        self._say_missed()
        if self.call_open() or self.busy:
            self._tell()
            return "queued"
        self.take()
        return "shown"

    def ready(self) -> bool:
        backend = self.app.backend
        return backend is not None and backend.person is not None and not self.app.covered()

    def call_open(self) -> bool:
        """A call screen is open, or F2 is opening one."""
        from frontdesk.ui.call.screen import CallScreen

        return (any(isinstance(s, CallScreen) for s in self.app.screen_stack)
                or self.app.call_opening())

    def _say_missed(self) -> None:
        """The calls a newer one replaced before they were taken (said only to someone signed
        in: nothing about a caller shows behind the lock)."""
        for pop in self.missed:
            self.app.notify(f"Missed: a call from {phone_text(pop.number)} (a newer call came "
                            "in before it was taken).", severity="warning", timeout=30,
                            markup=False)
        self.missed = []

    def deliver(self) -> None:
        """Someone is signed in again (or the lock lifted): the waiting pop, if any."""
        pop = self.pending
        if not self.ready():
            return
        self._say_missed()
        if pop is None:
            return
        if self.clock() - pop.at > KEEP_SECONDS:
            self.pending = None
            self.app.notify(f"Missed while signed out: a call from {phone_text(pop.number)}.",
                            severity="warning", timeout=30, markup=False)
        elif self.call_open() or self.busy:
            self._tell()
        else:
            self.take()

    def _tell(self) -> None:
        if self.pending is not None:
            self._untell()  # the newest caller only: an older "F2 to take it" is no longer so
            self.app.notify(f"Call from {phone_text(self.pending.number)}{TAKE}",
                            timeout=30, markup=False)

    def _untell(self) -> None:
        """The "F2 to take it" toasts go once F2 has taken the call (or a newer one came)."""
        shown = getattr(self.app, "_notifications", None)
        unnotify = getattr(self.app, "_unnotify", None)
        if shown is None or unnotify is None:
            return
        for toast in list(shown):
            if str(getattr(toast, "message", "")).endswith(TAKE):
                unnotify(toast)

    # ------------------------------------------------------------------ opening it

    def take(self) -> bool:
        """Open the call screen on the waiting pop (F2, or at once): whether one was opened."""
        pop, backend = self.pending, self.app.backend
        if pop is None or backend is None or self.busy or not self.ready() or self.call_open():
            return False
        self.pending = None
        self._untell()
        if self.clock() - pop.at > KEEP_SECONDS:
            self.app.notify(f"Missed: a call from {phone_text(pop.number)}.",
                            severity="warning", timeout=30, markup=False)
            return False
        self.busy = True
        self.app.run_worker(lambda: self._read(backend, pop), name="call-pop", group="call-pop",
                            thread=True, exit_on_error=False)
        return True

    def _read(self, backend: Backend, pop: Pop) -> None:
        try:
            found = backend.callers(pop.number)
            places = backend.locations()
            # nobody is the call's caller yet, not even the one match: the desk confirms
            call = backend.save_call(backend.start_call(),
                                     answers={"search": phone_text(pop.number)})
            self.app.call_from_thread(self._show, backend, pop, call, found, places)
        except Exception:
            self.app.call_from_thread(self._failed)

    def _failed(self) -> None:
        self.busy = False
        self.app.notify(FAILED, severity="error", markup=False)

    def _show(self, backend: Backend, pop: Pop, call: CallView,
              found: tuple[PatientView, ...], places: tuple[LocationView, ...]) -> None:
        from frontdesk.ui.call.screen import CallScreen

        self.busy = False
        if backend is not self.app.backend or not self.ready() or self.call_open():
            # locked, someone else signed in, or F2 opened a call meanwhile: it waits (the
            # call just started stays as a draft of the person who started it)
            self.pending = self.pending or pop
            if self.ready():
                self._tell()
            return
        self.app.push_screen(CallScreen(backend, call, locations=places, popped=pop.number,
                                        callers=found))
