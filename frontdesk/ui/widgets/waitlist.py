"""Waitlisted patients offered a time: the matches for a freed time (after a cancel or a
move, best first), or the open times that suit one entry. Enter on a row offers it: the line
to read aloud, then what came of it — booked (through the booking path, asking what any
booking asks), declined, no answer, a message left (the entry stays waiting).

``offer_freed_time`` is what the board, the day view and the call run after a visit's time
frees: it reads the matches in a worker and shows this screen only when there are some.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.pathway.script import waitlist_opening
from frontdesk.domain.text import printable
from frontdesk.ui.backend.changes import Move, NewBooking, Outcome, Said
from frontdesk.ui.text import phone_text
from frontdesk.ui.widgets.booking import CheckAnswers
from frontdesk.ui.widgets.readback import VisitReadBack

if TYPE_CHECKING:
    from frontdesk.services.views import AppointmentView
    from frontdesk.services.worklists.waitlist import Match
    from frontdesk.ui.backend.door import Backend

BOOKED = "booked"
#: What starts a row's second line (an option's leading spaces are not drawn).
INDENT = "↳ "
#: The offer's outcomes, as the dialog lists them (the booking first).
CHOICES = (
    (BOOKED, "Booked: they take it (books it now)"),
    ("offered-declined", "Declined: they keep waiting"),
    ("no-answer", "No answer"),
    ("left-message", "Left a message"),
)
#: The booking's choice for a patient who holds a visit: it moves, nothing new is booked.
MOVES = "Booked: they take it (moves their visit here now)"


def spoken(match: Match) -> str:
    """'Thursday, March 11 at 10:00 AM' in the location's zone: as it is said aloud."""
    at = match.local_start
    return f"{at:%A}, {at:%B} {at.day} at {at.hour % 12 or 12}:{at:%M %p}"


def slot_words(match: Match) -> str:
    """'Thu 11 Mar 10:00–10:20 · Dr. Avery Able · Test Clinic'."""
    at, end = match.local_start, match.end.astimezone(match.local_start.tzinfo)
    return (f"{at:%a} {at.day} {at:%b %H:%M}–{end:%H:%M} · {match.provider_name} · "
            f"{match.location_name}")


def patient_row(match: Match) -> str:
    """Two lines: who and what, then why they rank where they do."""
    e = match.entry
    asks = f" · asks {match.asks}" if match.asks else ""
    return (f"{printable(e.patient_short)} · {phone_text(e.patient_phone)} · "
            f"{e.visit_type_name.split(' (')[0]}\n{INDENT}{match.reason}{asks}")


def time_row(match: Match) -> str:
    return slot_words(match) + (f"\n{INDENT}asks {match.asks}" if match.asks else "")


