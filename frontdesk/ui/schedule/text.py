"""What the schedule editor's forms read and say, as plain functions (no Textual, no SQL).

Typed input becomes drafts ("Mon Wed Fri", "8:30", "next tue"); a save comes back as one of
three outcomes the screens show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from frontdesk.domain.dates import DateWordsError, parse_date_words
from frontdesk.domain.text import printable
from frontdesk.services.views import AppointmentView

if TYPE_CHECKING:
    from frontdesk.services.schedule_admin import ClosureRow, TemplateRow

T = TypeVar("T")

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS = {
    word: index
    for index, words in enumerate([
        ("mo", "mon", "monday"), ("tu", "tue", "tues", "tuesday"),
        ("we", "wed", "weds", "wednesday"), ("th", "thu", "thur", "thurs", "thursday"),
        ("fr", "fri", "friday"), ("sa", "sat", "saturday"), ("su", "sun", "sunday"),
    ])
    for word in words
}
_GROUPS = {"weekdays": (0, 1, 2, 3, 4), "weekends": (5, 6), "daily": tuple(range(7)),
           "everyday": tuple(range(7))}
_CLOCK = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*(am|pm|a|p)?$")
KIND_LABELS = {"time_off": "Time off", "holiday": "Practice holiday", "location": "Location closed"}


class FormError(ValueError):
    """A field the person has to fix; ``field`` is the form's name for it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class FormErrors(FormError):
    """Every field the person has to fix, in the form's order; the first is ``field`` /
    ``message`` (so it is caught like a single one)."""

    def __init__(self, problems: Sequence[FormError]) -> None:
        super().__init__(problems[0].field, problems[0].message)
        self.problems = tuple(problems)


class _Problems:
    """Collects what a form's fields say is wrong, so that every problem shows at once."""

    def __init__(self) -> None:
        self.found: list[FormError] = []

    def read(self, step: Callable[[], T]) -> T | None:
        """``step()``, or None when it names a field to fix (kept for the end)."""
        try:
            return step()
        except FormError as exc:
            self.found.append(exc)
            return None

    def add(self, field: str, message: str) -> None:
        self.found.append(FormError(field, message))

    def raise_any(self) -> None:
        if self.found:
            raise FormErrors(self.found)


# --------------------------------------------------------------------------- parsing


def parse_weekdays(text: str) -> tuple[int, ...]:
    """'Mon Wed Fri', 'mon,wed', 'Mon-Fri', 'weekdays' → weekday numbers (0 is Monday)."""
    words = re.split(r"[\s,;/&+]+", text.strip().lower())
    days: set[int] = set()
    for word in (w for w in words if w and w != "and"):
        if word in _GROUPS:
            days.update(_GROUPS[word])
            continue
        first, dash, last = word.partition("-")
        if dash and first in _DAY_WORDS and last in _DAY_WORDS:
            a, b = _DAY_WORDS[first], _DAY_WORDS[last]
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif word in _DAY_WORDS:
            days.add(_DAY_WORDS[word])
        else:
            raise FormError("weekdays", f"did not understand {word[:20]!r}; "
                            "type days like Mon Wed Fri or Mon-Fri")
    if not days:
        raise FormError("weekdays", "type at least one day, e.g. Mon Wed Fri or Mon-Fri")
    return tuple(sorted(days))


def parse_clock(text: str, field: str) -> time:
    """'08:00', '8:30', '830', '8', '1pm', '1:30 pm' → a wall-clock time."""
    match = _CLOCK.match(text.strip().lower().replace(".", ""))
    if not match:
        raise FormError(field, "type a time like 08:00, 8:30 or 1pm")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half and not 1 <= hour <= 12:
        raise FormError(field, "with am/pm the hour runs from 1 to 12")
    if half:
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise FormError(field, "type a time like 08:00, 8:30 or 1pm")
    return time(hour, minute)


def parse_optional_clock(text: str, field: str) -> time | None:
    return parse_clock(text, field) if text.strip() else None


def parse_day(text: str, field: str, *, today: date) -> date:
    try:
        return parse_date_words(text, today=today)
    except DateWordsError as exc:
        message = str(exc)
        raise FormError(field, message[:1].lower() + message[1:]) from None


