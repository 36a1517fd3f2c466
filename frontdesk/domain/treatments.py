"""Approved answers about treatments, for the desk to read to callers: what each one is, who it
is usually for, what to expect, the words staff may say, what must go to the clinical team, and
which visit to book. Pure: the entries come from TOML the services read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DISCLAIMER = ("For educational purposes only, not medical advice: the physician decides what is "
              "right for each patient.")

_TEXT = ("name", "what", "who", "expect", "say", "visit_type")
_LISTS = ("aliases", "symptoms", "escalate")
FIELDS = ("key", *_TEXT, *_LISTS)
SECTIONS = (("what", "What it is"), ("who", "Usually for"), ("expect", "What to expect"),
            ("say", "You may say"))


@dataclass(frozen=True, slots=True)
class Treatment:
    key: str
    name: str
    aliases: tuple[str, ...]
    symptoms: tuple[str, ...]
    what: str
    who: str
    expect: str
    say: str
    escalate: tuple[str, ...]
    visit_type: str
    source: str = "packaged"  # or the override file's path

    def words(self) -> tuple[str, ...]:
        """Everything a caller might call it, for search."""
        return (self.name.lower(), self.key.replace("-", " "), *self.aliases, *self.symptoms)


class TreatmentError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def treatment_from(table: Mapping[str, Any], *, source: str) -> Treatment:
    """One entry from its TOML table; TreatmentError naming the first thing wrong."""
    if not isinstance(table, Mapping):
        raise TreatmentError("each [[treatment]] must be a table")
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise TreatmentError(f"unknown key {unknown[0]!r}")
    key = table.get("key")
    if not isinstance(key, str) or not key.strip():
        raise TreatmentError("missing 'key'")
    values: dict[str, Any] = {"key": key.strip()}
    for name in _TEXT:
        value = table.get(name)
        if not isinstance(value, str) or not value.strip():
            raise TreatmentError(f"{key}: '{name}' must be non-empty text")
        values[name] = " ".join(value.split())
    for name in _LISTS:
        value = table.get(name)
        if (not isinstance(value, list) or not value
                or not all(isinstance(v, str) and v.strip() for v in value)):
            raise TreatmentError(f"{key}: '{name}' must be a list of text")
        values[name] = tuple(" ".join(v.split()).lower() if name != "escalate"
                             else " ".join(v.split()) for v in value)
    return Treatment(**values, source=source)
