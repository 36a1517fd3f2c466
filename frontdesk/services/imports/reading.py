"""Reading another system's file into plain rows: each with the physical line it starts on
(the header is line 1) and its cells under our column names.

CSV: UTF-8 with or without a byte-order mark (a file that is not UTF-8 is read as
Windows-1252, and the report says so), any line endings, quoted cells across lines, spaces
around cells trimmed, blank lines skipped. Headers are matched without case or punctuation
(``Date of Birth`` is ``date_of_birth``), through a few common other names and the person's
``--map THEIRS=OURS``.

iCalendar: each VEVENT is a row starting at its ``BEGIN:VEVENT`` line; see :mod:`.calendar`.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from frontdesk.domain.imports import column_key, has_control
from frontdesk.services.errors import InvalidInput

#: Columns whose cells may run over several lines (tabs and line breaks allowed in them);
#: every other cell is one line and holds no control character at all.
MULTILINE = frozenset({"address", "city", "alert_note", "cancel_reason"})
#: Files larger than this are refused before reading (a practice's export is far smaller).
MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int
    cells: Mapping[str, str]
    #: instants an iCalendar file gives with their zone (or floating, naive): start, end
    moments: Mapping[str, datetime] = field(default_factory=dict)
    #: reasons the row could not even be read (a ragged CSV row, a repeating event)
    broken: tuple[str, ...] = ()

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True, slots=True)
class Source:
    """One file, read: its rows and what was made of its columns."""

    path: Path
    rows: tuple[SourceRow, ...]
    columns: tuple[str, ...]  # ours, as found in the file
    ignored: tuple[str, ...] = ()  # theirs, not read
    notes: tuple[str, ...] = ()


def parse_mapping(pairs: tuple[str, ...] | list[str], known: tuple[str, ...]) -> dict[str, str]:
    """``--map THEIRS=OURS`` options as {their column key: ours}; InvalidInput('map') for a
    pair that is not one or names a column we do not read."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        theirs, sep, ours = pair.partition("=")
        theirs_key, ours_key = column_key(theirs), column_key(ours)
        if not sep or not theirs_key or not ours_key:
            raise InvalidInput("map", f"{pair[:60]!r}: write THEIRS=OURS, e.g. "
                                      "\"Birth Date=dob\"")
        if ours_key not in known:
            raise InvalidInput("map", f"{ours[:40]!r} is not a column frontdesk reads; the "
                                      f"columns are {', '.join(known)}")
        mapping[theirs_key] = ours_key
    return mapping


def decode(path: Path) -> tuple[str, tuple[str, ...]]:
    """The file's text (BOM dropped) and a note when it was not UTF-8. Only a regular file is
    read (not a device such as /dev/zero, a pipe or a folder), and never more than
    :data:`MAX_BYTES`, whatever the file says its size is."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a pipe: no waiting
    except FileNotFoundError:
        raise InvalidInput("file", f"{path} does not exist") from None
    except IsADirectoryError:
        raise InvalidInput("file", f"{path} is a folder, not a file") from None
    except PermissionError:
        raise InvalidInput("file", f"cannot read {path}: permission denied") from None
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {path}: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InvalidInput("file", f"{path} is a folder, not a file")
        raise InvalidInput("file", f"{path} is not a regular file (a device or a pipe?)")
    with os.fdopen(fd, "rb") as stream:
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput("file", f"{path.name} is larger than {MAX_BYTES // 2**20} MB")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), (
            "the file is not UTF-8: it was read as Windows-1252",)


def read_csv(path: Path, *, known: tuple[str, ...], aliases: Mapping[str, str],
             mapping: Mapping[str, str]) -> Source:
    """The rows of a CSV file under our column names (``known``)."""
    text, notes = decode(path)
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";", "|") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("file", f"{path.name} is empty") from None
    except csv.Error as exc:
        raise InvalidInput("file", f"line 1: {exc}") from None
    ours, ignored = _columns(header, known=known, aliases=aliases, mapping=mapping)
    rows: list[SourceRow] = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append(SourceRow(start, {}, broken=(f"cannot be read as CSV: {exc}",)))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        broken: tuple[str, ...] = ()
        if len(cells) != len(header):
            broken = (f"has {len(cells)} cells where the header has {len(header)}",)
        values = {name: cells[i].strip() for i, name in enumerate(ours)
                  if name and i < len(cells)}
        rows.append(SourceRow(line, values, broken=broken + controls(values)))
    return Source(path, tuple(rows), tuple(n for n in ours if n), tuple(ignored), notes)


def controls(cells: Mapping[str, str]) -> tuple[str, ...]:
    """A reason for each cell holding a control character (an escape sequence would reach a
    terminal or the records): the row is bad, and the reason names the column, never the
    cell."""
    return tuple(f"{name}: has a control character (such as an escape or a line break)"
                 for name, text in cells.items()
                 if has_control(text, multiline=name in MULTILINE))


def _columns(header: list[str], *, known: tuple[str, ...], aliases: Mapping[str, str],
             mapping: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Our name for each of the file's columns ("" when we do not read it), and theirs that
    are not read. Two columns that would both fill one of ours are refused."""
    ours: list[str] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for cell in header:
        theirs = column_key(cell)
        name = mapping.get(theirs) or (theirs if theirs in known else aliases.get(theirs, ""))
        if name and name in seen:
            raise InvalidInput("file", f"line 1: the columns {seen[name]!r} and "
                                       f"{cell.strip()[:40]!r} both give {name}; --map one of "
                                       "them elsewhere or remove it")
        if name:
            seen[name] = cell.strip()[:40]
        elif cell.strip():
            ignored.append(cell.strip()[:40])
        ours.append(name)
    return ours, ignored


def require(source: Source, groups: tuple[tuple[str, ...], ...]) -> None:
    """InvalidInput('file') unless, for each group, the file has one of its columns."""
    missing = [" or ".join(group) for group in groups
               if not any(name in source.columns for name in group)]
    if missing:
        raise InvalidInput("file", f"{source.path.name} has no column for "
                                   + "; no column for ".join(missing)
                                   + " (docs/importing.md lists the columns; --map THEIRS=OURS "
                                     "names another header)")
