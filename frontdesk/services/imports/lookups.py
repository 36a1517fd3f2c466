"""Names in another system's file matched to the practice's own: locations, providers, visit
types and rooms, loaded once per import. A name matches when it is the same without case or
punctuation ("Dr Avery Able" is "Dr. Avery Able"); else when exactly one name begins with it
or holds it ("Able"). Retired ones still match: an old visit was with them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel import Session, col, select

from frontdesk.db.models import Location, Provider, ProviderVisitType, Room, VisitType
from frontdesk.domain.imports import CellError, fold

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Named(Generic[T]):
    """Things by their folded names (and other names: a visit type's code)."""

    what: str  # "location", "provider", …, for the reasons
    items: tuple[tuple[tuple[str, ...], str, T], ...]  # (folded names, shown name, thing)

    @classmethod
    def of(cls, what: str, things: Iterable[tuple[tuple[str, ...], str, T]]) -> Named[T]:
        return cls(what, tuple((tuple(fold(n) for n in names), shown, thing)
                               for names, shown, thing in things))

    def find(self, text: str) -> T:
        wanted = fold(text)
        if not wanted:
            raise CellError("is empty")
        for test in (str.__eq__, str.startswith, str.__contains__):
            found = {id(t): (shown, t) for names, shown, t in self.items
                     if any(test(n, wanted) for n in names)}
            if len(found) == 1:
                return next(iter(found.values()))[1]
            if found:
                both = " or ".join(sorted(s for s, _ in found.values())[:3])
                raise CellError(f"{text.strip()[:40]!r} could be {both}; give the full name")
        raise CellError(f"no {self.what} {text.strip()[:40]!r} in the practice (frontdesk "
                        f"{self.what.replace(' ', '-')}s lists them)")


@dataclass(frozen=True, slots=True)
class Practice:
    """The practice's setup as an import needs it."""

    locations: Named[Location]
    providers: Named[Provider]
    visit_types: Named[VisitType]
    rooms: dict[int, list[Room]]  # by location, in id order
    performers: dict[int, frozenset[int]]  # visit type id -> provider ids

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
            Named.of("provider", (((p.name,), p.name, p) for p in providers)),
            Named.of("visit type", (((vt.code, vt.name), vt.code, vt) for vt in types)),
            rooms, {k: frozenset(v) for k, v in performers.items()})

    def room(self, location: Location, text: str) -> Room:
        here = self.rooms.get(location.id or 0, [])
        named = Named.of("room", (((r.name,), r.name, r) for r in here))
        try:
            return named.find(text)
        except CellError:
            raise CellError(f"no room {text.strip()[:40]!r} at {location.name}") from None
