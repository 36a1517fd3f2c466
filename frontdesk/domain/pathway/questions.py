"""The questions the desk asks, and the caller's answers parsed into values."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from dateutil.relativedelta import relativedelta

from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway.values import Answers, PainKind, Procedure


class AnswerError(ValueError):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


ANSWER_KEYS = tuple(f for f in Answers.__dataclass_fields__ if f != "reason")


def answers_from(data: Mapping[str, Any], reason: CallReason | None) -> Answers:
    """Answers from a call draft's stored JSON; a value that does not parse is left unasked."""
    values: dict[str, Any] = {}
    for key in ANSWER_KEYS:
        raw = data.get(key)
        if raw is None or raw == "":
            continue
        try:
            values[key] = parse_answer(key, raw)
        except AnswerError:
            continue
    return Answers(reason=reason, **values)


def parse_answer(key: str, raw: Any) -> Any:
    """One answer, typed or stored, as the value :class:`Answers` holds; AnswerError why not."""
    text = str(raw).strip()
    if key not in ANSWER_KEYS:
        raise AnswerError(key, "not a pathway question")
    enum_of: dict[str, type[StrEnum]] = {
        "pain_area": Region, "region": Region, "pain_kind": PainKind, "procedure": Procedure,
        "side": Side,
    }
    if key in enum_of:
        enum = enum_of[key]
        try:
            return enum(text.lower())
        except ValueError:
            choices = ", ".join(m.value for m in enum)
            raise AnswerError(key, f"one of {choices}") from None
    if key == "ordered":
        if not text:
            raise AnswerError(key, "choose the visit the physician ordered")
        return text
    if key == "levels":
        count_levels(text)
        return normalise_levels(text)
    if key == "percent_relief":
        return _whole(key, text.rstrip("%").strip(), 0, 100, "a percentage from 0 to 100")
    if key in ("scale_before", "scale_after"):
        return _whole(key, text, 0, 10, "a score from 0 to 10")
    if key == "injections_so_far":
        return _whole(key, text, 1, 50, "how many injections, counting this one")
    if key == "hours_lasted":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            hours = float(raw)
        else:
            hours = parse_duration(text)
        if not 0 <= hours <= MAX_HOURS:
            raise AnswerError(key, "a duration like 90 min, 3 hours, 2 days or 4 months")
        return hours
    # yes/no questions
    if isinstance(raw, bool):
        return raw
    word = text.lower()
    if word in ("y", "yes", "true"):
        return True
    if word in ("n", "no", "false"):
        return False
    raise AnswerError(key, "yes or no")


def _whole(key: str, text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise AnswerError(key, what) from None
    if not low <= value <= high:
        raise AnswerError(key, what)
    return value


_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?"
    r"|mo|mos|months?)?\s*$", re.IGNORECASE)
_HOURS_PER = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 24.0 * 7}

#: How a relief answer given in months is stored: N months are N x MONTH_HOURS hours, the
#: average calendar month (365.25 days / 12 = 30 days 10.5 hours). The value carries the
#: months exactly: :func:`months_in` reads it back as N calendar months (to one decimal), and
#: the rules count them as calendar months from the procedure day (:func:`lasted_until`), so
#: "3 months" meets a 3-month rule whatever the procedure day, and a 90-day relief does not
#: when the three months after the procedure have 92 days. Durations given in minutes, hours,
#: days or weeks stay plain hours; rows stored before (N months as N x 30 days) keep meaning
#: that many days.
MONTH_HOURS = 365.25 * 24 / 12
MAX_HOURS = 36 * MONTH_HOURS  # the longest relief an answer may give: three years


def parse_duration(text: str) -> float:
    """Hours from '90 min', '2h', '3 hours', '2 days', '3 weeks', '4 months' or a bare number
    of hours; months (to one decimal) as :data:`MONTH_HOURS` each, read back as calendar
    months."""
    match = _DURATION.match(text)
    if match is None:
        raise AnswerError("hours_lasted", "a duration like 90 min, 3 hours, 2 days or 4 months")
    number, unit = float(match.group(1)), (match.group(2) or "h").lower()
    if unit.startswith("mo"):
        if round(number, 1) != number:
            raise AnswerError("hours_lasted", "months to one decimal, like 3 or 2.5 months")
        return number * MONTH_HOURS
    key = "m" if unit.startswith("m") else unit[0]
    return number * _HOURS_PER[key]


def months_in(hours: float) -> float | None:
    """The months an answer given in months said (one decimal), or None for any other
    duration (minutes, hours, days, weeks, and months stored as 30 days before)."""
    if hours <= 0:
        return None
    months = round(hours / MONTH_HOURS, 1)
    return months if math.isclose(months * MONTH_HOURS, hours, abs_tol=1e-6) else None


def lasted_until(day: date, hours: float) -> datetime:
    """When relief that began on the procedure ``day`` and lasted ``hours`` ended (naive, on
    the calendar): N months as N calendar months (a fraction of a month as that share of an
    average month), anything else as that many hours from the start of the day."""
    start = datetime.combine(day, time())
    months = months_in(hours)
    if months is None:
        return start + timedelta(hours=hours)
    whole = math.floor(months)
    return (start + relativedelta(months=whole)
            + timedelta(hours=(months - whole) * MONTH_HOURS))


