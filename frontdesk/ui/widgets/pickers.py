"""A small modal list to pick one location or provider (optionally 'All locations')."""

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

from frontdesk.services.views import LocationView, ProviderView

ALL = "all"


@dataclass(frozen=True)
class Picked:
    """The chosen location or provider id; ``None`` means all locations."""

    id: int | None


class Picker(ModalScreen[Picked | None]):
    """Dismisses with the choice, or ``None`` when the person backs out. ``everything``: the
    label of a first 'all of them' entry (None: no such entry)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="picker.back",
                tooltip="Close without changing anything"),
    ]

    def __init__(self, choices: Sequence[tuple[int, str]], current: int | None, *,
                 title: str, everything: str | None = None) -> None:
        super().__init__()
        self.choices = tuple(choices)
        self.current = current
        self.title_text = title
        self.everything = everything

    def compose(self) -> ComposeResult:
        options = [] if self.everything is None else [Option(Content(self.everything), id=ALL)]
        options += [Option(Content(name), id=str(key)) for key, name in self.choices]
        with Vertical(id="picker"):
            yield Static(self.title_text, id="picker-title", markup=False)
            yield OptionList(*options, id="picker-options")

    def on_mount(self) -> None:
        ids: list[int | None] = [key for key, _ in self.choices]
        if self.everything is not None:
            ids.insert(0, None)
        self.query_one(OptionList).highlighted = (
            ids.index(self.current) if self.current in ids else 0)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option_id
        self.dismiss(Picked(None if choice in (None, ALL) else int(choice)))


class LocationPicker(Picker):
    """'All locations' (unless ``everything`` is None) and each location."""

    def __init__(self, locations: Sequence[LocationView], current: int | None, *,
                 everything: str | None = "All locations") -> None:
        super().__init__([(loc.id, loc.name) for loc in locations], current,
                         title="Show which location?", everything=everything)


class ProviderPicker(Picker):
    """Each provider, by name."""

    def __init__(self, providers: Sequence[ProviderView], current: int | None) -> None:
        super().__init__([(p.id, p.name) for p in providers], current,
                         title="Show which provider?")