class OfferDialog(ModalScreen[str | None]):
    """The line to read, then what came of the offer, chosen with the arrows (none is chosen
    at first); dismisses with the outcome's code (see ``CHOICES``) or None (Esc: nothing
    recorded)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="offer.back",
                tooltip="Back to the list without recording anything"),
    ]

    def __init__(self, match: Match) -> None:
        super().__init__()
        self.match = match

    def compose(self) -> ComposeResult:
        m, e = self.match, self.match.entry
        with Vertical(id="offer"):
            yield Static(f"Offer to {printable(e.patient_short)} · "
                         f"{phone_text(e.patient_phone)}\n{slot_words(m)}", id="offer-title",
                         markup=False)
            yield Static("Say: " + waitlist_opening(
                e.visit_type_name.split(" (")[0], spoken(m), m.provider_name, m.location_name,
                moved=e.held is not None), id="offer-say", markup=False)
            yield OptionList(*(Option(Content(MOVES if code == BOOKED and e.held is not None
                                              else label), id=code)
                               for code, label in CHOICES), id="offer-options")
            yield Static("↑↓ choose, Enter records it · Esc: back, nothing recorded",
                         id="offer-help", markup=False)

    def on_mount(self) -> None:
        # nothing chosen yet: an Enter pressed twice in a hurry books nobody unasked
        options = self.query_one(OptionList)
        options.highlighted = None
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)


class WaitlistMatches(ModalScreen[None]):
    """Waitlisted patients (or, for one entry, open times) to offer, best first. The list is
    read again after each offer: a booked patient leaves it, and so does everyone else the
    taken time no longer suits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", id="matches.close",
                tooltip="Close the list (nobody is offered anything)"),
    ]

    def __init__(self, backend: Backend, heading: str, matches: Sequence[Match],
                 reload: Callable[[], Sequence[Match]], *, by_time: bool = False,
                 refills: bool = False) -> None:
        super().__init__()
        self.refills = refills  # the time was freed by a cancel or a move: a booking refills it
        self.backend = backend
        self.heading = heading
        self.matches: tuple[Match, ...] = tuple(matches)
        self._reload = reload
        self.by_time = by_time
        self._checks: CheckAnswers | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="matches"):
            yield Static(self.heading, id="matches-title", markup=False)
            yield Static("", id="matches-note", markup=False)
            yield OptionList(id="matches-list")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        row = time_row if self.by_time else patient_row
        listing.add_options([Option(Content(row(m)), id=str(i))
                             for i, m in enumerate(self.matches)])
        listing.display = bool(self.matches)
        what = "open times" if self.by_time else "waitlisted patients"
        self.query_one("#matches-note", Static).update(
            f"{len(self.matches)} {what}, best first · Enter offers one · Esc closes"
            if self.matches else f"No {what} left to offer. Esc closes.")
        if self.matches:
            listing.highlighted = 0
            listing.focus()

    @on(OptionList.OptionSelected, "#matches-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        match = self.matches[int(event.option_id or 0)]

        def answered(code: str | None) -> None:
            if code == BOOKED:
                self._book(match)
            elif code is not None:
                self._record(match, code)

        self.app.push_screen(OfferDialog(match), answered)

    def _book(self, match: Match) -> None:
        e = match.entry
        change: Move | NewBooking
        if e.held is not None:
            change = Move(e.held.id, e.held.version, match.start, match.provider_id,
                          match.location_id, waitlist_id=e.id, waitlist_version=e.version,
                          waitlist_refill=self.refills)
        else:
            change = NewBooking(e.patient_id, e.visit_type_code, match.provider_id,
                                match.location_id, match.start,
                                said=Said(region=e.region, levels=e.levels, side=e.side),
                                waitlist_id=e.id, waitlist_version=e.version,
                                waitlist_refill=self.refills)
        self._apply(change)

    @work(thread=True, group="matches-act", exit_on_error=False)
    def _apply(self, change: Move | NewBooking) -> tuple[Outcome, Move | NewBooking, object,
                                                          tuple[Match, ...]]:
        outcome = self.backend.apply(change)
        script = None
        if outcome.changed and outcome.appointment_id is not None:
            try:
                script = self.backend.read_back(outcome.appointment_id,
                                                moved=isinstance(change, Move))
            except Exception:  # noqa: BLE001 - it is booked; say so without the read-back
                script = None
        return outcome, change, script, tuple(self._reload())

    @work(thread=True, group="matches-act", exit_on_error=False)
    def _record(self, match: Match, code: str) -> tuple[Outcome, None, None,
                                                        tuple[Match, ...]]:
        from frontdesk.services.worklists.waitlist import OfferOutcome

        outcome = self.backend.record_offer(match, OfferOutcome(code))
        return outcome, None, None, tuple(self._reload())

    @on(Worker.StateChanged)
    def _acted(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "matches-act":
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            # locked meanwhile: what came of it (a question, the read-back) waits for the
            # same person to come back; nothing shows over the lock
            when_back(self, lambda: self._done(event.worker))

    def _done(self, worker: Worker[Any]) -> None:
        if worker.state == WorkerState.ERROR:
            self.notify("Could not reach the database; nothing may have been saved.",
                        severity="error", markup=False)
            return
        if worker.state != WorkerState.SUCCESS or worker.result is None:
            return
        acted: tuple[Outcome, Move | NewBooking | None, Any, tuple[Match, ...]] = worker.result
        outcome, change, script, matches = acted
        if outcome.ask is not None and change is not None:
            if self._checks is None:
                self._checks = CheckAnswers(self.app, self.backend)
            code = (change.visit_type if isinstance(change, NewBooking)
                    else next((m.entry.visit_type_code for m in self.matches
                               if m.entry.id == change.waitlist_id), ""))
            self._checks.answer(change, outcome.ask, code, self._apply)
            return
        self.notify(outcome.message, severity=outcome.severity, markup=False,
                    timeout=8 if outcome.severity == "information" else 12)
        self.matches = matches
        self._show()
        if script is not None:
            self.app.push_screen(VisitReadBack(script, heading=(
                "Moved: read this back to the patient" if isinstance(change, Move)
                else "Booked: read this back to the patient")))


def freed_heading(appt: AppointmentView, why: str) -> str:
    start = appt.local_start
    return (f"Waitlist matches · {why}: {start:%a} {start.day} {start:%b %H:%M}–"
            f"{appt.local_end:%H:%M} · {appt.provider_name} · {appt.location_name}")


def offer_freed_time(node: Widget, backend: Backend, appt: AppointmentView, why: str, *,
                     after_call: bool = False) -> None:
    """After ``appt``'s time freed (``why``: "cancelled", "moved"): read who on the waitlist
    it suits, in a worker, and show them when there are any (nothing shows when none).
    ``after_call``: the caller is still on the line — say how many now, and list them once
    the call has ended (the desk calls them then)."""
    if backend.staff is None:
        return
    app, call = node.app, node.screen

    def listed(found: list[Match]) -> None:
        matches = WaitlistMatches(backend, freed_heading(appt, why), found,
                                  lambda: backend.freed_matches(appt, audit=False),
                                  refills=True)
        if not after_call:
            show_when_back(node, matches)
            return
        app.notify(f"{len(found)} on the waitlist could take the freed time: listed when "
                   "this call ends.", markup=False)
        after_leaving(app, call, lambda: app.push_screen(matches))

    def read() -> None:
        try:
            found = backend.freed_matches(appt)
        except Exception:  # noqa: BLE001 - the cancel is done; the list is a help
            node.app.call_from_thread(
                node.app.notify, "Could not read the waitlist for the freed time; the "
                "waitlist screen has it.", severity="warning", markup=False)
            return
        if found:
            app.call_from_thread(listed, found)

    node.run_worker(read, thread=True, group="waitlist-freed", exit_on_error=False)


def after_leaving(app: App[Any], screen: Screen[Any], then: Callable[[], object]) -> None:
    """Run ``then`` once ``screen`` (a call) has closed and nothing else is in front of the
    board or list under it: no dialog, no lock (what was found waits for the desk)."""
    if (screen in app.screen_stack or isinstance(app.screen, ModalScreen)
            or bool(getattr(app, "covered", lambda: False)())):
        app.set_timer(0.5, lambda: after_leaving(app, screen, then))
        return
    then()


def show_when_back(node: Widget, screen: Screen[Any]) -> None:
    """Show ``screen`` once the desk is back where ``node`` is: a read-back for the caller on
    the line (or any dialog) is finished first, and nothing shows over the lock — what a
    worker found while the screen was locked waits for the same person to come back."""
    when_back(node, lambda: node.app.push_screen(screen))


def when_back(node: Widget, then: Callable[[], object]) -> None:
    """Run ``then`` once ``node``'s screen is in front again (now, when it is); never when
    ``node`` has gone."""
    if not node.is_attached:
        return
    if node.app.screen is node.screen:
        then()
    else:
        node.set_timer(0.3, lambda: when_back(node, then))