def lasted_months(day: date, hours: float, months: int) -> bool:
    """Whether relief from the procedure ``day`` lasted at least ``months`` calendar months:
    until on or after the same date ``months`` later (31 Jan + 1 month is 28/29 Feb)."""
    return lasted_until(day, hours) >= datetime.combine(day + relativedelta(months=months),
                                                         time())


def describe_hours(hours: float) -> str:
    """'90 minutes', '2 hours', '3 days', '2 weeks', '4 months': how long relief lasted, in
    words. Months only for an answer given in months (:func:`months_in`); other long times in
    days (whole weeks up to 8 as weeks), so 90 days never reads as "3 months" (which may be
    92 days).

    Rounded down, so a time just short of a threshold never reads as the threshold itself.
    """
    months = months_in(hours)
    if months is not None:
        shown = f"{months:.1f}".rstrip("0").rstrip(".")
        return f"{shown} month{'' if shown == '1' else 's'}"
    if hours < 2 and hours * 60 % 60:
        minutes = math.floor(hours * 60 + 1e-9)
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    if 24 * 14 <= hours <= 24 * 7 * 8 and math.isclose(hours % (24 * 7), 0, abs_tol=1e-9):
        weeks = round(hours / (24 * 7))
        return f"{weeks} weeks"
    for size, unit in ((24, "day"), (1, "hour")):
        if hours >= size * (2 if unit != "hour" else 1):
            amount = math.floor(hours / size * 10 + 1e-9) / 10
            shown = f"{amount:.1f}".rstrip("0").rstrip(".")
            return f"{shown} {unit}{'' if shown == '1' else 's'}"
    return f"{math.floor(hours * 60 + 1e-9)} minutes"


_LEVEL = re.compile(r"^([CTL])(\d{1,2})-([CTLS])(\d{1,2})$")
_REGION_LETTER = {"C": Region.CERVICAL, "T": Region.THORACIC, "L": Region.LUMBAR}


def normalise_levels(text: str) -> str:
    parts = [p.strip().upper().replace(" ", "") for p in re.split(r"[,;/]| and ", text)]
    return ", ".join(p for p in parts if p)


def count_levels(text: str, region: Region | None = None) -> int:
    """How many spinal levels 'L4-L5, L5-S1' names; AnswerError when it is not levels, or
    when they are not in ``region``."""
    parts = [p for p in normalise_levels(text).split(", ") if p]
    if not parts:
        raise AnswerError("levels", "write levels like L4-L5, L5-S1")
    for part in parts:
        match = _LEVEL.match(part)
        if match is None:
            raise AnswerError("levels", "write levels like L4-L5, L5-S1")
        if region is not None and _REGION_LETTER[match.group(1)] != region:
            raise AnswerError("levels", f"{part} is not in the {region.value} spine")
    return len(parts)


def level_set(text: str, region: Region | None = None) -> frozenset[str]:
    """The spinal levels 'l4-l5, L5-S1' names, normalised ({'L4-L5', 'L5-S1'}); AnswerError as
    :func:`count_levels` says."""
    count_levels(text, region)
    return frozenset(p for p in normalise_levels(text).split(", ") if p)


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    prompt: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) when the answer is a choice
    hint: str = ""


def _choices(enum: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    return tuple((m.value, m.label if hasattr(m, "label") else m.value.title()) for m in enum)


_REGION_CHOICES = (
    (Region.LUMBAR.value, "Low back (lumbar)"),
    (Region.CERVICAL.value, "Neck (cervical)"),
    (Region.THORACIC.value, "Mid back (thoracic)"),
)
_SIDE_CHOICES = ((Side.BILATERAL.value, "Both sides"), (Side.LEFT.value, "Left"),
                 (Side.RIGHT.value, "Right"))

QUESTIONS: dict[str, Question] = {
    "pain_area": Question("pain_area", "Where is the pain?", _REGION_CHOICES),
    "pain_kind": Question("pain_kind", "What kind of pain does the caller describe?",
                          _choices(PainKind)),
    "ordered": Question("ordered", "Which visit did the physician order?"),
    "procedure": Question("procedure", "Which injection is the caller reporting on?",
                          _choices(Procedure)),
    "region": Question("region", "Which part of the spine was injected?", _REGION_CHOICES),
    "levels": Question("levels", "Which levels?", hint="e.g. L4-L5, L5-S1"),
    "side": Question("side", "Which side?", _SIDE_CHOICES),
    "percent_relief": Question("percent_relief", "How much relief, in percent?",
                               hint="0 for none, 100 for all the pain gone"),
    "hours_lasted": Question("hours_lasted", "How long did the relief last?",
                             hint="e.g. 90 min, 3 hours, 2 days, 4 months"),
    "scale_before": Question("scale_before", "Pain score before the injection (0-10)?"),
    "scale_after": Question("scale_after", "Pain score after the injection (0-10)?"),
    "same_scale": Question("same_scale", "Were both scores on the same 0-10 scale?",
                           (("yes", "Yes"), ("no", "No"))),
    "injections_so_far": Question("injections_so_far",
                                  "How many of these injections so far, counting this one?"),
    "wearing_off": Question("wearing_off", "Is the relief wearing off sooner each time?",
                            (("yes", "Yes"), ("no", "No"))),
}
