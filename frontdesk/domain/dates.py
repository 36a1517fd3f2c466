"""Dates typed the way people say them: "tomorrow", "next tue", "12/3", "in 2 weeks"; and a
moment: "in 2 hours", "tomorrow 9:00", "tue 2pm"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
_CLOCK = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*(am|pm|a|p)?$")
_SOON = re.compile(r"^in\s+(\d+)\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)$")
_RELATIVE = re.compile(r"^(in\s+)?([+-]?\d+)\s*(day|week|month|year)s?(\s+(from now|ago))?$")


class DateWordsError(ValueError):
    """The text is not a date we understand; the message says what would be."""


def parse_date_words(text: str, *, today: date) -> date:
    words = " ".join(text.strip().lower().split())
    if not words:
        raise DateWordsError("enter a date, e.g. 2027-03-15, 3/15, tomorrow or next tue")
    if words in ("today", "now"):
        return today
    if words in ("tomorrow", "tmrw", "tmr"):
        return today + timedelta(days=1)
    if words == "yesterday":
        return today - timedelta(days=1)
    match = _RELATIVE.match(words)
    if match:
        amount = int(match.group(2))
        if match.group(5) == "ago":
            amount = -amount
        unit = _UNITS[match.group(3)]
        delta = relativedelta(
            days=amount if unit == "days" else 0,
            weeks=amount if unit == "weeks" else 0,
            months=amount if unit == "months" else 0,
            years=amount if unit == "years" else 0,
        )
        try:
            return today + delta
        except (ValueError, OverflowError):
            raise DateWordsError(f"{text.strip()[:40]!r} is too far from today") from None
    parts = words.split()
    if len(parts) in (1, 2) and parts[-1] in _WEEKDAYS:
        prefix = parts[0] if len(parts) == 2 else ""
        if prefix not in ("", "next", "this", "last"):
            raise DateWordsError(f"did not understand {text.strip()[:40]!r}")
        target = _WEEKDAYS[parts[-1]]
        if prefix == "last":
            back = (today.weekday() - target) % 7 or 7
            return today - timedelta(days=back)
        ahead = (target - today.weekday()) % 7
        if prefix == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead)
    if not re.fullmatch(r"[\w/.,\- ]+", words) or not re.search(r"\d", words):
        raise DateWordsError(
            f"did not understand {text.strip()[:40]!r}; try 2027-03-15, 3/15, tomorrow or next tue"
        )
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}", words):
            month, day = (int(p) for p in words.split("/"))
            return date(today.year, month, day)
        return date_parser.parse(words, default=_midnight(today)).date()
    except (ValueError, OverflowError) as exc:
        raise DateWordsError(
            f"did not understand {text.strip()[:40]!r}; try 2027-03-15, 3/15, tomorrow or next tue"
        ) from exc


BIRTH_EXAMPLE = "1970-05-17 or 5/17/1970"
_BIRTH_NUMBERS = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_BIRTH_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_birth_date(text: str) -> date:
    """A date of birth: 1958-04-23, 4/23/1958 (month first, as the desk says it) or with the
    month in words (April 23, 1958). The year in full, and never words about today: a birth
    date is not "tomorrow". DateWordsError with an example of a birth date otherwise."""
    words = " ".join(text.strip().split())
    iso, numbers = _BIRTH_ISO.fullmatch(words), _BIRTH_NUMBERS.fullmatch(words)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if numbers:
            return date(int(numbers[3]), int(numbers[1]), int(numbers[2]))
        if (len(words) <= 40 and re.search(r"\b\d{4}\b", words)
                and re.search(r"\b\d{1,2}(st|nd|rd|th)?\b", words.lower())  # the day, too
                and re.search(r"[a-z]{3}", words.lower())
                and re.fullmatch(r"[\w,. ]+", words)):
            return date_parser.parse(words, default=datetime(1, 1, 1)).date()  # noqa: DTZ001
    except (ValueError, OverflowError):
        pass
    shown = f"{words[:40]!r} is not a date of birth" if words else "enter the date of birth"
    raise DateWordsError(f"{shown}; write it like {BIRTH_EXAMPLE}")


def parse_clock_words(text: str) -> time:
    """'9', '9:30', '930', '14:00', '2pm', '2:30 pm' → a wall-clock time."""
    match = _CLOCK.match(text.strip().lower().replace(".", ""))
    if not match:
        raise DateWordsError(f"{text.strip()[:20]!r} is not a time; try 9:30, 14:00 or 2pm")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half and not 1 <= hour <= 12:
        raise DateWordsError("with am/pm the hour runs from 1 to 12")
    if half:
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise DateWordsError(f"{text.strip()[:20]!r} is not a time; try 9:30, 14:00 or 2pm")
    return time(hour, minute)


def parse_when_words(text: str, *, now: datetime, default_time: time = time(9)) -> datetime:
    """A moment typed the way people say it, in ``now``'s zone (``now`` is aware): "in 2
    hours", "in 30 min", "2pm" (today), "tomorrow 9:00", "next tue at 10", "3/15 2:30 pm";
    a day alone is at ``default_time``; "at 9" is today at 9. A date without its year that has
    passed this year is next year's ("1/2" on 31 Dec). A time the clocks skip (spring forward)
    is refused, saying the time it would be. Whether it has passed is for the caller to judge."""
    words = " ".join(text.strip().lower().split())
    if words.startswith("at "):  # "at 9": a time today
        words = words[3:]
    if not words:
        raise DateWordsError("say when, e.g. in 2 hours, 2pm or tomorrow 9:00")
    if words == "now":
        return now
    soon = _SOON.match(words)
    if soon:
        amount = int(soon.group(1))
        if amount > 24 * 366:
            raise DateWordsError(f"{text.strip()[:40]!r} is too far from now")
        delta = (timedelta(hours=amount) if soon.group(2).startswith("h")
                 else timedelta(minutes=amount))
        return (now.astimezone(UTC) + delta).astimezone(now.tzinfo)  # real hours over DST
    if _CLOCK.match(words.replace(".", "")):
        return _at(now.date(), parse_clock_words(words), now)
    parts = words.split(" ")
    for cut in (2, 1):  # "2 pm" or "2pm" at the end, after the day
        if len(parts) <= cut:
            continue
        day_words = parts[:-cut]
        if day_words[-1] == "at":
            day_words = day_words[:-1]
        clock_text = " ".join(parts[-cut:])
        if not day_words or not _CLOCK.match(clock_text.replace(".", "")):
            continue
        try:
            day = _day_ahead(" ".join(day_words), now.date())
        except DateWordsError:
            continue
        return _at(day, parse_clock_words(clock_text), now)
    try:
        day = _day_ahead(words, now.date())
    except DateWordsError:
        raise DateWordsError(f"did not understand {text.strip()[:40]!r}; try in 2 hours, 2pm, "
                             "tomorrow 9:00 or tue 10:30") from None
    return _at(day, default_time, now)


_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b")


def _day_ahead(words: str, today: date) -> date:
    """The day ``words`` name; a month and day without a year that has passed is next year's
    (a moment to come: "1/2" on 31 Dec is 2 January next year)."""
    day = parse_date_words(words, today=today)
    no_year = (re.fullmatch(r"\d{1,2}/\d{1,2}", words)
               or (_MONTH.search(words) and not re.search(r"\d{4}", words)
                   and not _RELATIVE.match(words)))
    if day < today and no_year:
        try:
            return day.replace(year=day.year + 1)
        except ValueError:  # 29 Feb
            return day
    return day


def _at(day: date, clock: time, now: datetime) -> datetime:
    """``clock`` on ``day`` in ``now``'s zone; a wall time the clocks skip is refused (it would
    be stored as another time than the one shown)."""
    moment = datetime.combine(day, clock, tzinfo=now.tzinfo)
    real = moment.astimezone(UTC).astimezone(now.tzinfo)
    if real.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise DateWordsError(f"there is no {clock:%H:%M} on {day:%a} {day.day} {day:%b}: the "
                             f"clocks go forward that night; try {real:%H:%M}")
    return moment


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)  # noqa: DTZ001 - a parsing default only


def parse_weekday_words(text: str) -> tuple[int, ...]:
    """Days of the week as people list them: '' or 'any' → any day (); 'mon wed fri',
    'tue,thu', 'mon-fri', 'weekdays' → their numbers, 0 Monday to 6 Sunday."""
    words = [w for w in re.split(r"[\s,;/]+", text.strip().lower()) if w]
    if not words or words == ["any"]:
        return ()
    found: set[int] = set()
    for word in words:
        if word in ("weekdays", "weekday"):
            found.update(range(5))
            continue
        ends = word.split("-")
        try:
            first, last = _WEEKDAYS[ends[0]], _WEEKDAYS[ends[-1]]
        except KeyError:
            raise DateWordsError(f"{word[:12]!r} is not a day; write e.g. mon wed fri, "
                                 "mon-fri or any") from None
        if len(ends) > 2 or last < first:
            raise DateWordsError(f"write a range like mon-thu, not {word[:12]!r}")
        found.update(range(first, last + 1))
    return tuple(sorted(found))
