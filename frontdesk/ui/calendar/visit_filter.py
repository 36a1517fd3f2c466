"""A small modal list: 'All visit types' and each visit type, to filter the board.

The list is read when the modal opens (``load`` runs in a thread: the backend's
``visit_types``), so the board never waits for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from frontdesk.services.views import VisitTypeView

ALL = "all"


@dataclass(frozen=True)
class VisitChoice:
    """The chosen visit type (``code`` None: all of them) and a short name for the title."""

    code: str | None
    label: str = "All visit types"


class VisitFilter(ModalScreen[VisitChoice | None]):
    """Dismisses with the choice, or ``None`` when the person backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="visit_filter.back",
                tooltip="Close without changing the filter"),
    ]

    def __init__(self, load: Callable[[], Sequence[VisitTypeView]], current: str | None) -> None:
        super().__init__()
        self._load_types = load
        self.current = current
        self.visit_types: tuple[VisitTypeView, ...] = ()

    def compose(self) -> ComposeResult:
        with Vertical(id="visit-filter"):
            yield Static("Show which visit type?", id="visit-filter-title", markup=False)
            yield OptionList(Option(Content("All visit types"), id=ALL),
                             id="visit-filter-options")

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="visit-types", exit_on_error=False)
    def _read(self) -> tuple[VisitTypeView, ...]:
        return tuple(self._load_types())

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "visit-types":
            return
        if event.state == WorkerState.ERROR:
            self.query_one("#visit-filter-title", Static).update(
                "Could not read the visit types; Esc and try again.")
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.visit_types = event.worker.result
            options = self.query_one(OptionList)
            options.add_options([Option(Content(v.name), id=v.code) for v in self.visit_types])
            codes = [None, *(v.code for v in self.visit_types)]
            options.highlighted = codes.index(self.current) if self.current in codes else 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        code = event.option_id
        if code in (None, ALL):
            self.dismiss(VisitChoice(None))
            return
        name = next((v.name for v in self.visit_types if v.code == code), str(code))
        self.dismiss(VisitChoice(code, name.split(" (")[0]))
