"""Reading one table of the practice file: each value checked, each problem kept with its line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from frontdesk.domain.practice.lines import Lines, Path
from frontdesk.domain.practice.values import Problem

E = TypeVar("E", bound=StrEnum)
_MISSING = object()


class Reader:
    """Problems found so far, and the lines to name them by."""

    def __init__(self, lines: Lines, phone: Callable[[str], str]) -> None:
        self.lines, self.phone_check = lines, phone
        self.problems: list[Problem] = []

    def problem(self, path: Path, reason: str) -> None:
        self.problems.append(Problem(self.lines.line(path), reason))

    def table(self, value: Any, path: Path, known: tuple[str, ...]) -> Mapping[str, Any] | None:
        """``value`` as a table with only ``known`` keys (unknown ones reported)."""
        if not isinstance(value, Mapping):
            self.problem(path, f"{_label(path)} must be a table")
            return None
        for key in value:
            if key not in known:
                self.problem((*path, key), f"unknown key {key!r} in {_label(path)} "
                                           f"(known: {', '.join(known)})")
        return value

    def tables(self, data: Mapping[str, Any], name: str) -> list[Any] | None:
        """``[[name]]``: a list of tables, or None when the section is absent."""
        if name not in data:
            return None
        value = data[name]
        if not isinstance(value, list):
            self.problem((name,), f"{name} must be a list of tables: [[{name}]]")
            return []
        return value

    def text(self, table: Mapping[str, Any], key: str, path: Path, *, most: int,
             default: Any = _MISSING) -> str | None:
        where = (*path, key)
        if key not in table:
            if default is _MISSING:
                self.problem(path, f"{_label(path)} needs {key} = \"…\"")
                return None
            return str(default)
        value = table[key]
        if not isinstance(value, str):
            self.problem(where, f"{key} must be text (in quotes), got {_kind(value)}")
            return None
        value = " ".join(value.split()) if "\n" not in value else value.strip()
        if not value and default is _MISSING:
            self.problem(where, f"{key} is empty")
            return None
        if len(value) > most:
            self.problem(where, f"{key} is longer than {most} characters")
            return None
        return value

    def whole(self, table: Mapping[str, Any], key: str, path: Path, *, low: int, high: int,
              default: int | None = None) -> int | None:
        where = (*path, key)
        if key not in table:
            if default is None:
                self.problem(path, f"{_label(path)} needs {key} = a number of minutes")
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"{key} must be a whole number, got {_kind(value)}")
            return None
        if not low <= value <= high:
            self.problem(where, f"{key} must be between {low} and {high}")
            return None
        return value

    def flag(self, table: Mapping[str, Any], key: str, path: Path, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem((*path, key), f"{key} must be true or false, got {_kind(value)}")
            return default
        return value

    def choice(self, table: Mapping[str, Any], key: str, path: Path, kind: type[E]) -> E | None:
        names = ", ".join(k.value for k in kind)
        raw = self.text(table, key, path, most=40)
        if raw is None:
            return None
        try:
            return kind(raw.lower())
        except ValueError:
            self.problem((*path, key), f"{key} {raw[:40]!r} is not one of {names}")
            return None

    def phone(self, table: Mapping[str, Any], key: str, path: Path) -> str | None:
        raw = self.text(table, key, path, most=30)
        if raw is None:
            return None
        try:
            return self.phone_check(raw)
        except ValueError as exc:
            self.problem((*path, key), f"{key}: {exc}")
            return None

    def names(self, table: Mapping[str, Any], key: str, path: Path) -> tuple[str, ...] | None:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem((*path, key), f"{key} must be a list of codes in quotes")
            return None
        return tuple(v.strip().lower() for v in value)

    def unique(self, items: list[tuple[str, Path]], what: str) -> None:
        """Report each name given a second time (case does not count)."""
        first: dict[str, Path] = {}
        for name, path in items:
            key = name.casefold()
            if key in first:
                self.problem(path, f"{what} {name!r} is declared twice (first on line "
                                   f"{self.lines.line(first[key])})")
            else:
                first[key] = path


def _label(path: Path) -> str:
    parts = [str(p) for p in path if not isinstance(p, int)]
    return "[" + ".".join(parts) + "]" if parts else "the file"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__