def parse_optional_day(text: str, field: str, *, today: date) -> date | None:
    return parse_day(text, field, today=today) if text.strip() else None


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True, slots=True)
class TemplateDraft:
    """A weekly hours row as typed: ``template_id`` None adds a new row."""

    template_id: int | None
    weekdays: tuple[int, ...]
    start_time: time
    end_time: time
    location_id: int
    valid_from: date
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class ClosureDraft:
    kind: str
    start: datetime
    end: datetime
    reason: str
    provider_id: int | None
    location_id: int | None


def template_draft(*, template_id: int | None, days: str, start: str, end: str,
                   location_id: int | None, valid_from: str, valid_until: str,
                   today: date) -> TemplateDraft:
    """The row as typed; FormErrors names every field to fix, in the form's order."""
    problems = _Problems()
    weekdays = problems.read(lambda: parse_weekdays(days))
    start_time = problems.read(lambda: parse_clock(start, "start_time"))
    end_time = problems.read(lambda: parse_clock(end, "end_time"))
    if start_time is not None and end_time is not None and end_time <= start_time:
        problems.add("end_time", "must be after the start time")
    if location_id is None:
        problems.add("location", "choose a location")
    first = problems.read(lambda: parse_day(valid_from, "valid_from", today=today))
    last = problems.read(lambda: parse_optional_day(valid_until, "valid_until", today=today))
    if first is not None and last is not None and last < first:
        problems.add("valid_until", "must be on or after the first day")
    problems.raise_any()
    assert weekdays is not None
    assert start_time is not None
    assert end_time is not None
    assert location_id is not None
    assert first is not None
    return TemplateDraft(template_id, weekdays, start_time, end_time, location_id, first, last)


