"""The callbacks due, shown on a new call before the caller is known: Enter calls the patient
back (about their injection, or what the call that scheduled it noted), ``n`` keeps the callback
for later (nobody answered)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.text import printable
from frontdesk.ui.call.draft import DraftCall

if TYPE_CHECKING:
    from frontdesk.services.callbacks import CallbackView


def callback_line(callback: CallbackView, zone: Any, today: Any) -> str:
    """'overdue 08:45 · Testcase, C. · relief report · block Mon 9 Mar L4-L5', or 'due 16:05 ·
    Testcase, C. · call back: wants a Friday'."""
    due = callback.due_at.astimezone(zone)
    when = f"{due:%H:%M}" if due.date() == today else f"{due:%a %H:%M}"
    about = ""
    if callback.procedure_at is not None:
        done = callback.procedure_at.astimezone(zone)
        about = f" · block {done:%a} {done.day} {done:%b}"
        about += f" {callback.levels or callback.region or ''}".rstrip()
    if callback.note and not about:  # a "call back": what it is about
        about = f": {callback.note}"
    return (f"{'overdue' if callback.overdue else 'due'} {when} · "
            f"{printable(callback.patient_short)} · "
            f"{printable(callback.label.lower() + about)}")


class CallbackList(OptionList):
    """The callbacks due. Enter works the highlighted one; ``n``: no answer, try later."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "no_answer", "No answer", id="callbacks.no_answer",
                tooltip="Nobody answered: keep the callback, due again in 2 hours"),
    ]

    class NoAnswer(Message):
        def __init__(self, callback_id: str) -> None:
            super().__init__()
            self.callback_id = callback_id

    def action_no_answer(self) -> None:
        if self.highlighted is not None:
            option = self.get_option_at_index(self.highlighted)
            if option.id is not None:
                self.post_message(self.NoAnswer(option.id))


class CallbacksDue(DraftCall):
    """The callbacks-due list of a call not yet identified (``#call-callbacks`` and its title):
    read when the call opens, kept when nobody answered, hidden once the caller is known."""

    callbacks: tuple[CallbackView, ...] = ()

    @on(Worker.StateChanged)
    def _callbacks_worked(self, event: Worker.StateChanged) -> None:
        group, state, worker = event.worker.group, event.state, event.worker
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if group == "call-callback-retry":
            if state == WorkerState.SUCCESS and worker.result is not None:
                due = worker.result.due_at.astimezone(ZoneInfo(self.backend.zone))
                self.notify(f"No answer: the callback is due again at {due:%H:%M}.",
                            markup=False)
                self._due()
            else:
                self.notify("The callback could not be updated; try again.",
                            severity="warning", markup=False)
        elif group == "call-callbacks" and state == WorkerState.SUCCESS:
            self._show_callbacks(worker.result or ())

    @work(thread=True, exclusive=True, group="call-callbacks", exit_on_error=False)
    def _due(self) -> tuple[CallbackView, ...]:
        return tuple(self.backend.callbacks_due())

    def _show_callbacks(self, due: tuple[CallbackView, ...]) -> None:
        self.callbacks = due
        title = self.query_one("#call-callbacks-title", Static)
        listing = self.query_one("#call-callbacks", OptionList)
        show = bool(due) and self.patient is None
        title.display = listing.display = show
        if not show:
            return
        zone = ZoneInfo(self.backend.zone)
        title.update(f"Callbacks due ({len(due)}) · Ctrl+R, then Enter to call back, "
                     "n no answer")
        listing.clear_options()
        listing.add_options([Option(Content(callback_line(c, zone, self.backend.today())),
                                    id=str(c.id))
                             for c in due])

    def action_callbacks(self) -> None:
        listing = self.query_one("#call-callbacks", OptionList)
        if not self.callbacks:
            self.notify("No callbacks are due.", markup=False)
            return
        if self.patient is not None:
            self.notify("This call already has a caller; start a new call (F2) for a callback.",
                        markup=False)
            return
        listing.highlighted = 0
        listing.focus()

    @on(CallbackList.NoAnswer)
    def _no_answer(self, event: CallbackList.NoAnswer) -> None:
        chosen = next((c for c in self.callbacks if str(c.id) == event.callback_id), None)
        if chosen is not None:
            self._retry(chosen)

    @work(thread=True, group="call-callback-retry", exit_on_error=False)
    def _retry(self, callback: CallbackView) -> CallbackView:
        return self.backend.retry_callback(callback)
