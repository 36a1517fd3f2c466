"""Textual's footer, made to fit: the keys a person needs most first, whole keys only, and ``?``
always on the right, where the rest are one key away.

A screen names its keys in the order a person needs them (``FOOTER_ORDER``: binding ids, the
app's included); keys it does not name follow in binding order. The keys are laid out in that
order; one that would not fit is left out whole (never a cut label) and a shorter one after it
may take the room left. The ``?`` screen lists them all.

Textual's ``Footer`` rebuilds every key widget whenever a screen refreshes its bindings. On the
calendar that happens as the cursor moves between a visit and free time or to another day, and
the rebuild was the largest part of a day-view repaint. This footer compares what it would show
with what it shows: when only some keys turned usable or unusable it flips them in place, and it
rebuilds only when the keys themselves (or the room for them) changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

if TYPE_CHECKING:
    from textual.events import Resize

#: The app's ``?`` and F1 bindings (``frontdesk.ui.app``): shown apart, on the right.
HELP_IDS = ("app.keys", "app.keys_f1")
PALETTE_ACTIONS = ("command_palette", "app.command_palette")

#: (binding, enabled, tooltip)
Shown = tuple[Binding, bool, str]


class Unit:
    """One key as the footer draws it, or a group of keys sharing one label (``ionf Status``)."""

    def __init__(self, keys: list[Shown], group: Binding.Group | None, displays: list[str],
                 rank: int) -> None:
        self.keys, self.group, self.displays, self.rank = keys, group, displays, rank

    @property
    def width(self) -> int:
        """Cells it takes (the CSS below and Textual's ``Footer`` CSS, non-compact)."""
        if self.group is None:
            description = self.keys[0][0].description
            return cell_len(self.displays[0]) + 2 + (cell_len(description) + 1
                                                     if description else 0)
        keys = sum(cell_len(d) for d in self.displays)
        if not self.group.compact:
            keys += 2 * len(self.displays)
        return 1 + keys + 1 + cell_len(self.group.description) + 1


def footer_order(screen: Screen[Any]) -> tuple[str, ...]:
    return tuple(getattr(screen, "FOOTER_ORDER", ()))


class KeyFooter(Footer):
    """A drop-in ``Footer`` that orders and fits its keys and updates in place when it can
    (see the module docstring)."""

    DEFAULT_CSS = """
    KeyFooter FooterKey.-keys-help {
        dock: right;
        padding-right: 0;
        border-left: vkey $foreground 20%;
    }
    """

    _shown: tuple[object, ...] | None = None  # the keys the last rebuild drew
    _room = 0  # the width the last rebuild fitted the keys into

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _units(self) -> tuple[list[Unit], Shown | None]:
        """Every key to show in the order wanted, and the help key (``?``, or F1 while typing)."""
        active = self.screen.active_bindings
        order = footer_order(self.screen)
        help_keys = {b.id: (b, enabled, tip) for _, b, enabled, tip in active.values()
                     if b.id in HELP_IDS}
        if not help_keys and self.screen.is_modal:  # a dialog leaves the app's keys out of
            app = self.app  # its list, but ? and F1 (priority keys) work over it too
            help_keys = {b.id: (b, True, b.tooltip) for _, b in app._bindings
                         if b.id in HELP_IDS
                         and app._check_action_state(b.action, app) is not False}
        wanted = help_keys.get("app.keys")
        help_key = wanted if wanted is not None and wanted[1] else help_keys.get("app.keys_f1")
        by_action: dict[str, list[Shown]] = {}
        for _, binding, enabled, tooltip in active.values():
            if binding.show and binding.id not in HELP_IDS:
                by_action.setdefault(binding.action, []).append((binding, enabled, tooltip))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE
                and palette is not None and palette.binding.action in PALETTE_ACTIONS):
            by_action.setdefault(palette.binding.action, [
                (palette.binding, palette.enabled, palette.binding.tooltip)])
        units: list[Unit] = []
        last = len(order) + len(by_action)
        for group, items in groupby(by_action.values(), lambda keys: keys[0][0].group):
            runs = list(items)
            parts = [runs] if group is not None and len(runs) > 1 else [[r] for r in runs]
            for part in parts:
                firsts = [keys[0] for keys in part]
                ids = [b.id for b, _, _ in firsts if b.id in order]
                rank = order.index(ids[0]) if ids else last + len(units)
                if firsts[0][0].action in PALETTE_ACTIONS:
                    rank = 2 * last  # the least needed: it shows only where there is room
                displays = [self.app.get_key_display(b) for b, _, _ in firsts]
                units.append(Unit(firsts, group if len(part) > 1 else None, displays, rank))
        units.sort(key=lambda u: u.rank)
        return units, help_key

    def _fitted(self) -> tuple[list[Unit], Shown | None]:
        """The units that fit beside the help key, in order: one that does not fit is left
        out whole, and a later, shorter one may take the room left."""
        units, help_key = self._units()
        room = self._width()
        if help_key is not None:
            binding = help_key[0]
            room -= cell_len(self.app.get_key_display(binding)) + cell_len(
                binding.description) + 3 + 1  # its padding, and the border before it
        kept: list[Unit] = []
        for unit in units:
            if unit.width > room:
                continue
            room -= unit.width
            kept.append(unit)
        return kept, help_key

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        kept, help_key = self._fitted()
        for unit in kept:
            yield from self._draw(unit)
        if help_key is not None:
            binding, enabled, tooltip = help_key
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled, tooltip=tooltip,
                            classes="-keys-help").data_bind(compact=Footer.compact)

    def _draw(self, unit: Unit) -> Iterator[Any]:
        if unit.group is None:
            binding, enabled, tooltip = unit.keys[0]
            yield FooterKey(binding.key, unit.displays[0], binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip,
                            ).data_bind(compact=Footer.compact)
            return
        with KeyGroup(classes="-compact" if unit.group.compact else ""):
            for (binding, enabled, tooltip), shown in zip(unit.keys, unit.displays,
                                                          strict=True):
                yield FooterKey(binding.key, shown, "", binding.action, disabled=not enabled,
                                tooltip=tooltip or binding.description,
                                classes="-grouped").data_bind(compact=Footer.compact)
        yield FooterLabel(unit.group.description)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    def on_resize(self, _event: Resize) -> None:
        if self._bindings_ready and self._width() != self._room:
            self.call_after_refresh(self._update_keys)

    async def _update_keys(self) -> None:
        if not self.is_attached or self.screen not in self.app.screen_stack:
            return  # the screen closed meanwhile (its widgets may be half removed)
        kept, help_key = self._fitted()
        shown = [k for unit in kept for k in unit.keys]
        if help_key is not None:
            shown.append(help_key)
        keys = tuple((b.key, b.key_display, b.description, b.action,
                      b.group.description if b.group else None) for b, _, _ in shown)
        if keys != self._shown or not self.children or self._width() != self._room:
            self._shown, self._room = keys, self._width()
            await self.recompose()
            return
        usable = {b.key: enabled for b, enabled, _ in shown}
        for key in self.query(FooterKey):
            if key.key in usable and key._disabled == usable[key.key]:
                key._disabled = not usable[key.key]  # read when the key is clicked
                key.set_class(key._disabled, "-disabled")
