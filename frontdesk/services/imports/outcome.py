"""What an import did with each row, and the report file that says so.

Every row ends in one of: imported; already there (its old id was imported before: skipped,
so running an import again is safe); a possible duplicate of a patient already on file (held
back for a person to look at); or bad (``line N: reason; reason``). Imported visits a
scheduler must look at are listed apart, with why. Nothing here names a patient: lines, ids
and reasons only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from frontdesk.db.files import PRIVATE, FileModes


@dataclass(frozen=True, slots=True)
class Line:
    """One row's line in the file and what is said about it."""

    line: int
    reasons: tuple[str, ...]

    def text(self) -> str:
        """``line N: reason; reason`` — never a control character from the file (the report
        is read in a terminal)."""
        said = "; ".join(self.reasons)
        return f"line {self.line}: " + printable(said)


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on shown as ``?``."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str  # patients | appointments
    path: Path
    rows: int
    good: int  # rows that would go in (imported when ``written``)
    bad: tuple[Line, ...]
    already: tuple[Line, ...] = ()
    duplicates: tuple[Line, ...] = ()  # possible duplicates of records on file
    attention: tuple[Line, ...] = ()  # imported, for a scheduler to look at
    ignored_columns: tuple[str, ...] = ()
    #: each distinct value read as one of ours: "visit type: 'Follow up' → follow-up"
    matched: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    dry_run: bool = False
    skip_bad: bool = False
    history: int = 0  # of the imported visits, those in the past
    callbacks: int = 0  # relief-report callbacks opened for imported diagnostic blocks
    finished_at: datetime | None = None
    by: str = ""

    @property
    def written(self) -> bool:
        """Whether the rows were written to the database."""
        return not self.dry_run and (self.skip_bad or not self.bad)

    @property
    def imported(self) -> int:
        return self.good if self.written else 0

    @property
    def aborted(self) -> bool:
        """Bad rows stop the whole import (unless --skip-bad)."""
        return bool(self.bad) and not self.skip_bad

    def verdict(self) -> str:
        noun = "patient" if self.kind == "patients" else "visit"
        counted = f"{self.good} {noun}{'' if self.good == 1 else 's'}"
        if self.dry_run:
            head = "dry run, nothing written: "
            if self.aborted:
                return head + (f"{len(self.bad)} bad row(s) would stop the import (or give "
                               f"--skip-bad to import the other {counted})")
            return head + f"{counted} would be imported"
        if self.aborted:
            return (f"nothing imported: {len(self.bad)} bad row(s); fix them and run it "
                    "again, or give --skip-bad to import the good rows")
        return f"imported {counted}" + (f", skipped {len(self.bad)} bad row(s)"
                                        if self.bad else "")

    def counts(self) -> dict[str, int]:
        """What the audit event holds: numbers only."""
        found = {"rows": self.rows, "imported": self.imported, "bad": len(self.bad),
                 "already_imported": len(self.already)}
        if self.kind == "patients":
            found["possible_duplicates"] = len(self.duplicates)
        else:
            found |= {"history": self.history, "for_a_scheduler": len(self.attention),
                      "callbacks": self.callbacks}
        return found

    def summary(self) -> list[str]:
        """The lines shown on screen."""
        lines = [self.verdict() + "."]
        lines.append(f"rows read: {self.rows}; " + "; ".join(
            f"{k.replace('_', ' ')}: {v}" for k, v in self.counts().items()
            if k not in ("rows",)))
        return lines

    def report(self, zone: str = "America/Chicago") -> str:
        """The report file: what happened, then each list under its heading."""
        when = (f"{self.finished_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"
                if self.finished_at else "")
        out = [f"frontdesk import {self.kind}: {printable(str(self.path))}",
               f"at {when} by {self.by}".rstrip(), "", *self.summary()]
        if self.notes:
            out += ["", *(f"note: {printable(n)}" for n in self.notes)]
        if self.ignored_columns:
            out += ["", "columns not read: " + printable(", ".join(self.ignored_columns))]
        if self.matched:
            out += ["", "values read as the practice's (theirs → ours: check them):",
                    *(printable(m) for m in self.matched)]
        sections = (
            ("bad rows" + ("" if self.skip_bad else " (nothing is imported while there are "
                                                    "any; --skip-bad imports the rest)"),
             self.bad),
            ("already imported (skipped)", self.already),
            ("possible duplicates of patients on file (not imported: check them and add "
             "by hand if they are different people)", self.duplicates),
            ("for a scheduler (imported, to look at)", self.attention),
        )
        for title, lines in sections:
            if lines:
                out += ["", f"{title}:", *(line.text() for line in lines)]
        return "\n".join(out) + "\n"


def write_report(result: ImportResult, path: Path, modes: FileModes = PRIVATE, *,
                 replace: bool = False) -> None:
    """The report, owner-only (0600; 0660 for the shared group the settings name). A new
    file unless ``replace``: one already there — or a link, even to nowhere — is refused, not
    followed. Replacing goes through a private file beside it that then takes its place (the
    link itself, never what it points to)."""
    import os

    from frontdesk.db.files import set_mode
    from frontdesk.services.errors import InvalidInput
    from frontdesk.services.report.export import write_private

    text = result.report()
    if replace:
        write_private(path, text, modes)
        return
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise InvalidInput("report", f"{path} already exists; give another name, or "
                                     "--force to replace it") from None
    except PermissionError:
        raise InvalidInput("report", f"cannot write {path}: permission denied") from None
    with os.fdopen(fd, "wb") as out:
        set_mode(out.fileno(), modes.file, modes.gid)
        out.write(text.encode("utf-8"))
