"""The treatment answers: packaged entries, a practice's overrides, and search by everyday words.

Overrides are TOML files in the config directory's ``treatments/`` folder, each holding one or
more ``[[treatment]]`` tables; an entry replaces the packaged one with the same ``key`` (or adds
a new one). A file that is not valid TOML, or an entry that is incomplete, is reported with the
file and line, and the packaged entry stays in use.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from frontdesk.domain.treatments import Treatment, TreatmentError, treatment_from
from frontdesk.services.paths import config_dir

MATCH_CUTOFF = 70  # rapidfuzz score (0-100) a word must reach to count as a match


@dataclass(frozen=True, slots=True)
class Library:
    entries: tuple[Treatment, ...]
    problems: tuple[str, ...]  # "file: line N: reason", for the person who wrote the override

    def get(self, key: str) -> Treatment | None:
        return next((t for t in self.entries if t.key == key), None)


def load_library(overrides: Path | None = None) -> Library:
    """The packaged entries with the practice's overrides applied."""
    text = resources.files("frontdesk.content").joinpath("treatments.toml").read_text("utf-8")
    entries = {t.key: t for t in _entries(tomllib.loads(text), text, "packaged", [])}
    problems: list[str] = []
    folder = overrides if overrides is not None else config_dir() / "treatments"
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            for entry in _read_override(path, problems):
                entries[entry.key] = entry
    return Library(tuple(entries.values()), tuple(problems))


def _read_override(path: Path, problems: list[str]) -> list[Treatment]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _decode_line(str(exc))
        problems.append(f"{path}: line {line}: not valid TOML ({_plain(str(exc))})")
        return []
    return _entries(data, text, str(path), problems)


def _entries(data: dict[str, Any], text: str, source: str,
             problems: list[str]) -> list[Treatment]:
    tables = data.get("treatment")
    if not isinstance(tables, list):
        problems.append(f"{source}: line 1: expected [[treatment]] tables")
        return []
    found: list[Treatment] = []
    for index, table in enumerate(tables):
        try:
            found.append(treatment_from(table, source=source))
        except TreatmentError as exc:
            line = _table_line(text, index)
            problems.append(f"{source}: line {line}: {exc.reason}; the packaged entry is used")
    if source == "packaged" and problems:  # pragma: no cover - the package's own tests catch it
        raise RuntimeError("; ".join(problems))
    return found


def _decode_line(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _plain(message: str) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)", "", message)


def _table_line(text: str, index: int) -> int:
    """The line where the ``index``-th ``[[treatment]]`` table starts (1-based)."""
    starts = [n for n, line in enumerate(text.splitlines(), start=1)
              if line.strip().startswith("[[treatment]]")]
    return starts[index] if index < len(starts) else 1


def search(library: Library, text: str, *, limit: int = 8) -> list[Treatment]:
    """Entries matching a name, a symptom or everyday words, best first; all when empty."""
    wanted = " ".join(text.lower().split())
    if not wanted:
        return list(library.entries)[:limit]
    scored: list[tuple[float, int, Treatment]] = []
    for order, entry in enumerate(library.entries):
        score = best_score(wanted, entry.words())
        if score >= MATCH_CUTOFF:
            scored.append((score, order, entry))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [entry for _score, _order, entry in scored[:limit]]


def best_score(wanted: str, words: Sequence[str]) -> float:
    """How well the typed words match the best of ``words`` (0-100): exact words first, then
    typed text inside a longer phrase, then near spellings."""
    best = 0.0
    for word in words:
        if wanted == word:
            return 100.0
        if len(wanted) >= 3 and (wanted in word or word in wanted):
            best = max(best, 95.0 if word.startswith(wanted) else 90.0)
            continue
        best = max(best, fuzz.token_set_ratio(wanted, word) * 0.95,
                   fuzz.ratio(wanted, word))
    return best
