"""Textual's footer, made cheap to keep current while the cursor moves.

Textual's ``Footer`` rebuilds every key widget whenever a screen refreshes its bindings. On the
calendar that happens as the cursor moves between a visit and free time or to another day, and
the rebuild was the largest part of a day-view repaint. This footer compares what it would show
with what it shows: when only some keys turned usable or unusable it flips them in place, and it
rebuilds only when the keys themselves changed.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A drop-in ``Footer`` that updates in place when it can (see the module docstring)."""

    _shown: tuple[object, ...] | None = None  # the keys the last rebuild drew

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update_keys)

    async def _update_keys(self) -> None:
        if not self.is_attached or self.screen not in self.app.screen_stack:
            return  # the screen closed meanwhile (its widgets may be half removed)
        shown = [(b, enabled) for _, b, enabled, _ in self.screen.active_bindings.values()
                 if b.show]
        keys = tuple((b.key, b.key_display, b.description, b.action,
                      b.group.description if b.group else None) for b, _ in shown)
        if keys != self._shown or not self.children:
            self._shown = keys
            await self.recompose()
            return
        usable = {b.key: enabled for b, enabled in shown}
        for key in self.query(FooterKey):
            if key.key in usable and key._disabled == usable[key.key]:
                key._disabled = not usable[key.key]  # read when the key is clicked
                key.set_class(key._disabled, "-disabled")
