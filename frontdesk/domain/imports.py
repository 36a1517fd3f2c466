"""Reading the values of another system's export: dates, times, durations, statuses, yes/no
and column names. Pure: each reader takes the text of one cell and returns a value or raises
:class:`CellError` with a reason a person can act on.

Dates are never guessed: ISO ``1970-05-17`` (and ``19700517``) and dates with a month name are
read as they are; ``05/17/1970`` is month/day/year only when the file says so (another date in
it can only be read that way, or the person said ``--dates mdy``), since ``03/04/1970`` is
4 March to some systems and 3 April to others. Two-digit years are refused: the century is a
guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from frontdesk.domain.model import Status


class CellError(ValueError):
    """A cell that cannot be read; the message says why (and what would be read)."""


class DateOrder(StrEnum):
    MDY = "mdy"  # 05/17/1970: month/day/year, the US way
    DMY = "dmy"  # 17/05/1970: day/month/year


ORDER_WORDS = {DateOrder.MDY: "month/day/year", DateOrder.DMY: "day/month/year"}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_MONTHS = {name: n for n, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
     ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
     ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_NAMED_MD = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")  # May 17, 1970
_NAMED_DM = re.compile(r"^(\d{1,2})[\s-]+([a-z]+)\.?[\s-]+(\d{4})$")  # 17 May 1970, 17-May-1970


def slashed_order(text: str) -> DateOrder | None:
    """Which order a slashed date can only be read in (``13/04/1970``: day first), or None
    when it is not a slashed date or could be either."""
    match = _SLASHED.match(text.strip())
    if match is None:
        return None
    first, second = int(match[1]), int(match[2])
    if first > 12 >= second >= 1:
        return DateOrder.DMY
    if second > 12 >= first >= 1:
        return DateOrder.MDY
    return None


def read_date(text: str, order: DateOrder | None) -> date:
    """The date ``text`` writes; ``order`` is how the file writes slashed dates (None: unknown,
    so a slashed date that could be read two ways is refused)."""
    raw = " ".join(text.strip().split())
    if not raw:
        raise CellError("is empty")
    if len(raw) > 40:
        raise CellError("is too long to be a date")
    try:
        return _read_date(raw, order)
    except ValueError as exc:
        if isinstance(exc, CellError):
            raise
        raise CellError(f"{raw!r} is not a date on the calendar") from None


def _read_date(raw: str, order: DateOrder | None) -> date:
    for pattern in (_ISO, _COMPACT, _YMD_SLASH):
        match = pattern.match(raw)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    lowered = raw.lower()
    named = _NAMED_MD.match(lowered)
    if named and named[1] in _MONTHS:
        return date(int(named[3]), _MONTHS[named[1]], int(named[2]))
    named = _NAMED_DM.match(lowered)
    if named and named[2] in _MONTHS:
        return date(int(named[3]), _MONTHS[named[2]], int(named[1]))
    match = _SLASHED.match(raw)
    if match is None:
        raise CellError(f"{raw!r} is not a date; write it like 1970-05-17 or 05/17/1970")
    first, second, year_text = int(match[1]), int(match[2]), match[3]
    if len(year_text) == 2:
        raise CellError(f"{raw!r} has a two-digit year; write the year in full (the century "
                        "would be a guess)")
    year = int(year_text)
    only = slashed_order(raw)
    if order is not None and only is not None and only is not order:
        raise CellError(f"{raw!r} is not a {ORDER_WORDS[order]} date (the file's dates are "
                        f"read as {ORDER_WORDS[order]})")
    chosen = order or only
    if chosen is None:
        if first == second:
            return date(year, first, second)
        raise CellError(
            f"{raw!r} could be {_spoken(year, first, second)} or "
            f"{_spoken(year, second, first)}; nothing in the file says which: give "
            "--dates mdy (month/day/year) or --dates dmy (day/month/year)")
    month, day = (first, second) if chosen is DateOrder.MDY else (second, first)
    return date(year, month, day)


def _spoken(year: int, month: int, day: int) -> str:
    try:
        moment = date(year, month, day)
    except ValueError:
        return "no date"
    return f"{moment.day} {moment:%B %Y}"


_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s*m?\.?$|"
                   r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$|^(\d{2})(\d{2})$")


def read_time(text: str) -> time:
    """``09:30``, ``9:30 AM``, ``9am``, ``0930``, ``14:00:00``."""
    raw = text.strip().lower()
    match = _TIME.match(raw)
    if match is None:
        raise CellError(f"{text.strip()[:40]!r} is not a time of day; write it like 09:30 or "
                        "9:30 AM")
    if match[4]:
        hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
        if not 1 <= hour <= 12:
            raise CellError(f"{text.strip()!r}: the hour of a 12-hour time is 1 to 12")
        hour = hour % 12 + (12 if match[4] == "p" else 0)
    elif match[5]:
        hour, minute, second = int(match[5]), int(match[6]), int(match[7] or 0)
    else:
        hour, minute, second = int(match[8]), int(match[9]), 0
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(f"{text.strip()!r} is not a time of day")
    return time(hour, minute, second)


_DURATION = re.compile(r"^(\d{1,3})\s*(?:m|min|mins|minutes?)?$|^(\d{1,2}):(\d{2})$|"
                       r"^(\d{1,2})\s*(?:h|hr|hrs|hours?)(?:\s*(\d{1,2})\s*(?:m|min|mins|"
                       r"minutes?)?)?$")


def read_duration(text: str) -> int:
    """Minutes: ``30``, ``30 min``, ``1:15``, ``1h 15m``; 1 to 720."""
    raw = text.strip().lower()
    match = _DURATION.match(raw)
    if match is None:
        raise CellError(f"{text.strip()[:40]!r} is not a duration; give minutes, e.g. 30")
    if match[1]:
        minutes = int(match[1])
    elif match[2]:
        minutes = int(match[2]) * 60 + int(match[3])
    else:
        minutes = int(match[4]) * 60 + int(match[5] or 0)
    if not 1 <= minutes <= 720:
        raise CellError(f"{minutes} minutes is not a visit's length (1 to 720)")
    return minutes


def read_moment(text: str, order: DateOrder | None) -> datetime:
    """A date and time of day: ISO 8601 (``2027-03-15T09:00``, ``2027-03-15 09:00``, with or
    without an offset or ``Z``) or a date, a space and a time (``03/15/2027 9:00 AM``).
    Naive unless the text gives an offset."""
    raw = " ".join(text.strip().split())
    if not raw:
        raise CellError("is empty")
    if len(raw) > 60:
        raise CellError("is too long to be a date and time")
    iso = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    if _ISO_MOMENT.match(iso):
        try:
            return datetime.fromisoformat(iso)
        except ValueError:
            raise CellError(f"{raw!r} is not a time on the calendar") from None
    day_text, _, time_text = raw.partition(" ")
    if not time_text:
        raise CellError(f"{raw!r} has no time of day; write it like 2027-03-15 09:30")
    return datetime.combine(read_date(day_text, order), read_time(time_text))


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                         r"([+-]\d{2}:?\d{2})?$")


def local_to_utc(moment: datetime, zone: str) -> datetime:
    """A wall-clock time at a place (naive) as aware UTC; a time the clocks skip or pass twice
    that day is refused, not guessed. An aware ``moment`` is simply converted."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    tz = ZoneInfo(zone)
    first = moment.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = moment.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) != moment:
        raise CellError(f"{moment:%Y-%m-%d %H:%M} does not exist in {zone} (the clocks jump "
                        "forward)")
    if first != second:
        raise CellError(f"{moment:%Y-%m-%d %H:%M} happens twice in {zone} (the clocks go "
                        "back); give the time with its offset")
    return first


