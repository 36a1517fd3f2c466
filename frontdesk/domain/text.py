"""Text from the records made safe to show on a terminal: whatever a field holds (typed long
ago, imported, written by another program), no control character reaches the screen."""

from __future__ import annotations

import unicodedata


def printable(text: object) -> str:
    """``text`` with every character a terminal could act on — C0 and C1 controls (escape
    sequences, bell, backspace, line breaks), DEL, bidirectional overrides and other invisible
    format characters — shown as "?"."""
    text = str(text)
    if text.isprintable():  # the usual case, checked at C speed
        return text
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def username_key(typed: str) -> str:
    """A typed username as accounts are looked up by: trimmed, lower case, Unicode NFC (a
    decomposed "é" is the same letter as a composed one)."""
    return unicodedata.normalize("NFC", typed).strip().lower()
