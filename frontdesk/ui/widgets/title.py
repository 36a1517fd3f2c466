"""A screen's title line, with who is signed in on its right ("Rita Fairbanks · receptionist"),
so whoever sits down at the keyboard sees whose session it is on every screen. The title comes
first: the person's role, then the end of their name, give way to it on a narrow terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.visual import VisualType
from textual.widgets import Static

from frontdesk.domain.text import printable

if TYPE_CHECKING:
    from frontdesk.services.views import StaffView

LEAST_NAME = 12  # cells of the name kept however long the title


@runtime_checkable
class KnowsWho(Protocol):
    @property
    def signed_in(self) -> StaffView | None: ...


def who_text(person: StaffView | None, room: int | None = None) -> str:
    """'Rita Fairbanks · receptionist'; the name alone when ``room`` is too narrow for both."""
    if person is None:
        return ""
    full = f"{printable(person.name)} · {person.role.value}"
    return full if room is None or cell_len(full) <= room else printable(person.name)


class Title(Static):
    """The screen's own title (a ``Static``: the screen updates it as before); the person
    beside it makes room for each new title."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        for who in self.siblings:
            if isinstance(who, SignedIn):
                who.refresh(layout=True)


class SignedIn(Static):
    """Who is signed in, read from the app each time it is drawn."""

    def render(self) -> Text:
        app = self.app
        person = app.signed_in if isinstance(app, KnowsWho) else None
        titles = [str(t.render()) for t in self.siblings if isinstance(t, Title)]
        used = cell_len(titles[0]) + 2 if titles else 0  # the title and its padding
        room = max(self.screen.size.width - used - 2, LEAST_NAME)  # less this one's padding
        text = Text(who_text(person, room), no_wrap=True, overflow="ellipsis")
        text.truncate(room, overflow="ellipsis")
        return text


class TitleRow(Horizontal):
    """A screen's title line: its :class:`Title` (``title_id``) with :class:`SignedIn` on the
    right."""

    DEFAULT_CSS = """
    TitleRow {
        height: 1;
        background: $panel;
        & > Title { width: 1fr; }
        & > SignedIn {
            width: auto;
            padding: 0 1;
            text-style: bold;
        }
    }
    """

    def __init__(self, title: str = "", *, title_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._title, self._title_id = title, title_id

    def compose(self) -> ComposeResult:
        yield Title(self._title, id=self._title_id, markup=False)
        yield SignedIn(markup=False)
