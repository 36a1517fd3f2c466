"""The treatment lookup as a screen of its own (F3 outside a call): the approved answers about
each treatment, with the disclaimer and the practice's phone number always on show."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from frontdesk.ui.widgets.back import name_the_way_back
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.title import TitleRow
from frontdesk.ui.widgets.treatment_lookup import TreatmentPanel

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend


class TreatmentScreen(Screen[None]):
    """The lookup as its own area (F3 from the board and the calendars)."""

    PLACE_NAME = "Treatments"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "app.pop_screen", "Back", id="lookup.back",
                tooltip="Back to where you were"),  # named on mount: "Board", "Week"…
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend

    def compose(self) -> ComposeResult:
        yield TitleRow("Treatments · approved answers for callers",
                       title_id="lookup-title")
        yield TreatmentPanel(self.backend, can_book=False, id="lookup")
        yield KeyFooter()

    def on_mount(self) -> None:
        name_the_way_back(self, "lookup.back")
        self.query_one(TreatmentPanel).focus_search()
