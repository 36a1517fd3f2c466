"""The plan's providers: who they are, the visit types they perform and their weekly hours at
each location (new hours start today, the old ones end yesterday)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session, select

from frontdesk.db.models import Location, Provider, ProviderVisitType, Template
from frontdesk.domain.practice import Cell, ProviderDecl, hours_text
from frontdesk.domain.practice.hours import shifts_of
from frontdesk.services.practice.current import template_meaning
from frontdesk.services.practice.plan import Op, Planner, end_template


def providers(plan: Planner, today: Callable[[str], date]) -> None:
    declared = plan.file.providers
    if declared is None:
        return
    wanted = {d.name.casefold() for d in declared}
    for d in declared:
        row = plan.current.providers.get(d.name.casefold())
        ids: dict[str, int | None] = {"id": row.id if row else None}
        if row is None:
            plan.change("provider", "added", d.name,
                        [("visit types", None, ", ".join(d.visit_types))],
                        _put_provider(plan, ids, d, None))
        else:
            was: ProviderDecl = row.decl
            diff: list[tuple[str, Any, Any]] = [
                (f, getattr(was, f), getattr(d, f)) for f in ("name", "credentials")
                if getattr(was, f) != getattr(d, f)]
            if was.kind != d.kind:
                diff.append(("kind", was.kind.value, d.kind.value))
            if not row.active:
                diff.insert(0, ("active", "retired", "active"))
            if set(was.visit_types) != set(d.visit_types):
                diff.append(("visit types", ", ".join(was.visit_types),
                             ", ".join(d.visit_types)))
            if diff:
                plan.change("provider", "changed", d.name, diff,
                            _put_provider(plan, ids, d, was))
        _hours(plan, ids, d.name, dict(d.hours), today)
    for key, row in plan.current.providers.items():
        if key not in wanted and row.active:
            plan.retiring["provider"].add(row.id)
            plan.change("provider", "retired", row.decl.name,
                        op=plan.retire(Provider, row.id))
            _hours(plan, {"id": row.id}, row.decl.name, {}, today)

def _put_provider(plan: Planner, ids: dict[str, int | None], d: ProviderDecl,
                  was: ProviderDecl | None) -> Op:
    def op(session: Session) -> None:
        row = session.get(Provider, ids["id"]) if ids["id"] is not None else None
        if row is None:
            row = Provider(name=d.name, kind=d.kind.value)
        row.name, row.credentials, row.kind, row.active = (d.name, d.credentials,
                                                           d.kind.value, True)
        session.add(row)
        session.flush()
        ids["id"] = row.id or 0
        old = set(was.visit_types) if was else set()
        if old == set(d.visit_types):
            return
        for link in session.exec(_links(row.id or 0)).all():
            session.delete(link)
        session.flush()
        session.add_all(ProviderVisitType(provider_id=row.id or 0,
                                          visit_type_id=plan.vt_ids[c])
                        for c in d.visit_types)
    return op

def _hours(plan: Planner, ids: dict[str, int | None], name: str, hours: dict[str, frozenset[Cell]],
           today: Callable[[str], date]) -> None:
    pid = ids["id"]
    now_at: dict[str, frozenset[Cell]] = {}
    if pid is not None:
        for (who, lid), rows in plan.current.templates.items():
            if who == pid:
                now_at[plan.current.location_name(lid).casefold()] = template_meaning(rows)
    wanted = {place.casefold(): (place, m) for place, m in hours.items()}
    for key in sorted(set(wanted) | set(now_at)):
        old, new = now_at.get(key, frozenset()), wanted.get(key, (key, frozenset()))[1]
        if old == new:
            continue
        place = wanted[key][0] if key in wanted else _place_name(plan, key)
        plan.change("hours", "added" if not old else "changed", f"{name} at {place}",
                    [("hours", "; ".join(hours_text(old)) or None,
                      "; ".join(hours_text(new)) or None)],
                    _put_hours(plan, ids, key, new, today))

def _place_name(plan: Planner, key: str) -> str:
    row = plan.current.locations.get(key)
    return row.decl.name if row else key

def _put_hours(plan: Planner, ids: dict[str, int | None], key: str, meaning: frozenset[Cell],
               today: Callable[[str], date]) -> Op:
    def op(session: Session) -> None:
        lid = plan.location_ids[key]
        place = session.get(Location, lid)
        assert place is not None
        assert ids["id"] is not None
        day = today(place.timezone)
        for t in plan.current.templates.get((ids["id"], lid), []):
            end_template(session, t, day)
        for s in shifts_of(meaning):
            session.add(Template(provider_id=ids["id"], location_id=lid, rrule=s.rrule,
                                 timezone=place.timezone, start_time=s.start,
                                 end_time=s.end, valid_from=day))
    return op


def _links(provider_id: int) -> Any:
    return select(ProviderVisitType).where(ProviderVisitType.provider_id == provider_id)
