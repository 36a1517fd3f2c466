"""A small modal list: 'All locations' and each location."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.services.views import LocationView

ALL = "all"


@dataclass(frozen=True)
class Picked:
    """The chosen location; ``None`` means all locations."""

    location_id: int | None


class LocationPicker(ModalScreen[Picked | None]):
    """Dismisses with the choice, or ``None`` when the person backs out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="picker.back",
                tooltip="Close without changing the location"),
    ]

    def __init__(self, locations: Sequence[LocationView], current: int | None) -> None:
        super().__init__()
        self.locations = tuple(locations)
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(Content("All locations"), id=ALL)]
        options += [Option(Content(loc.name), id=str(loc.id)) for loc in self.locations]
        with Vertical(id="picker"):
            yield Static("Show which location?", id="picker-title")
            yield OptionList(*options, id="picker-options")

    def on_mount(self) -> None:
        ids = [None, *(loc.id for loc in self.locations)]
        self.query_one(OptionList).highlighted = (
            ids.index(self.current) if self.current in ids else 0)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option_id
        self.dismiss(Picked(None if choice in (None, ALL) else int(choice)))
