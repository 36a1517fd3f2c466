"""What both imports share: the tally of what happened to each row, how slashed dates are
read in a file, and the one transaction (rolled back for a dry run, or while any row is bad
unless the person said --skip-bad)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from frontdesk.db.engine import OverlapError
from frontdesk.domain.imports import ORDER_WORDS, DateOrder, slashed_order
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import require
from frontdesk.services.context import Context, write
from frontdesk.services.errors import FrontDeskError
from frontdesk.services.imports.outcome import ImportResult, Line
from frontdesk.services.imports.reading import Source, SourceRow

#: Called with how many more rows were checked, and how many there are (a progress bar).
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 250


class ImportClashed(FrontDeskError):
    """Somebody booked a clashing visit while the import ran; nothing was imported."""


class _RolledBack(Exception):
    """Internal: end the transaction without writing (a dry run, or bad rows)."""


@dataclass
class Tally:
    bad: list[Line] = field(default_factory=list)
    already: list[Line] = field(default_factory=list)
    duplicates: list[Line] = field(default_factory=list)
    attention: list[Line] = field(default_factory=list)
    matched: tuple[str, ...] = ()  # "what: 'theirs' → ours", for the report
    good: int = 0
    history: int = 0
    callbacks: int = 0

    def rows(self, rows: Sequence[SourceRow], progress: Progress | None) -> Iterator[SourceRow]:
        done = 0
        for row in rows:
            yield row
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY, len(rows))
        if progress is not None and done % PROGRESS_EVERY:
            progress(done % PROGRESS_EVERY, len(rows))

    def absorb(self, bad: list[Line], already: list[Line], duplicates: list[Line]) -> None:
        self.bad, self.already, self.duplicates = bad, already, duplicates

    def stops(self, skip_bad: bool) -> bool:
        return bool(self.bad) and not skip_bad

    def result(self, source: Source, kind: str, dry_run: bool, skip_bad: bool,
               *, staff: str = "", notes: tuple[str, ...] = (),
               ctx: Context | None = None) -> ImportResult:
        return ImportResult(
            kind=kind, path=source.path, rows=len(source.rows), good=self.good,
            bad=tuple(sorted(self.bad, key=lambda x: x.line)),
            already=tuple(self.already), duplicates=tuple(self.duplicates),
            attention=tuple(sorted(self.attention, key=lambda x: x.line)),
            ignored_columns=source.ignored, matched=self.matched,
            notes=(*source.notes, *notes), dry_run=dry_run,
            skip_bad=skip_bad, history=self.history, callbacks=self.callbacks,
            finished_at=ctx.now() if ctx is not None else None, by=staff)


def date_order(source: Source, columns: tuple[str, ...],
               given: DateOrder | None) -> tuple[DateOrder | None, tuple[str, ...]]:
    """How the file writes slashed dates: as the person said, else as its dates show (one that
    can only be read one way); None when nothing shows it or the file writes both ways."""
    if given is not None:
        return given, (f"slashed dates read as {ORDER_WORDS[given]} (--dates {given.value})",)
    evidence: dict[DateOrder, int] = {}
    for row in source.rows:
        for name in columns:
            text = row.get(name).split(" ")[0]
            order = slashed_order(text) if text else None
            if order is not None:
                evidence.setdefault(order, row.line)
    if len(evidence) == 1:
        order, line = next(iter(evidence.items()))
        return order, (f"slashed dates read as {ORDER_WORDS[order]}: line {line} can only be "
                       "read that way",)
    if len(evidence) == 2:
        return None, ("the file writes slashed dates both ways (month first on line "
                      f"{evidence[DateOrder.MDY]}, day first on line {evidence[DateOrder.DMY]}): "
                      "those that could be read either way are refused; --dates mdy or "
                      "--dates dmy says which",)
    return None, ()


def run_import(ctx: Context, work: Callable[[Session, Tally], None], *, source: Source,
               kind: str, staff: str, dry_run: bool, skip_bad: bool,
               notes: tuple[str, ...]) -> ImportResult:
    """Run ``work`` in one write transaction: kept when it imported, rolled back for a dry run
    or while a row is bad (unless ``skip_bad``). Who acts is checked first, before any work."""
    require(ctx, staff, Permission.IMPORT)
    tally = Tally()

    def transaction(session: Session) -> None:
        nonlocal tally
        tally = Tally()  # a retried transaction starts again
        work(session, tally)
        if dry_run or tally.stops(skip_bad):
            raise _RolledBack()

    try:
        write(ctx, transaction)
    except _RolledBack:
        pass
    except OverlapError:
        raise ImportClashed("a visit booked while the import ran clashes with one in the file; "
                            "nothing was imported: run the import again") from None
    except IntegrityError:  # e.g. the same old ids imported by someone else meanwhile
        raise ImportClashed("records were added while the import ran (the same old ids?); "
                            "nothing was imported: run the import again") from None
    return tally.result(source, kind, dry_run, skip_bad, staff=staff, notes=notes, ctx=ctx)