#: What old systems call each status; compared folded (no case, spaces or punctuation).
_STATUS_WORDS: dict[str, Status] = {
    "booked": Status.BOOKED, "scheduled": Status.BOOKED, "pending": Status.BOOKED,
    "tentative": Status.BOOKED, "open": Status.BOOKED,
    "confirmed": Status.CONFIRMED,
    "checkedin": Status.CHECKED_IN, "arrived": Status.CHECKED_IN,
    "completed": Status.COMPLETED, "complete": Status.COMPLETED, "done": Status.COMPLETED,
    "seen": Status.COMPLETED, "attended": Status.COMPLETED, "checkedout": Status.COMPLETED,
    "cancelled": Status.CANCELLED, "canceled": Status.CANCELLED, "cancel": Status.CANCELLED,
    "noshow": Status.NO_SHOW, "dna": Status.NO_SHOW, "didnotattend": Status.NO_SHOW,
    "missed": Status.NO_SHOW,
}
STATUS_CHOICES = "booked, confirmed, checked in, completed, cancelled or no-show"


def read_status(text: str) -> Status:
    """A visit's status as the old system wrote it; empty is booked."""
    word = fold(text)
    if not word:
        return Status.BOOKED
    status = _STATUS_WORDS.get(word)
    if status is None:
        raise CellError(f"{text.strip()[:40]!r} is not a status; use {STATUS_CHOICES}")
    return status


_YES = {"y", "yes", "true", "t", "1", "x", "consent", "consented", "agreed", "optin"}
_NO = {"", "n", "no", "false", "f", "0", "none", "declined", "optout"}


def read_yes_no(text: str) -> bool:
    word = fold(text)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(f"{text.strip()[:40]!r} is not yes or no")


def fold(text: str) -> str:
    """How names and words are compared: NFKC, no case, letters and digits only."""
    return re.sub(r"[^0-9a-z]+", "", unicodedata.normalize("NFKC", text).casefold())


def column_key(header: str) -> str:
    """A column's name as looked up: lower case, words joined by ``_`` (``Date of Birth`` →
    ``date_of_birth``)."""
    words = re.split(r"[^0-9a-z]+", unicodedata.normalize("NFKC", header).casefold())
    return "_".join(w for w in words if w)


def person_key(first: str, last: str, dob: date) -> tuple[str, str, date]:
    """Two records name the same person when this is equal."""
    return fold(first), fold(last), dob


#: Characters no cell may hold: C0/C1 controls (escape sequences that would drive a terminal),
#: bidirectional overrides (that reorder what a person reads) and line/paragraph separators.
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SEPARATORS = frozenset("\u2028\u2029")
#: What a cell of several lines may hold besides (a quoted CSV cell spanning lines).
_LINE_BREAKS = frozenset("\t\n\r")


def has_control(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds a control character: anything in Unicode's Cc category, a
    bidirectional control or a line separator; a tab or line break only where the cell may run
    over several lines (``multiline``)."""
    for ch in text:
        if ch in _BIDI or ch in _SEPARATORS:
            return True
        if unicodedata.category(ch) == "Cc" and not (multiline and ch in _LINE_BREAKS):
            return True
    return False


def nearest(text: str, names: dict[str, str], *, count: int = 3) -> list[str]:
    """The shown names whose folded form is nearest ``text`` (``names``: folded → shown),
    for "did you mean" reasons."""
    from difflib import get_close_matches

    wanted = fold(text)
    found = get_close_matches(wanted, list(names), n=count * 3, cutoff=0.5)
    if not found:  # a part of a name ("able") is far from the whole by ratio
        found = [n for n in names if wanted and (wanted in n or n in wanted)]
    return list(dict.fromkeys(names[f] for f in found))[:count]
