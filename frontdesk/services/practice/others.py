"""The plan's other sections: staff accounts, holidays, and the practice's own settings (name,
phone, payers, plans) kept in ``practice_setting``."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.db.models import Closure, PracticeSetting, Staff
from frontdesk.domain.model import Role
from frontdesk.domain.practice import DEFAULT_ZONE, Problem, StaffDecl
from frontdesk.domain.settings import Settings, payer_tables
from frontdesk.services.holidays import HOLIDAY, local_day_bounds, practice_holidays
from frontdesk.services.practice.plan import Planner


def staff(plan: Planner, actor: str) -> list[Problem]:
    """Accounts added (no password), changed, disabled; the problems (the applier's own
    account) with the line of the staff entry. An account the file enables again loses its
    old password (and failed sign-ins, lock): an admin gives it a new one."""
    declared = plan.file.staff
    if declared is None:
        return []
    problems: list[Problem] = []
    wanted = {d.username for d in declared}
    for i, d in enumerate(declared):
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
            diff.append(("password", "as before", "cleared (an admin sets a new one)"))
        if was.name != d.name:
            diff.append(("name", was.name, d.name))
        if was.role != d.role:
            if d.username == actor and d.role is not Role.ADMIN:
                problems.append(Problem(
                    plan.file.line("staff", i, "role"),
                    f"{d.username} is you: take away your own admin role with another "
                    "admin's file, not your own"))
            diff.append(("role", was.role.value, d.role.value))
        if diff:
            plan.change("staff", "changed", d.username, diff,
                        _put_staff(row.id, d, reset=not row.active))
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
        problems.append(Problem(plan.file.line("staff", 0),
                                "no active admin would be left: list at least one admin"))
    return problems


def _put_staff(staff_id: int | None, d: StaffDecl, *, reset: bool = False) -> Any:
    def op(session: Session) -> None:
        row = session.get(Staff, staff_id) if staff_id is not None else None
        if row is None:  # a new account has no password until an admin gives it one
            row = Staff(username=d.username, name=d.name, role=d.role.value,
                        password_hash=None)
        row.name, row.role, row.active = d.name, d.role.value, True
        if reset:  # enabled again: its old password does not come back with it
            row.password_hash, row.failed_signins, row.locked_until = None, 0, None
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


def holidays(plan: Planner, now: datetime, zone_name: str) -> None:
    """Holidays are days in the practice's zone (``zone_name``); when that zone changes, the
    days kept are closed again on the new zone's clock."""
    zone = ZoneInfo(zone_name)
    rezoned = zone_name != plan.current.holiday_zone
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
        elif rezoned:
            fields = [("time zone", plan.current.holiday_zone, zone_name)]
            if found[1] != name:
                fields.insert(0, ("name", found[1], name))
            plan.change("holiday", "changed", f"{day:%a %Y-%m-%d}", fields,
                        _both(_remove_holiday(found[0]), _add_holiday(day, name, zone)))
        elif found[1] != name:
            plan.change("holiday", "changed", f"{day:%a %Y-%m-%d}",
                        [("name", found[1], name)], _rename_holiday(found[0], name))
    for day, (closure_id, name) in sorted(plan.current.holidays.items()):
        if day in wanted:
            continue
        if day not in packaged:
            plan.change("holiday", "retired", f"{day:%a %Y-%m-%d} {name}",
                        op=_remove_holiday(closure_id))
        elif rezoned:  # a packaged day beyond the file's two years: kept, on the new clock
            plan.change("holiday", "changed", f"{day:%a %Y-%m-%d}",
                        [("time zone", plan.current.holiday_zone, zone_name)],
                        _both(_remove_holiday(closure_id), _add_holiday(day, name, zone)))


def _both(first: Any, then: Any) -> Any:
    def op(session: Session) -> None:
        first(session)
        session.flush()
        then(session)
    return op


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


def settings(plan: Planner, effective: Settings, now: datetime) -> list[Problem]:
    """``[practice]``, ``[payers.*]`` and ``[plans.*]``: kept in ``practice_setting``. The
    file's payer tables lie key by key over the settings file's (``payer_tables``): the plan
    lists each value that changes for the app, and what the merge gets wrong is a problem."""
    f = plan.file
    stored = plan.current.settings
    if f.practice is not None:
        new = {"name": f.practice.name, "phone": f.practice.phone,
               "timezone": f.practice.timezone}
        old = dict(stored.get("practice", {"name": effective.practice_name,
                                           "phone": effective.practice_phone}))
        old.setdefault("timezone", DEFAULT_ZONE)
        diff = [(k, old.get(k), new[k]) for k in ("name", "phone", "timezone")
                if old.get(k) != new[k]]
        if diff:
            plan.change("practice", "changed", "practice", diff, _put_setting("practice", new, now))
    if f.reminders is not None and stored.get("reminders") != f.reminders:
        was = stored.get("reminders") or {}
        changed: list[tuple[str, Any, Any]] = [
            (f"[reminders] {key}", _shown(was.get(key)), _shown(f.reminders.get(key)))
            for key in dict.fromkeys([*was, *f.reminders])
            if was.get(key) != f.reminders.get(key)]
        plan.change("reminders", "changed", "reminders", changed,
                    _put_setting("reminders", f.reminders, now))
    if f.payers is None and f.plans is None:
        return []
    was_rules, was_plans, _ = payer_tables(effective, stored.get("payers"), stored.get("plans"))
    given = {key: json.loads(json.dumps(getattr(f, key))) if getattr(f, key) is not None
             else stored.get(key) for key in ("payers", "plans")}
    rules, catalogue, problems = payer_tables(effective, given["payers"], given["plans"])
    for key, was, will in (("payers", was_rules, rules), ("plans", was_plans, catalogue)):
        new_tables = given[key]
        if new_tables is None or getattr(f, key) is None or stored.get(key) == new_tables:
            continue
        diff = _payer_diff(key, was, will) or [
            ("effect", None, "none: the app's rules stay as they are")]
        plan.change(key, "changed", key, diff, _put_setting(key, new_tables, now))
    return [Problem(f.line(*p.key.split(".")), f"{p.key}: {p.reason} (with the settings "
                                               "file's tables beneath)")
            for p in problems]


def _payer_diff(section: str, was: tuple[Any, ...], will: tuple[Any, ...]
                ) -> list[tuple[str, Any, Any]]:
    """What changes for the app, value by value: ``[payers.KEY] field: old → new``."""
    before, after = {p.key: p for p in was}, {p.key: p for p in will}
    out: list[tuple[str, Any, Any]] = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        label = f"[{section}.{key}]"
        if a == b:
            continue
        if a is None or b is None:
            out.append((label, None if a is None else "as before",
                        "added" if a is None else "gone"))
            continue
        for name in (fl.name for fl in fields(a)):
            x, y = getattr(a, name), getattr(b, name)
            if x != y:
                out.append((f"{label} {name}", _plain(x), _plain(y)))
    return out


def _shown(value: Any) -> str | None:
    """A [reminders] value for the plan: a sub-table by its keys (a template's words are
    long: the file has them)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_plain(v)[:40]}" for k, v in value.items()) or "none"
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, (tuple, list, set, frozenset)):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(getattr(value, "value", value))


def _put_setting(key: str, value: dict[str, Any], now: datetime) -> Any:
    def op(session: Session) -> None:
        row = session.get(PracticeSetting, key)
        if row is None:
            row = PracticeSetting(key=key, value=value, updated_at=now)
        row.value, row.updated_at = value, now
        session.add(row)
    return op
