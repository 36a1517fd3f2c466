"""A caller wants an earlier time: where they can come, which days, from and to what time,
until when — a small keyboard form (Tab between fields, Enter saves) that puts them on the
waitlist, for a visit type being booked or for a visit they hold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, SelectionList, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.dates import (
    DateWordsError,
    parse_clock_words,
    parse_date_words,
    parse_weekday_words,
)
from frontdesk.ui.backend.waitlist import Wish

if TYPE_CHECKING:
    from frontdesk.services.views import LocationView
    from frontdesk.ui.backend.changes import Outcome
    from frontdesk.ui.backend.door import Backend

class FormError(ValueError):
    """A field's value cannot be read; the message names it."""


def parse_weekdays(text: str) -> tuple[int, ...]:
    try:
        return parse_weekday_words(text)
    except DateWordsError as exc:
        raise FormError(f"Days: {exc}") from None


def _clock(text: str, label: str) -> time | None:
    if not text.strip():
        return None
    try:
        return parse_clock_words(text)
    except DateWordsError as exc:
        raise FormError(f"{label}: {exc}") from None


class WaitlistForm(ModalScreen[str | None]):
    """Saves the wish through the backend (in a worker; a refusal shows here) and dismisses
    with what was said, or None (Esc: nothing saved)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="waitlist_form.back",
                tooltip="Back without putting them on the waitlist"),
        Binding("ctrl+s", "save", "Save", id="waitlist_form.save",
                tooltip="Put them on the waitlist with what the form says"),
        Binding("enter", "save", "Save", id="waitlist_form.save_enter", show=False,
                priority=True, tooltip="Put them on the waitlist (from any field; Space "
                                       "ticks a location)"),
    ]

    def __init__(self, backend: Backend, heading: str, wish: Wish, *, today: date) -> None:
        super().__init__()
        self.backend = backend
        self.heading = heading
        self.wish = wish
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="waitlist-form"):
            yield Static(self.heading, id="waitlist-form-title", markup=False)
            yield Static("Where (Space ticks; none ticked: any location)",
                         id="waitlist-form-where", markup=False)
            yield SelectionList[int](id="waitlist-form-places", compact=True)
            with Horizontal(classes="waitlist-form-row"):
                yield Static("Days", classes="waitlist-form-label", markup=False)
                yield Input(placeholder="any, or mon wed fri, mon-fri",
                            id="waitlist-form-days", compact=True)
            with Horizontal(classes="waitlist-form-row"):
                yield Static("From", classes="waitlist-form-label", markup=False)
                yield Input(placeholder="e.g. 8:00 (empty: opening)", id="waitlist-form-from",
                            compact=True)
                yield Static("To", classes="waitlist-form-label -short", markup=False)
                yield Input(placeholder="e.g. 12:00 (empty: closing)", id="waitlist-form-to",
                            compact=True)
            with Horizontal(classes="waitlist-form-row"):
                yield Static("Until", classes="waitlist-form-label", markup=False)
                yield Input(placeholder="e.g. 4/30, in 6 weeks (empty: no end)",
                            id="waitlist-form-until", compact=True)
            with Horizontal(classes="waitlist-form-row"):
                yield Static("Note", classes="waitlist-form-label", markup=False)
                yield Input(placeholder="optional", id="waitlist-form-note", max_length=500,
                            compact=True)
            yield Static("", id="waitlist-form-error", markup=False)
            yield Static("Tab: next field · Enter or Ctrl+S saves · Esc: back",
                         id="waitlist-form-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#waitlist-form-days").focus()
        self._places()

    @work(thread=True, exclusive=True, group="waitlist-form-places", exit_on_error=False)
    def _places(self) -> tuple[LocationView, ...]:
        return self.backend.locations()

    def _placed(self, places: Sequence[LocationView]) -> None:
        listing = self.query_one(SelectionList)
        listing.add_options([(place.name, place.id) for place in places])
        if places:
            listing.highlighted = 0
            listing.focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#waitlist-form-{name}", Input).value

    def _read(self) -> Wish:
        days = parse_weekdays(self._value("days"))
        earliest = _clock(self._value("from"), "From")
        latest = _clock(self._value("to"), "To")
        if earliest is not None and latest is not None and earliest >= latest:
            raise FormError(f"From {earliest:%H:%M} must be before To {latest:%H:%M}")
        until = None
        if self._value("until").strip():
            try:
                until = parse_date_words(self._value("until"), today=self.today)
            except DateWordsError as exc:
                raise FormError(f"Until: {exc}") from None
            if until < self.today:
                raise FormError(f"Until: {until:%a %d %b %Y} is past")
        places = tuple(self.query_one(SelectionList).selected)
        return Wish(self.wish.patient_id, self.wish.visit_type, self.wish.appointment_id,
                    self.wish.region, self.wish.levels, self.wish.side, places, days,
                    earliest, latest, until, self._value("note").strip())

    def action_save(self) -> None:
        try:
            wish = self._read()
        except FormError as exc:
            self._error(str(exc))
            return
        self._error("Saving…")
        self._save(wish)

    @work(thread=True, exclusive=True, group="waitlist-form", exit_on_error=False)
    def _save(self, wish: Wish) -> Outcome:
        return self.backend.add_to_waitlist(wish)

    @on(Worker.StateChanged)
    def _saved(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "waitlist-form-places":
            if event.state == WorkerState.SUCCESS and event.worker.result is not None:
                self._placed(event.worker.result)
            elif event.state == WorkerState.ERROR:
                self._error("Could not read the locations; any location is assumed.")
            return
        if event.worker.group != "waitlist-form":
            return
        if event.state == WorkerState.ERROR:
            self._error("Could not reach the database; nothing was saved. Try again.")
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            outcome: Outcome = event.worker.result
            if outcome.changed:
                self.dismiss(outcome.message)
            else:
                self._error(outcome.message)

    @on(Input.Changed)
    def _typing(self) -> None:
        self._error("")

    def _error(self, text: str) -> None:
        self.query_one("#waitlist-form-error", Static).update(text)
