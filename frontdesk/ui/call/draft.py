"""The call as a draft: every change is saved at once, so a killed terminal loses nothing, and
ending the call logs it with its outcome.

Saves run one at a time in a thread: a change made while one is on its way is sent right after
it, against the version the first save returned. A call changed in another terminal meanwhile
comes back as that version, with a plain warning.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual import on, work
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.calls import VISIT_OUTCOMES, CallOutcome

if TYPE_CHECKING:
    from frontdesk.services.calls import CallView
    from frontdesk.services.views import AppointmentView, PatientView
    from frontdesk.ui.backend.door import Backend

NOTE_DELAY = 0.5  # seconds after the last key before the note is saved
DID_KEY = "did"  # the draft's answers: [[outcome, appointment id], …] in the order done


def did_from(answers: dict[str, Any]) -> dict[CallOutcome, int]:
    """What a stored draft did to visits; anything that does not read as such is skipped."""
    did: dict[CallOutcome, int] = {}
    stored = answers.get(DID_KEY)
    for item in stored if isinstance(stored, list) else ():
        if (isinstance(item, list) and len(item) == 2 and item[0] in set(VISIT_OUTCOMES)
                and isinstance(item[1], int) and not isinstance(item[1], bool)):
            did.pop(CallOutcome(item[0]), None)
            did[CallOutcome(item[0])] = item[1]
    return did


def elapsed(since: datetime, now: datetime) -> str:
    """'02:07' (or '1:02:07' past an hour)."""
    seconds = max(0, int((now - since).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return (f"{hours}:" if hours else "") + f"{rest // 60:02d}:{rest % 60:02d}"


class DraftCall(Screen[None]):
    """The call screen's record: ``call`` as last saved, the ``patient`` once identified, the
    visit it ``booked``; the screen built on it shows them in ``#call-status`` and
    ``#call-note``."""

    def __init__(self, backend: Backend, call: CallView) -> None:
        super().__init__()
        self.backend = backend
        self.call = call
        self.patient: PatientView | None = None
        self.booked: AppointmentView | None = None
        # booked / moved / cancelled, in the order done, each with the visit it changed: kept
        # in the draft's answers ("did"), so a resumed call still offers them at its end
        self._did: dict[CallOutcome, int] = did_from(call.answers)
        self._callback: tuple[datetime, str] | None = None  # when and what about, once asked
        self._reached = True  # False: logged as the patient called back not answering
        self._pending: dict[str, Any] = {}
        self._inflight: dict[str, Any] = {}  # changes in the save on its way
        self._pending_loud = self._inflight_loud = False  # say "Saving…", "Draft saved…"
        self._saving = False
        self._note_timer: Timer | None = None

    @on(Worker.StateChanged)
    def _draft_worked(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if event.worker.group == "call-save":
            self._saved(event.worker)
        elif event.worker.group == "call-finish":
            self._finished(event.worker)

    def _answers(self) -> dict[str, Any]:
        """The draft's answers with any change still on its way."""
        return dict(self._latest("answers"))

    def _latest(self, key: str) -> Any:
        """A draft field as it will be once the saves queued and on their way are done."""
        for changes in (self._pending, self._inflight):
            if key in changes:
                return changes[key]
        return getattr(self.call, key)

    def _save(self, *, quiet: bool = False, **changes: Any) -> None:
        """Queue ``changes``; one save at a time, each against the version the last returned.
        ``quiet``: the status line keeps what it says (e.g. "Booked: …") for this save."""
        self._pending.update(changes)
        self._pending_loud = self._pending_loud or not quiet
        if not self._saving:
            self._send()

    def _send(self) -> None:
        changes, self._pending = self._pending, {}
        self._inflight = changes
        self._saving = True
        self._inflight_loud, self._pending_loud = self._pending_loud, False
        if self._inflight_loud:
            self.query_one("#call-status", Static).update("Saving…", layout=False)
        self._write(self.call, changes)

    @work(thread=True, group="call-save", exit_on_error=False)
    def _write(self, call: CallView, changes: dict[str, Any]) -> CallView:
        return self.backend.save_call(call, **changes)

    def _saved(self, worker: Worker[Any]) -> None:
        from frontdesk.services.calls import StaleCall

        self._saving = False
        self._inflight = {}
        status = self.query_one("#call-status", Static)
        if worker.state == WorkerState.SUCCESS and worker.result is not None:
            self.call = worker.result
            saved = self.call.updated_at.astimezone(ZoneInfo(self.backend.zone))
            if self._inflight_loud:
                status.update(f"Draft saved at {saved:%H:%M:%S}.", layout=False)
        elif isinstance(worker.error, StaleCall):
            self.call, self._pending = worker.error.current, {}
            self.notify("This call was changed in another terminal; showing that version.",
                        severity="warning", markup=False)
            status.update("Reloaded the version saved elsewhere.", layout=False)
            return
        else:
            status.update("Could not save the draft; it will be saved with the next change.",
                          layout=False)
        if self._pending:
            self._send()

    @on(Input.Changed, "#call-note")
    def _noted(self, event: Input.Changed) -> None:
        if self._note_timer is not None:
            self._note_timer.stop()
        text = event.value
        self._note_timer = self.set_timer(NOTE_DELAY, lambda: self._save(note=text))

    def _flush_note(self) -> None:
        if self._note_timer is not None:
            self._note_timer.stop()
            self._note_timer = None
            note = self.query_one("#call-note", Input).value
            if note != self.call.note:
                self._save(note=note)

    @property
    def did(self) -> list[CallOutcome]:
        """What the call did to visits (booked, moved, cancelled), in the order done."""
        return list(self._did)

    def _done(self, outcome: CallOutcome, appointment_id: int) -> None:
        """The call booked, moved or cancelled a visit: the outcome offered first at its end,
        saved with the draft."""
        self._did.pop(outcome, None)
        self._did[outcome] = appointment_id
        self._save(answers={**self._answers(),
                            DID_KEY: [[o.value, a] for o, a in self._did.items()]},
                   quiet=True)  # the status line says what was done

    def _end(self, outcome: CallOutcome, callback: tuple[datetime, str] | None = None, *,
             reached: bool = True) -> None:
        """Log the call; ``reached=False``: the patient called back did not answer."""
        if self._saving or self._pending:
            # after the draft's last save
            self.set_timer(0.1, lambda: self._end(outcome, callback, reached=reached))
            return
        self._callback = callback
        self._reached = reached
        self._finish(outcome, self.query_one("#call-note", Input).value, callback, reached)

    @work(thread=True, exclusive=True, group="call-finish", exit_on_error=False)
    def _finish(self, outcome: CallOutcome, note: str,
                callback: tuple[datetime, str] | None, reached: bool) -> CallView:
        return self.backend.finish_call(self.call, outcome, note, self._visit_of(outcome),
                                        callback=callback, reached=reached)

    def _visit_of(self, outcome: CallOutcome) -> int | None:
        """The appointment an outcome names: the one booked, moved or cancelled (no other
        outcome names one)."""
        return self._did.get(outcome) if outcome in VISIT_OUTCOMES else None

    def _finished(self, worker: Worker[Any]) -> None:
        if worker.state == WorkerState.SUCCESS and worker.result is not None:
            call: CallView = worker.result
            length = elapsed(call.started_at, call.ended_at or call.updated_at)
            outcome = call.outcome.label if call.outcome else ""
            due = self._callback[0] if self._callback and call.outcome else None
            then = (f" Callback due {due:%a} {due.day} {due:%b %H:%M}: it is on the "
                    "callbacks list." if due is not None else "")
            if not self._reached:
                then = " No answer: the callback stays on the list, due again in 2 hours."
            self.notify(f"Call logged: {outcome} ({length}).{then}", markup=False)
            self.dismiss()
            return
        message = getattr(worker.error, "message", "") or str(worker.error or "")
        said = f"The call was not logged: {message[:120]}"
        self.query_one("#call-status", Static).update(said, layout=False)
        self.notify(said, severity="warning", markup=False)