def closure_span(first: date, start: time | None, last: date, end: time | None,
                 zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From ``start`` (midnight when None) on ``first`` to ``end`` on ``last`` (the end of that
    day when None), as aware instants in ``zone``."""
    begin = datetime.combine(first, start or time(), zone)
    finish = (datetime.combine(last, end, zone) if end is not None
              else datetime.combine(last + timedelta(days=1), time(), zone))
    return begin, finish


def closure_draft(*, kind: str, from_day: str, from_time: str, to_day: str, to_time: str,
                  reason: str, provider_id: int | None, location_id: int | None,
                  zone: ZoneInfo, today: date) -> ClosureDraft:
    """The closure as typed; an empty 'to' day means the same day. FormErrors names every
    field to fix, in the form's order."""
    problems = _Problems()
    first = problems.read(lambda: parse_day(from_day, "from_day", today=today))
    start = problems.read(lambda: parse_optional_clock(from_time, "from_time"))
    last = problems.read(lambda: parse_optional_day(to_day, "to_day", today=today)) or first
    end = problems.read(lambda: parse_optional_clock(to_time, "to_time"))
    if first is not None and last is not None and last < first:
        problems.add("to_day", "must be on or after the first day")
    elif first is not None and last is not None and not problems.found:
        begin, finish = closure_span(first, start, last, end, zone)
        if finish <= begin:
            problems.add("to_time", "must be after the start")
    text = " ".join(reason.split())
    if not text:
        problems.add("reason", "say why (e.g. Vacation, Conference, Ice storm)")
    problems.raise_any()
    assert first is not None
    assert last is not None
    begin, finish = closure_span(first, start, last, end, zone)
    return ClosureDraft(kind, begin, finish, text,
                        provider_id if kind == "time_off" else None,
                        location_id if kind == "location" else None)


# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True, slots=True)
class Done:
    """Saved; ``message`` says what, for the status line."""

    message: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing was saved. ``field`` names the form field to fix ('' for the whole form)."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Stranding:
    """Nothing was saved yet: these booked visits would fall outside working hours."""

    visits: tuple[AppointmentView, ...]


Outcome = Done | Refused | Stranding

#: The services' field names → the form fields the message goes next to.
SERVICE_FIELDS = {"start": "from_day", "end": "to_time", "provider": "kind", "as": "",
                  "template": "", "closure": ""}


def form_field(service_field: str) -> str:
    return SERVICE_FIELDS.get(service_field, service_field)


# --------------------------------------------------------------------------- wording


def stranding_title(count: int, provider: str | None = None) -> str:
    """The list's heading; ``provider`` when every visit is theirs (then the lines omit it)."""
    whose = f" of {provider}'s" if provider else ""
    if count == 1:
        return f"This booked visit{whose} would fall outside working hours:"
    return f"These {count} booked visits{whose} would fall outside working hours:"


def visit_line(appt: AppointmentView, *, with_provider: bool = True) -> str:
    """'Thu 11 Mar 10:00–10:20 · Testcase, C. · Follow-up · Dr. Avery Able' (local time)."""
    start = appt.local_start
    visit = appt.visit_type_name.split(" (")[0]
    line = (f"{start:%a} {start.day} {start:%b %H:%M}–{appt.local_end:%H:%M} · "
            f"{printable(appt.patient_short)} · {visit}")
    return line + (f" · {appt.provider_name}" if with_provider else "")


def stranded_note(visits: Sequence[AppointmentView]) -> str:
    if not visits:
        return ""
    count = len(visits)
    return (f" {count} booked visit{'s' if count != 1 else ''} now outside working hours "
            "(still booked): move or cancel them; they are marked ! on the calendar and "
            "listed under ! (needs attention).")


def _day(moment: datetime | date) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def day_text(day: date | None) -> str:
    return "—" if day is None else _day(day)


def next_id(ids: Iterable[int], current: int | None, step: int) -> int | None:
    """The id ``step`` places after ``current``, wrapping; the first when current is unknown."""
    order = list(ids)
    if not order:
        return None
    if current not in order:
        return order[0]
    return order[(order.index(current) + step) % len(order)]


def days_short(weekdays: Iterable[int]) -> str:
    """'Mon–Fri', 'Mon Wed Fri', 'Mon–Wed Sat': runs of three or more days joined by a dash."""
    days = sorted(set(weekdays))
    parts: list[str] = []
    run: list[int] = []
    for day in [*days, 99]:
        if run and day == run[-1] + 1:
            run.append(day)
            continue
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
        run = [day]
    return " ".join(parts)


def short_day(day: date | None) -> str:
    """'1 Jan 2026' (table cells), '—' for none."""
    return "—" if day is None else f"{day.day} {day:%b %Y}"


def closure_when(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """'Thu 11 Mar 2027', '11 Mar–15 Mar 2027', 'Thu 11 Mar 2027 13:00–17:00'."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.time() == time() and last.time() == time():
        last_day = (last - timedelta(days=1)).date()
        if last_day == first.date():
            return _day(first)
        if last_day.year == first.year:
            return f"{first.day} {first:%b}–{last_day.day} {last_day:%b %Y}"
        return f"{short_day(first.date())}–{short_day(last_day)}"
    if first.date() == last.date():
        return f"{_day(first)} {first:%H:%M}–{last:%H:%M}"
    return f"{first.day} {first:%b %H:%M}–{last.day} {last:%b %H:%M %Y}"


# --------------------------------------------------------------------------- the editor's tables


def hours_cells(row: TemplateRow) -> tuple[str, ...]:
    """Days, hours, location, from, until; '*' marks a rule saving would rewrite."""
    return (days_short(row.weekdays) + (" *" if row.custom else ""), row.hours_text,
            row.location_name, short_day(row.valid_from), short_day(row.valid_until))


def hours_label(rows: Sequence[TemplateRow]) -> str:
    label = "Weekly hours" if rows else "Weekly hours — none yet: press a to add a row"
    if any(r.custom for r in rows):
        label += " (* custom rule: saving rewrites it as plain weekdays)"
    return label


def closure_cells(closure: ClosureRow, zone: ZoneInfo) -> tuple[str, ...]:
    return (KIND_LABELS.get(closure.kind, closure.kind),
            closure_when(closure.start, closure.end, zone), closure.scope, closure.reason)


def closures_label(closures: Sequence[ClosureRow]) -> str:
    if closures:
        return "Closures ahead (this provider's, the locations' and the practice's)"
    return "Closures ahead — none: press c to add time off or a holiday"
