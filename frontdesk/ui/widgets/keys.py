"""The ``?`` screen: every key of the screen it was opened from, read from that screen's active
bindings at the moment it opens — the same list the keys themselves run from, so it cannot go
stale. Keys the footer has no room for, or never shows, are here too.

Sections: this screen's keys, the keys of the field or list the cursor is in, then the keys that
work everywhere. A key that does not apply right now is listed dimmed, marked "(not now)".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

HERE, CURSOR, EVERYWHERE = "This screen", "Where the cursor is", "Everywhere"
SECTIONS = (HERE, CURSOR, EVERYWHERE)


@dataclass(frozen=True)
class KeyRow:
    """One thing to do, with every key that does it (``esc / backspace``)."""

    keys: tuple[str, ...]
    description: str
    tooltip: str
    enabled: bool


@dataclass(frozen=True)
class KeySection:
    title: str
    rows: tuple[KeyRow, ...]


def keys_of(screen: Screen[Any]) -> tuple[KeySection, ...]:
    """What each key does on ``screen`` now, grouped by where it comes from, in binding order.

    From ``screen.active_bindings`` (which Textual runs keys from); on a modal screen, which
    shuts the app's ordinary keys out, the app's priority keys are added: they work there too.
    Keys with no description (Textual's own plumbing) are left out; Textual's own keys with
    one (tab between fields, copy) come after the app's in each section."""
    app = screen.app
    found: list[tuple[str, str, Binding, bool]] = []  # (section, key, binding, enabled)
    for key, (node, binding, enabled, _tooltip) in screen.active_bindings.items():
        where = EVERYWHERE if node is app else HERE if node is screen else CURSOR
        found.append((where, key, binding, enabled))
    if screen.is_modal:
        taken = {key for _, key, _, _ in found}
        for key, binding in app._bindings:
            state = app._check_action_state(binding.action, app)
            if binding.priority and key not in taken and state is not False:
                found.append((EVERYWHERE, key, binding, bool(state)))
    found.sort(key=lambda f: f[2].id is None)  # stable: binding order otherwise
    rows: dict[tuple[str, str], list[Any]] = {}  # one row per thing done: ? and F1 "Keys"
    for where, _key, binding, enabled in found:
        if not binding.description or binding.system:
            continue
        shown = app.get_key_display(binding)
        entry = rows.setdefault((where, binding.description),
                                [[], binding.tooltip, enabled])
        if shown in entry[0] and binding.key_display:  # "escape,backspace" shown as esc
            shown = app.get_key_display(replace(binding, key_display=None))
        if shown not in entry[0]:
            entry[0].append(shown)
        entry[2] = entry[2] or enabled
    return tuple(
        KeySection(title, tuple(KeyRow(tuple(keys), description, tooltip, enabled)
                                for (where, description), (keys, tooltip, enabled)
                                in rows.items() if where == title))
        for title in SECTIONS if any(where == title for where, _ in rows))


def place_name(screen: Screen[Any]) -> str:
    """What a person calls ``screen`` ("Board", "Day view"): its ``PLACE_NAME``."""
    return str(getattr(screen, "PLACE_NAME", "") or type(screen).__name__)


def keys_table(sections: tuple[KeySection, ...]) -> Group:
    """Each section's title, then a table: key, what it does, and the longer word on it (the
    same column widths in every section, so they line up)."""
    parts: list[Text | Table] = []
    for n, section in enumerate(sections):
        parts.append(Text(("\n" if n else "") + section.title, style="bold underline"))
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, style="bold", width=14, overflow="ellipsis")
        table.add_column(no_wrap=True, width=18, overflow="ellipsis")
        table.add_column(overflow="fold")
        for row in section.rows:
            dim = "" if row.enabled else "dim"
            more = row.tooltip if row.enabled else f"{row.tooltip} (not now)".lstrip()
            table.add_row(Text(" / ".join(row.keys), style=dim),
                          Text(row.description, style=dim), Text(more, style=dim))
        parts.append(table)
    return Group(*parts)


class KeysScreen(ModalScreen[None]):
    """The keys of ``screen`` (the one underneath). ``esc``, ``?`` or ``q`` closes it;
    ``↑``/``↓`` and ``PgUp``/``PgDn`` scroll a list longer than the terminal. It is
    ``TRANSIENT``: when the screens change under it (one closes itself, another opens), the
    app closes the list first (``Routes``), so that nothing closes the list in its stead."""

    TRANSIENT: ClassVar[bool] = True
    closing = False  # closed by its own key: the app pops it as asked

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q,f1", "close", "Close", id="keys.close",
                key_display="esc", tooltip="Close the list of keys"),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.sections = keys_of(screen)
        self.about = place_name(screen)

    def compose(self) -> ComposeResult:
        with Vertical(id="keys"):
            yield Static(f"Keys · {self.about}", id="keys-title", markup=False)
            with VerticalScroll(id="keys-scroll"):
                yield Static(keys_table(self.sections), id="keys-table")
            yield Static("esc, ? or q closes · ↑ ↓ PgUp PgDn scroll", id="keys-help",
                         markup=False)

    def on_mount(self) -> None:
        self.query_one("#keys-scroll").focus()

    def action_close(self) -> None:
        self.closing = True
        self.dismiss(None)
