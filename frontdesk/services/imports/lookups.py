"""Names in another system's file matched to the practice's own: locations, providers, visit
types and rooms, loaded once per import.

A name matches only when it is one of the thing's names written another way: the same
without case, spaces or punctuation ("Dr Avery Able" is "Dr. Avery Able", "FOLLOW UP" is
"Follow-up"). A visit type's names are its code and its name; a provider's are the name, and
the name without a leading "Dr."/"Doctor" or trailing credentials (", PA-C"); a location's and
a room's, the name. Never a part of a name: "Consult" is not "Radiofrequency ablation
consult". Anything else is a bad row naming the nearest names. Every match is remembered
(``matches``) so the report lists each "theirs → ours" for a person to check. Retired ones
still match (an old visit was with them); the appointment import refuses them for visits
still to come.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlmodel import Session, col, select

from frontdesk.db.models import Location, Provider, ProviderVisitType, Room, VisitType
from frontdesk.domain.imports import CellError, fold, nearest

T = TypeVar("T")
_TITLE = re.compile(r"^\s*(?:dr|doctor)\b\.?\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Named(Generic[T]):
    """Things by their folded names (and other names: a visit type's code)."""

    what: str  # "location", "provider", …, for the reasons
    items: tuple[tuple[tuple[str, ...], str, T], ...]  # (folded names, shown name, thing)
    #: what the file said (as written, trimmed) → the shown name it matched, first seen first
    matches: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, what: str, things: Iterable[tuple[tuple[str, ...], str, T]]) -> Named[T]:
        return cls(what, tuple((tuple(dict.fromkeys(f for n in names if (f := fold(n)))),
                                shown, thing) for names, shown, thing in things))

    def find(self, text: str) -> T:
        wanted = fold(text)
        if not wanted:
            raise CellError("is empty")
        found = {id(t): (shown, t) for names, shown, t in self.items if wanted in names}
        if len(found) == 1:
            shown, thing = next(iter(found.values()))
            self.matches.setdefault(" ".join(text.split())[:60], shown)
            return thing
        if found:
            both = " or ".join(sorted(s for s, _ in found.values())[:3])
            raise CellError(f"{text.strip()[:40]!r} could be {both}; give the full name")
        close = nearest(text, {n: shown for names, shown, _ in self.items for n in names})
        hint = f"; nearest: {', '.join(close)}" if close else ""
        raise CellError(f"no {self.what} {text.strip()[:40]!r} in the practice{hint} "
                        f"(frontdesk {self.what.replace(' ', '-')}s lists them)")


def provider_names(name: str) -> tuple[str, ...]:
    """A provider's names as a file may write them: whole, without the title, without the
    credentials after a comma, without both."""
    bare = _TITLE.sub("", name)
    return (name, bare, name.split(",")[0], bare.split(",")[0])


@dataclass(frozen=True, slots=True)
class Practice:
    """The practice's setup as an import needs it."""

    locations: Named[Location]
    providers: Named[Provider]
    visit_types: Named[VisitType]
    rooms: dict[int, list[Room]]  # by location, in id order
    performers: dict[int, frozenset[int]]  # visit type id -> provider ids
    room_matches: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Practice:
        locations = session.exec(select(Location).order_by(col(Location.id))).all()
        providers = session.exec(select(Provider).order_by(col(Provider.id))).all()
        types = session.exec(select(VisitType).order_by(col(VisitType.id))).all()
        rooms: dict[int, list[Room]] = {}
        for room in session.exec(select(Room).order_by(col(Room.id))):
            rooms.setdefault(room.location_id, []).append(room)
        performers: dict[int, set[int]] = {}
        for link in session.exec(select(ProviderVisitType)):
            performers.setdefault(link.visit_type_id, set()).add(link.provider_id)
        return cls(
            Named.of("location", (((loc.name,), loc.name, loc) for loc in locations)),
            Named.of("provider", ((provider_names(p.name), p.name, p) for p in providers)),
            Named.of("visit type", (((vt.code, vt.name), vt.code, vt) for vt in types)),
            rooms, {k: frozenset(v) for k, v in performers.items()})

    def room(self, location: Location, text: str) -> Room:
        here = self.rooms.get(location.id or 0, [])
        named = Named.of("room", (((r.name,), r.name, r) for r in here))
        try:
            room = named.find(text)
        except CellError:
            close = nearest(text, {fold(r.name): r.name for r in here})
            hint = f"; nearest: {', '.join(close)}" if close else ""
            raise CellError(f"no room {text.strip()[:40]!r} at {location.name}{hint}") from None
        self.room_matches.setdefault(f"{' '.join(text.split())[:60]} at {location.name}",
                                     room.name)
        return room

    def matched(self) -> tuple[str, ...]:
        """Each distinct value the file wrote and what it was read as: "what: 'theirs' → ours"."""
        out: list[str] = []
        for what, matches in (("location", self.locations.matches),
                              ("provider", self.providers.matches),
                              ("visit type", self.visit_types.matches),
                              ("room", self.room_matches)):
            out += [f"{what}: {theirs!r} → {ours}" for theirs, ours in matches.items()]
        return tuple(out)
