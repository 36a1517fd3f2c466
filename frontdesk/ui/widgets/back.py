"""Naming where ``esc`` goes. A screen opened from several places (the week view from the board
or from a day) goes back to whichever opened it: its back key is labelled with that screen's
``PLACE_NAME`` ("esc Board", "esc Day view"), so the footer never promises the wrong place."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.screen import Screen


def place_below(screen: Screen[Any]) -> str:
    """The ``PLACE_NAME`` of the screen under ``screen`` ("" when it has none)."""
    stack = screen.app.screen_stack
    if screen not in stack or stack.index(screen) == 0:
        return ""
    return str(getattr(stack[stack.index(screen) - 1], "PLACE_NAME", ""))


def name_the_way_back(screen: Screen[Any], binding_id: str, *, also: str = "") -> None:
    """Label ``screen``'s back key (binding ``binding_id``) with the place it returns to, and
    its tooltip "Back to the board" (plus ``also``); left as it was when that place has no
    name. Call it once the screen is on the stack (``on_mount``)."""
    place = place_below(screen)
    if not place:
        return
    tooltip = f"Back to the {place.lower()}{also}"
    keys = screen._bindings.key_to_bindings
    for key, bindings in keys.items():
        keys[key] = [replace(b, description=place, tooltip=tooltip) if b.id == binding_id
                     else b for b in bindings]
    screen.refresh_bindings()
