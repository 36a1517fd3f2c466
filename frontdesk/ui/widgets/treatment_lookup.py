"""The treatment lookup panel: the approved answer about a treatment in two keystrokes, never
improvised. Shared: the call shows it beside the caller (F3 toggles it without touching the
call), and the treatments screen shows it alone. The disclaimer and the practice's phone
number are always on show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.domain.treatments import DISCLAIMER, SECTIONS, Treatment
from frontdesk.ui.widgets.search_field import ResultList, SearchField

if TYPE_CHECKING:
    from frontdesk.services.treatments import Library
    from frontdesk.ui.backend.door import Backend


def entry_text(entry: Treatment, visit_names: dict[str, str] | None = None) -> Content:
    """The entry's sections with bold headings; what goes to the clinical team last."""
    parts: list[Content] = [Content.styled(entry.name, "bold"), Content("\n")]
    for key, heading in SECTIONS:
        parts += [Content("\n"), Content.styled(heading, "bold"),
                  Content(f"\n{getattr(entry, key)}\n")]
    parts += [Content("\n"), Content.styled("Never answer at the desk: pass to the clinical team",
                                            "bold"), Content("\n")]
    parts += [Content(f"• {item}\n") for item in entry.escalate]
    visit = (visit_names or {}).get(entry.visit_type, entry.visit_type)
    parts += [Content("\n"), Content.styled("Book: ", "bold"), Content(visit)]
    return Content("").join(parts)


class TreatmentPanel(Vertical):
    """Search box, matching treatments, and the chosen one's approved answer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "book", "Book this", id="lookup.book",
                tooltip="Start booking this treatment's visit in the current call"),
    ]

    class BookVisit(Message):
        def __init__(self, visit_type: str) -> None:
            super().__init__()
            self.visit_type = visit_type

    def __init__(self, backend: Backend, *, can_book: bool, id: str | None = None  # noqa: A002
                 ) -> None:
        super().__init__(id=id)
        self.backend = backend
        self.can_book = can_book
        self.library: Library | None = None
        self.found: tuple[Treatment, ...] = ()
        self.shown: Treatment | None = None
        self.visit_names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="lookup-notice", markup=False)
        yield SearchField(placeholder="Treatment, symptom or the caller's words",
                          id="lookup-search", compact=True, results="#lookup-results")
        yield Static("", id="lookup-problems", markup=False)
        yield ResultList(id="lookup-results", field="#lookup-search")
        with VerticalScroll(id="lookup-entry"):
            yield Static("", id="lookup-text")

    def on_mount(self) -> None:
        self.query_one("#lookup-problems").display = False
        self._load()

    def focus_search(self) -> None:
        self.query_one("#lookup-search", Input).focus()

    @work(thread=True, exclusive=True, group="lookup-load", exit_on_error=False)
    def _load(self) -> tuple[Library, str, dict[str, str]]:
        names = {v.code: v.name for v in self.backend.visit_types()}
        return self.backend.treatments(), self.backend.practice_phone(), names

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "lookup-load":
            return
        event.stop()
        if event.state == WorkerState.ERROR:
            self.query_one("#lookup-text", Static).update(
                "The treatment answers could not be read; pass the question to the clinical "
                "team.")
        if event.state != WorkerState.SUCCESS or event.worker.result is None:
            return
        self.library, phone, self.visit_names = event.worker.result
        self.query_one("#lookup-notice", Static).update(
            f"{DISCLAIMER} Practice: {phone}.")
        problems = self.query_one("#lookup-problems", Static)
        if self.library.problems:
            problems.update("Override files with problems (the packaged answers are used):\n"
                            + "\n".join(self.library.problems))
            problems.display = True
        self._search(self.query_one("#lookup-search", Input).value)

    @on(Input.Changed, "#lookup-search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value)

    def _search(self, text: str) -> None:
        from frontdesk.services.treatments import search

        if self.library is None:
            return
        self.found = tuple(search(self.library, text))
        results = self.query_one("#lookup-results", OptionList)
        results.clear_options()
        results.add_options([Option(Content(t.name), id=t.key) for t in self.found])
        self.query_one("#lookup-search", SearchField).results_shown(text)
        if self.found:
            results.highlighted = 0
            self._show(self.found[0])
        else:
            self.shown = None
            self.query_one("#lookup-text", Static).update(
                "Nothing matches. Try other words, or pass the question to the clinical team.")

    @on(OptionList.OptionHighlighted, "#lookup-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        chosen = next((t for t in self.found if t.key == event.option_id), None)
        if chosen is not None:
            self._show(chosen)

    @on(OptionList.OptionSelected, "#lookup-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#lookup-entry").focus()

    def _show(self, entry: Treatment) -> None:
        self.shown = entry
        self.query_one("#lookup-text", Static).update(entry_text(entry, self.visit_names))
        self.query_one("#lookup-entry", VerticalScroll).scroll_home(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "book":
            return self.can_book and self.shown is not None
        return True

    def action_book(self) -> None:
        if self.can_book and self.shown is not None:
            self.post_message(self.BookVisit(self.shown.visit_type))


