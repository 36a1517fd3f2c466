"""Reading what the person typed: days, start times and locations, in the practice's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from frontdesk.services.context import Context
    from frontdesk.services.views import LocationView


class Clocked(Protocol):
    """The full way's Context or the light way's Light: both tell the time."""

    def now(self) -> datetime: ...

PRACTICE_ZONE = "America/Chicago"  # every location is on Central time (DESIGN §1)


def practice_today(ctx: Clocked, zone: str = PRACTICE_ZONE) -> date:
    return ctx.now().astimezone(ZoneInfo(zone)).date()


def parse_day(text: str, *, field_name: str, today: date) -> date:
    """ISO or everyday words ("tomorrow", "next tue", "12/3", "in 2 weeks")."""
    from frontdesk.domain.dates import DateWordsError, parse_date_words
    from frontdesk.services.errors import InvalidInput

    if len(text) > 40:
        raise InvalidInput(field_name, "is too long to be a date; try 2027-03-15, 3/15, "
                                       "tomorrow or next tue")
    try:
        return parse_date_words(text, today=today)
    except DateWordsError as exc:
        raise InvalidInput(field_name, str(exc)) from None
    except (ValueError, OverflowError):  # "in 9999 years": past the calendar's end
        raise InvalidInput(field_name, f"{text.strip()!r} is too far from today") from None


def parse_birth(text: str, *, field_name: str = "dob") -> date:
    """A date of birth: 1958-04-23, 4/23/1958 or April 23, 1958 (never "tomorrow")."""
    from frontdesk.domain.dates import DateWordsError, parse_birth_date
    from frontdesk.services.errors import InvalidInput

    try:
        return parse_birth_date(text)
    except DateWordsError as exc:
        raise InvalidInput(field_name, str(exc)) from None


def parse_start(text: str, *, zone: str, now: datetime) -> datetime:
    """ISO 8601; without an offset it is the location's local time. Returned as aware UTC."""
    from frontdesk.services.errors import InvalidInput

    raw = text.strip()
    example = "e.g. 2027-03-15T09:00-05:00, or 2027-03-15T09:00 for local time"
    try:
        if len(raw) > 40:
            raise ValueError(raw)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("start", f"{raw[:40]!r} is not an ISO 8601 time; {example}") from None
    try:
        if moment.tzinfo is None:
            local = moment.replace(tzinfo=ZoneInfo(zone))
            back = local.astimezone(UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
            if back != moment:
                raise InvalidInput("start", f"{raw} does not exist in {zone} (the clocks jump "
                                            "forward); give another time")
            moment = local
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput("start", f"{raw!r} is out of range") from None
    if utc <= now:
        raise InvalidInput("start", "is in the past")
    if utc > now + timedelta(days=3650):
        raise InvalidInput("start", "is more than 10 years ahead")
    return utc


def resolve_location(ctx: Context, text: str) -> LocationView:
    """A location by id, name or unique name prefix."""
    from frontdesk.services import directory
    from frontdesk.services.errors import InvalidInput

    wanted = text.strip()
    if wanted.isdigit():
        found = [loc for loc in directory.locations(ctx) if str(loc.id) == wanted.lstrip("0")]
        if not found:
            raise InvalidInput("location", f"no location with id {wanted[:40]}; "
                                           "`frontdesk locations` lists them")
        return found[0]
    return directory.find_location(ctx, wanted)


def active_location(ctx: Context, text: str) -> LocationView:
    """A location in use, by id, name or unique name prefix: a retired one is refused (it
    cannot be anybody's preferred location any more)."""
    from frontdesk.services import directory
    from frontdesk.services.errors import InvalidInput

    in_use = directory.locations(ctx)
    wanted = text.strip()
    if wanted.isdigit():
        place = next((loc for loc in directory.locations(ctx, retired=True)
                      if str(loc.id) == wanted.lstrip("0")), None)
        if place is None:
            raise InvalidInput("location", f"no location with id {wanted[:40]}; "
                                           "`frontdesk locations` lists them")
    else:
        place = directory.find_location(ctx, wanted)
    if all(loc.id != place.id for loc in in_use):
        names = ", ".join(loc.name for loc in in_use) or "none"
        raise InvalidInput("location", f"{place.name} is retired; choose one of {names}")
    return place
