"""The waitlist: who wants an earlier time, what they want and how long they have waited,
longest first. Enter looks for open times that suit the highlighted entry now and offers them
(the same offer as after a cancel: booked, declined, no answer, a message left); ``x`` takes an
entry off the list, asking why; ``l`` shows only who can come to one location (each in turn),
as the daily report's waitlist lines count them for that location.

Pushed by the Worklists hub: ``WaitlistScreen(backend)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.text import printable
from frontdesk.ui.text import phone_text
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.waitlist import INDENT, WaitlistMatches, show_when_back

if TYPE_CHECKING:
    from frontdesk.services.views import LocationView
    from frontdesk.services.worklists.waitlist import Match, WaitlistView
    from frontdesk.ui.backend.changes import Outcome
    from frontdesk.ui.backend.door import Backend


def entry_row(entry: WaitlistView, now: datetime) -> str:
    """Two lines: who, how long they have waited and the visit they hold; what they want."""
    days = entry.waited_days(now)
    waited = "since today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"
    held = ""
    if entry.held is not None:
        at = entry.held.local_start
        held = f" · has {at:%a} {at.day} {at:%b %H:%M}"
    return (f"{printable(entry.patient_short)} · {phone_text(entry.patient_phone)} · "
            f"waiting {waited}{held}\n{INDENT}{printable(entry.wants_text)}")


class RemoveDialog(ModalScreen[str | None]):
    """Why the entry comes off the list; dismisses with the reason, or None (Esc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Keep", id="waitlist_remove.back",
                tooltip="Keep them on the waitlist"),
    ]

    def __init__(self, entry: WaitlistView) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(id="waitlist-remove"):
            yield Static(f"Take {printable(self.entry.patient_short)} off the waitlist?\n"
                         f"{printable(self.entry.wants_text)}", id="waitlist-remove-title",
                         markup=False)
            yield Input(placeholder="Why (e.g. found a time, no longer needed)",
                        max_length=500, id="waitlist-remove-reason", compact=True)
            yield Static("", id="waitlist-remove-error", markup=False)
            yield Static("Enter takes them off · Esc keeps them", id="waitlist-remove-help",
                         markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#waitlist-remove-error", Static).update(
                "Say why they come off the waitlist; nothing was changed.")
            return
        self.dismiss(event.value.strip())


