"""A screen's title line, with who is signed in on its right ("Rita Fairbanks · receptionist"),
so whoever sits down at the keyboard sees whose session it is on every screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Static

from frontdesk.domain.text import printable

if TYPE_CHECKING:
    from frontdesk.services.views import StaffView


@runtime_checkable
class KnowsWho(Protocol):
    @property
    def signed_in(self) -> StaffView | None: ...


def who_text(person: StaffView | None, width: int | None = None) -> str:
    """'Rita Fairbanks · receptionist'; the name alone when ``width`` is too narrow for both."""
    if person is None:
        return ""
    full = f"{printable(person.name)} · {person.role.value}"
    return full if width is None or len(full) <= width else printable(person.name)


class SignedIn(Static):
    """Who is signed in, read from the app each time it is drawn."""

    def render(self) -> Text:
        app = self.app
        person = app.signed_in if isinstance(app, KnowsWho) else None
        width = self.parent.size.width // 2 if self.parent is not None else None
        return Text(who_text(person, width), no_wrap=True, overflow="ellipsis")


class TitleRow(Horizontal):
    """``title`` (the screen's own title ``Static``, which the screen updates as before) with
    :class:`SignedIn` on the right."""

    DEFAULT_CSS = """
    TitleRow {
        height: 1;
        background: $panel;
        & > Static { width: 1fr; }
        & > SignedIn {
            width: auto;
            max-width: 50%;
            padding: 0 1;
            text-style: bold;
        }
    }
    """

    def __init__(self, title: Static) -> None:
        super().__init__(title, SignedIn(markup=False))
