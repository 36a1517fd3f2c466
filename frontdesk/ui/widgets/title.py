"""A screen's title line, with who is signed in on its right ("Rita Fairbanks · receptionist"),
so whoever sits down at the keyboard sees whose session it is on every screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from rich.cells import cell_len
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static

from frontdesk.domain.text import printable

if TYPE_CHECKING:
    from frontdesk.services.views import StaffView


@runtime_checkable
class KnowsWho(Protocol):
    @property
    def signed_in(self) -> StaffView | None: ...


def who_text(person: StaffView | None) -> str:
    return "" if person is None else f"{printable(person.name)} · {person.role.value}"


def title_with_who(title: str, who: str, width: int) -> str:
    """``title`` on the left and ``who`` on the right of ``width`` cells. When both do not fit,
    the name goes without the role, then the title is cut with "…" (never the name)."""
    if not who:
        return title
    name = who.split(" · ")[0]
    for right in (who, name):
        gap = width - cell_len(title) - cell_len(right)
        if gap >= 2:
            return title + " " * gap + right
    room = width - cell_len(name) - 2
    if room < 8:
        return title
    cut = Text(title)
    cut.truncate(room, overflow="ellipsis")
    return cut.plain + " " * (width - cut.cell_len - cell_len(name)) + name


class TitleLine(Static):
    """A ``Static`` one line high: ``update`` sets the title, the person is added on render."""

    def __init__(self, title: str = "", **kwargs: Any) -> None:
        super().__init__(title, markup=False, **kwargs)
        self._title = title

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        self._title = str(content)
        super().update(content, layout=layout)

    def render(self) -> Text:
        app = self.app
        person = app.signed_in if isinstance(app, KnowsWho) else None
        return Text(title_with_who(self._title, who_text(person), self.content_region.width),
                    no_wrap=True, overflow="ellipsis")