class WaitlistScreen(Screen[None]):
    """Read in a worker when shown and whenever the person comes back to it (``r`` too)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "times", "Open times", id="waitlist.times", priority=True,
                tooltip="Look for open times that suit the highlighted entry now, and offer "
                        "one"),
        Binding("x", "remove", "Remove", id="waitlist.remove",
                tooltip="Take the highlighted entry off the waitlist (asks why)"),
        Binding("l", "location", "Location", id="waitlist.location",
                tooltip="Only those who can come to one location (each in turn, then all)"),
        Binding("r", "refresh", "Refresh", id="waitlist.refresh",
                tooltip="Read the waitlist again now"),
        Binding("escape,backspace", "back", "Back", id="waitlist.back", key_display="esc",
                tooltip="Back to where the list was opened from"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.entries: tuple[WaitlistView, ...] = ()
        self.loaded = False
        self.places: tuple[LocationView, ...] = ()
        self.place: LocationView | None = None  # None: every location

    def compose(self) -> ComposeResult:
        yield Static("Waitlist · all locations", id="waitlist-title", markup=False)
        yield Static("Loading…", id="waitlist-note", markup=False)
        yield OptionList(id="waitlist-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        # shown anew: the read is audited (a list of patients); back from an offer or a
        # removal it is the same list kept fresh
        self.reload(audit=not self.loaded)

    def reload(self, *, audit: bool = False) -> None:
        self._read(audit)

    @work(thread=True, exclusive=True, group="waitlist", exit_on_error=False)
    def _read(self, audit: bool) -> tuple[list[WaitlistView], datetime,
                                          tuple[LocationView, ...]]:
        place = self.place.id if self.place is not None else None
        return (self.backend.waitlist(place, audit=audit), self.backend.ctx.now(),
                self.places or self.backend.locations())

    @on(Worker.StateChanged)
    def _worked(self, event: Worker.StateChanged) -> None:
        group, state = event.worker.group, event.state
        if group == "waitlist":
            note = self.query_one("#waitlist-note", Static)
            if state == WorkerState.ERROR:
                note.update("Could not read the waitlist. Press r to try again.")
            elif state == WorkerState.SUCCESS and event.worker.result is not None:
                entries, now, self.places = event.worker.result
                self._paint(tuple(entries), now)
        elif group == "waitlist-times" and state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._offer_times(event.worker.result if state == WorkerState.SUCCESS else None)
        elif group == "waitlist-remove" and state in (WorkerState.SUCCESS, WorkerState.ERROR):
            outcome: Outcome | None = event.worker.result
            if outcome is None:
                self.notify("Could not reach the database; nothing was changed.",
                            severity="error", markup=False)
            else:
                self.notify(outcome.message, severity=outcome.severity, markup=False)
            self.reload()

    def _paint(self, entries: tuple[WaitlistView, ...], now: datetime) -> None:
        listing = self.query_one(OptionList)
        keep = self.selected.id if self.selected is not None else None
        self.entries, self.loaded = entries, True
        listing.clear_options()
        listing.add_options([Option(Content(entry_row(e, now)), id=str(e.id))
                             for e in entries])
        ids = [e.id for e in entries]
        if ids:
            listing.highlighted = ids.index(keep) if keep in ids else 0
        where = f" for {self.place.name}" if self.place is not None else ""
        self.query_one("#waitlist-title", Static).update(
            f"Waitlist · {self.place.name if self.place is not None else 'all locations'}")
        self.query_one("#waitlist-note", Static).update(
            self._ready_note() if entries
            else f"Nobody is waiting for an earlier time{where}.")
        self.refresh_bindings()

    def _ready_note(self) -> str:
        return (f"{len(self.entries)} waiting, longest first · Enter: open times to offer · "
                "x: remove")

    @property
    def selected(self) -> WaitlistView | None:
        listing = self.query_one(OptionList)
        if not self.loaded or listing.highlighted is None or not self.entries:
            return None
        return self.entries[min(listing.highlighted, len(self.entries) - 1)]

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("times", "remove"):
            return True if self.selected is not None else None
        if action == "location":
            return True if self.places else None
        return True

    def action_times(self) -> None:
        entry = self.selected
        if entry is None:
            return
        self.query_one("#waitlist-note", Static).update(
            f"Looking for open times for {printable(entry.patient_short)}…")
        self._times(entry)

    @work(thread=True, exclusive=True, group="waitlist-times", exit_on_error=False)
    def _times(self, entry: WaitlistView) -> tuple[WaitlistView, list[Match]]:
        return entry, self.backend.waitlist_slots(entry.id)

    def _offer_times(self, result: tuple[WaitlistView, list[Match]] | None) -> None:
        note = self.query_one("#waitlist-note", Static)
        if result is None:
            note.update("Could not look for open times. Press Enter to try again.")
            return
        entry, found = result
        if not found:
            note.update(f"No open time suits {printable(entry.patient_short)} now; they "
                        "stay on the list for a cancellation.")
            return
        note.update(self._ready_note())
        show_when_back(self, WaitlistMatches(
            self.backend, f"Open times for {printable(entry.patient_short)} · "
                          f"{printable(entry.wants_text)}", found,
            lambda: self.backend.waitlist_slots(entry.id), by_time=True))

    def action_remove(self) -> None:
        entry = self.selected
        if entry is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason:
                self._remove(entry, reason)

        self.app.push_screen(RemoveDialog(entry), reason_given)

    @work(thread=True, group="waitlist-remove", exit_on_error=False)
    def _remove(self, entry: WaitlistView, reason: str) -> Outcome:
        return self.backend.remove_from_waitlist(entry, reason)

    def action_refresh(self) -> None:
        self.reload()

    def action_location(self) -> None:
        """The next location in turn (those who can come there, or who named none), then
        every location again."""
        if not self.places:
            return
        ids = [p.id for p in self.places]
        at = ids.index(self.place.id) + 1 if self.place is not None else 0
        self.place = self.places[at] if at < len(self.places) else None
        self.query_one("#waitlist-note", Static).update("Loading…")
        self.reload()

    def action_back(self) -> None:
        self.dismiss()
