"""``practice export``: today's setup in the practice file's format (what is active; hours
valid today or later), so applying the export changes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.db.engine import read_session
from frontdesk.domain.permissions import Permission
from frontdesk.domain.practice import (
    HolidaysDecl,
    PracticeFile,
    PracticeInfo,
    ProviderDecl,
    render,
)
from frontdesk.domain.settings import Settings
from frontdesk.services.access import acting
from frontdesk.services.context import Context
from frontdesk.services.files import file_modes
from frontdesk.services.holidays import practice_holidays
from frontdesk.services.practice.apply import holiday_zones
from frontdesk.services.practice.current import Current, load
from frontdesk.services.report.export import write_private


def export_practice(ctx: Context, *, staff: str) -> str:
    """The practice file of the database as it is now."""
    with read_session(ctx.engine) as session:
        acting(session, staff, Permission.PRACTICE)
        now = ctx.now()
        current = load(session, now, holiday_zones(session, PracticeFile())[0])
        return render(to_file(session, current, ctx.settings, now))


def write_export(ctx: Context, *, staff: str, path: Path) -> None:
    """The export written owner-only (0600), or for the shared group under its setting."""
    write_private(path, export_practice(ctx, staff=staff), file_modes(ctx.settings))


def to_file(session: Session, cur: Current, settings: Settings, now: datetime) -> PracticeFile:
    stored = cur.settings.get("practice") or {}
    info = PracticeInfo(stored.get("name", settings.practice_name),
                        stored.get("phone", settings.practice_phone), cur.holiday_zone)
    locations = tuple(r.decl for r in cur.locations.values() if r.active)
    visit_types = tuple(r.decl for r in cur.visit_types.values() if r.active)
    active_places = {r.decl.name for r in cur.locations.values() if r.active}
    providers = tuple(
        ProviderDecl(p.name, p.credentials, p.kind, p.visit_types,
                     tuple((place, m) for place, m in p.hours if place in active_places and m))
        for p in (r.decl for r in cur.providers.values() if r.active))
    staff = tuple(r.decl for r in cur.staff.values() if r.active)
    return PracticeFile(info, locations, visit_types, providers, staff,
                        _holidays(cur, now), cur.settings.get("payers"),
                        cur.settings.get("plans"), cur.settings.get("reminders"))


def _holidays(cur: Current, now: datetime) -> HolidaysDecl:
    """``calendar = "us"`` when every packaged holiday from today to the end of next year is
    there; the dates the calendar does not give (or names otherwise) listed one by one."""
    today = now.astimezone(ZoneInfo(cur.holiday_zone)).date()
    packaged = {d: n for d, n in practice_holidays(range(today.year, today.year + 2))
                if d >= today}
    have = {d: name for d, (_, name) in cur.holidays.items()}
    calendar = bool(packaged) and all(d in have for d in packaged)
    listed = tuple(sorted((d, n) for d, n in have.items()
                          if not calendar or packaged.get(d) != n))
    return HolidaysDecl("us" if calendar else None, listed)
