"""The plan's other sections: staff accounts, holidays, and the practice's own settings (name,
phone, payers, plans) kept in ``practice_setting``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.db.models import Closure, PracticeSetting, Staff
from frontdesk.domain.model import Role
from frontdesk.domain.practice import StaffDecl
from frontdesk.domain.settings import Settings
from frontdesk.services.holidays import HOLIDAY, local_day_bounds, practice_holidays
from frontdesk.services.practice.plan import Planner


def staff(plan: Planner, actor: str) -> list[str]:
    """Accounts added (no password), changed, disabled; the problems (the applier's own
    account) as reasons."""
    declared = plan.file.staff
    if declared is None:
        return []
    problems: list[str] = []
    wanted = {d.username for d in declared}
    for d in declared:
        row = plan.current.staff.get(d.username)
        if row is None:
            plan.change("staff", "added", d.username,
                        [("role", None, d.role.value), ("password", None, "not set")],
                        _put_staff(None, d))
            continue
        was: StaffDecl = row.decl
        diff: list[tuple[str, Any, Any]] = []
        if not row.active:
            diff.append(("active", "disabled", "active"))
        if was.name != d.name:
            diff.append(("name", was.name, d.name))
        if was.role != d.role:
            if d.username == actor and d.role is not Role.ADMIN:
                problems.append(f"{d.username} is you: take away your own admin role with "
                                "another admin's file, not your own")
            diff.append(("role", was.role.value, d.role.value))
        if diff:
            plan.change("staff", "changed", d.username, diff, _put_staff(row.id, d))
    for username, row in plan.current.staff.items():
        if username in wanted or not row.active:
            continue
        if username == actor:
            plan.notes.append(f"staff {username}: not in the file, but you are applying it: "
                              "kept active")
            continue
        plan.change("staff", "retired", username, [("active", "active", "disabled")],
                    _disable(row.id))
    admins = {d.username for d in declared if d.role is Role.ADMIN}
    if actor not in wanted and plan.current.staff[actor].decl.role is Role.ADMIN:
        admins.add(actor)
    if not admins:
        problems.append("no active admin would be left: list at least one admin")
    return problems


def _put_staff(staff_id: int | None, d: StaffDecl) -> Any:
    def op(session: Session) -> None:
        row = session.get(Staff, staff_id) if staff_id is not None else None
        if row is None:  # a new account has no password until an admin gives it one
            row = Staff(username=d.username, name=d.name, role=d.role.value,
                        password_hash=None)
        row.name, row.role, row.active = d.name, d.role.value, True
        session.add(row)
    return op


def _disable(staff_id: int) -> Any:
    def op(session: Session) -> None:
        row = session.get(Staff, staff_id)
        assert row is not None
        row.active = False
        session.add(row)
    return op


def declared_holidays(plan: Planner, today: date) -> dict[date, str] | None:
    decl = plan.file.holidays
    if decl is None:
        return None
    wanted: dict[date, str] = {}
    if decl.calendar:
        for day, name in practice_holidays(range(today.year, today.year + 2)):
            if day >= today:
                wanted[day] = name
    for day, name in decl.dates:
        if day >= today:
            wanted[day] = name
    return wanted


def holidays(plan: Planner, now: datetime) -> None:
    zone = ZoneInfo(plan.current.holiday_zone)
    today = now.astimezone(zone).date()
    wanted = declared_holidays(plan, today)
    if wanted is None:
        return
    packaged: set[date] = set()
    if plan.file.holidays and plan.file.holidays.calendar:
        years = {d.year for d in plan.current.holidays} | {today.year}
        packaged = {d for d, _ in practice_holidays(years)}
    for day, name in sorted(wanted.items()):
        found = plan.current.holidays.get(day)
        if found is None:
            plan.change("holiday", "added", f"{day:%a %Y-%m-%d} {name}",
                        op=_add_holiday(day, name, zone))
        elif found[1] != name:
            plan.change("holiday", "changed", f"{day:%a %Y-%m-%d}",
                        [("name", found[1], name)], _rename_holiday(found[0], name))
    for day, (closure_id, name) in sorted(plan.current.holidays.items()):
        if day not in wanted and day not in packaged:
            plan.change("holiday", "retired", f"{day:%a %Y-%m-%d} {name}",
                        op=_remove_holiday(closure_id))


def _add_holiday(day: date, name: str, zone: ZoneInfo) -> Any:
    def op(session: Session) -> None:
        start, end = local_day_bounds(day, zone)
        session.add(Closure(kind=HOLIDAY, reason=name[:120], starts_at=start, ends_at=end))
    return op


def _rename_holiday(closure_id: int, name: str) -> Any:
    def op(session: Session) -> None:
        row = session.get(Closure, closure_id)
        assert row is not None
        row.reason = name[:120]
        session.add(row)
    return op


def _remove_holiday(closure_id: int) -> Any:
    def op(session: Session) -> None:
        row = session.get(Closure, closure_id)
        if row is not None:
            session.delete(row)
    return op


def settings(plan: Planner, effective: Settings, now: datetime) -> None:
    """``[practice]``, ``[payers.*]`` and ``[plans.*]``: kept in ``practice_setting``."""
    f = plan.file
    stored = plan.current.settings
    if f.practice is not None:
        new = {"name": f.practice.name, "phone": f.practice.phone}
        old = stored.get("practice", {"name": effective.practice_name,
                                      "phone": effective.practice_phone})
        diff = [(k, old.get(k), new[k]) for k in ("name", "phone") if old.get(k) != new[k]]
        if diff:
            plan.change("practice", "changed", "practice", diff, _put_setting("practice", new, now))
    for key in ("payers", "plans"):
        tables = getattr(f, key)
        if tables is None:
            continue
        new = json.loads(json.dumps(tables))
        old = stored.get(key)
        if old == new:
            continue
        before = old or {}
        diff = [(f"[{key}.{k}]", "—" if k not in before else "as stored",
                 "removed" if k not in new else "as in the file")
                for k in sorted(set(before) | set(new)) if before.get(k) != new.get(k)]
        if old is None:
            diff.insert(0, (key, "the settings file", "this file"))
        plan.change(key, "changed", key, diff, _put_setting(key, new, now))


def _put_setting(key: str, value: dict[str, Any], now: datetime) -> Any:
    def op(session: Session) -> None:
        row = session.get(PracticeSetting, key)
        if row is None:
            row = PracticeSetting(key=key, value=value, updated_at=now)
        row.value, row.updated_at = value, now
        session.add(row)
    return op
