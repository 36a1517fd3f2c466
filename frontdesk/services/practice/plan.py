"""The plan: what applying the file would add, change and retire — each with the write that
does it, run in order in the one transaction (``apply.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session

from frontdesk.db.models import (
    Location,
    Provider,
    Room,
    Template,
    VisitType,
)
from frontdesk.domain.practice import (
    LocationDecl,
    PracticeFile,
    RoomDecl,
    VisitTypeDecl,
)
from frontdesk.services.practice.current import Current

Op = Callable[[Session], None]


@dataclass(frozen=True)
class Change:
    kind: str  # location, room, visit type, provider, hours, staff, holiday, practice, payers…
    action: str  # added | changed | retired
    name: str
    fields: tuple[tuple[str, str, str], ...] = ()  # (field, old, new) in words


@dataclass
class Planner:
    """Builds the changes and their writes; ``retiring`` collects the ids whose future visits
    refuse the plan."""

    current: Current
    file: PracticeFile
    changes: list[Change] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    retiring: dict[str, set[int]] = field(default_factory=lambda: {
        "location": set(), "room": set(), "provider": set(), "visit type": set()})
    location_ids: dict[str, int] = field(default_factory=dict)  # casefold name, after ops
    vt_ids: dict[str, int] = field(default_factory=dict)

    def change(self, kind: str, action: str, name: str,
               fields: list[tuple[str, Any, Any]] | None = None, op: Op | None = None) -> None:
        self.changes.append(Change(kind, action, name, tuple(
            (f, _words(a, f), _words(b, f)) for f, a, b in (fields or []))))
        if op is not None:
            self.ops.append(op)

    # ------------------------------------------------------------------ locations and rooms

    def locations(self) -> None:
        self.location_ids.update({k: r.id for k, r in self.current.locations.items()})
        declared = self.file.locations
        if declared is None:
            return
        wanted = {d.name.casefold(): d for d in declared}
        for d in declared:
            row = self.current.locations.get(d.name.casefold())
            if row is None:
                self.change("location", "added", d.name, op=self._add_location(d))
            else:
                was: LocationDecl = row.decl
                diff = [(f, getattr(was, f), getattr(d, f)) for f in
                        ("name", "address", "zip", "phone", "timezone")
                        if getattr(was, f) != getattr(d, f)]
                if not row.active:
                    diff.insert(0, ("active", "retired", "active"))
                if diff:
                    self.change("location", "changed", d.name, diff,
                                self._edit_location(row.id, d))
            self._rooms(d, row.id if row else None)
        for key, row in self.current.locations.items():
            if key not in wanted and row.active:
                self.retiring["location"].add(row.id)
                self.change("location", "retired", row.decl.name,
                            op=self.retire(Location, row.id))
                for (place, _), room in self.current.rooms.items():
                    if place == key and room.active:  # its rooms go with it, in the plan too
                        self.retiring["room"].add(room.id)
                        self.change("room", "retired", f"{row.decl.name} / {room.decl.name}",
                                    op=self.retire(Room, room.id))
                self.ops.append(self._end_templates_at(row.id))

    def _add_location(self, d: LocationDecl) -> Op:
        def op(session: Session) -> None:
            row = Location(name=d.name, address=d.address, zip=d.zip, phone=d.phone,
                           timezone=d.timezone)
            session.add(row)
            session.flush()
            self.location_ids[d.name.casefold()] = row.id or 0
        return op

    def _edit_location(self, location_id: int, d: LocationDecl) -> Op:
        def op(session: Session) -> None:
            row = session.get(Location, location_id)
            assert row is not None
            if row.timezone != d.timezone:  # the hours stay the same wall-clock hours
                for rows in self.current.templates.values():
                    for t in rows:
                        if t.location_id == location_id:
                            t.timezone = d.timezone
                            session.add(t)
            row.name, row.address, row.zip, row.phone = d.name, d.address, d.zip, d.phone
            row.timezone, row.active = d.timezone, True
            session.add(row)
        return op

    def _rooms(self, d: LocationDecl, location_id: int | None) -> None:
        place = d.name.casefold()
        wanted = {r.name.casefold() for r in d.rooms}
        for r in d.rooms:
            row = self.current.rooms.get((place, r.name.casefold()))
            label = f"{d.name} / {r.name}"
            if row is None:
                self.change("room", "added", label, [("kind", None, r.kind.value)],
                            self._add_room(place, r))
                continue
            was: RoomDecl = row.decl
            diff: list[tuple[str, Any, Any]] = []
            if not row.active:
                diff.append(("active", "retired", "active"))
            if was.name != r.name:
                diff.append(("name", was.name, r.name))
            if was.kind != r.kind:
                diff.append(("kind", was.kind.value, r.kind.value))
            if diff:
                self.change("room", "changed", label, diff, self._edit_room(row.id, r))
        if location_id is None:
            return
        for (loc, key), row in self.current.rooms.items():
            if loc == place and key not in wanted and row.active:
                self.retiring["room"].add(row.id)
                self.change("room", "retired", f"{d.name} / {row.decl.name}",
                            op=self.retire(Room, row.id))

    def _add_room(self, place: str, r: RoomDecl) -> Op:
        def op(session: Session) -> None:
            session.add(Room(location_id=self.location_ids[place], name=r.name,
                             kind=r.kind.value, fluoroscopy=r.fluoroscopy))
        return op

    def _edit_room(self, room_id: int, r: RoomDecl) -> Op:
        def op(session: Session) -> None:
            row = session.get(Room, room_id)
            assert row is not None
            row.name, row.kind, row.fluoroscopy, row.active = (r.name, r.kind.value,
                                                               r.fluoroscopy, True)
            session.add(row)
        return op

    # ------------------------------------------------------------------ visit types

    def visit_types(self) -> None:
        self.vt_ids.update({k: r.id for k, r in self.current.visit_types.items()})
        declared = self.file.visit_types
        if declared is None:
            return
        for d in declared:
            row = self.current.visit_types.get(d.code)
            if row is None:
                self.change("visit type", "added", d.code, op=self._put_vt(None, d))
                continue
            was: VisitTypeDecl = row.decl
            diff: list[tuple[str, Any, Any]] = [
                (f, getattr(was, f), getattr(d, f)) for f in
                ("name", "duration", "buffer_before", "buffer_after", "room", "procedure",
                 "colour", "prep") if getattr(was, f) != getattr(d, f)]
            if not row.active:
                diff.insert(0, ("active", "retired", "active"))
            if diff:
                self.change("visit type", "changed", d.code, diff, self._put_vt(row.id, d))
        wanted = {d.code for d in declared}
        for code, row in self.current.visit_types.items():
            if code not in wanted and row.active:
                self.retiring["visit type"].add(row.id)
                self.change("visit type", "retired", code, op=self.retire(VisitType, row.id))

    def _put_vt(self, vt_id: int | None, d: VisitTypeDecl) -> Op:
        def op(session: Session) -> None:
            row = session.get(VisitType, vt_id) if vt_id is not None else None
            if row is None:
                row = VisitType(code=d.code, name=d.name, duration_min=d.duration,
                                room_kind=d.room.value)
            row.name, row.duration_min = d.name, d.duration
            row.buffer_before_min, row.buffer_after_min = d.buffer_before, d.buffer_after
            row.room_kind, row.is_procedure, row.colour, row.prep = (
                d.room.value, d.procedure, d.colour, d.prep)
            row.active = True
            session.add(row)
            session.flush()
            self.vt_ids[d.code] = row.id or 0
        return op

    def _end_templates_at(self, location_id: int) -> Op:
        def op(session: Session) -> None:
            for (_, lid), rows in self.current.templates.items():
                if lid == location_id:
                    for t in rows:
                        end_template(session, t, self.current.today[lid])
        return op

    def retire(self, model: type[Location | Room | Provider | VisitType], row_id: int) -> Op:
        def op(session: Session) -> None:
            row = session.get(model, row_id)
            assert row is not None
            row.active = False
            session.add(row)
        return op


def end_template(session: Session, t: Template, day: date) -> None:
    """A template ends before ``day`` (or goes, if it had not started yet)."""
    if inspect(t).was_deleted or t in session.deleted:
        return
    if t.valid_from >= day:
        session.delete(t)
    elif t.valid_until is None or t.valid_until >= day:
        t.valid_until = day - timedelta(days=1)
        session.add(t)


def _words(value: Any, field: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "value"):
        return str(value.value)
    text = str(value)
    return text if field != "prep" or len(text) <= 60 else text[:59] + "…"

