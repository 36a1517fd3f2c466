"""``practice apply``: the file checked against the database, the plan, and — unless a dry run
or nothing changes — its writes in one transaction with one audit event. Retiring something
that still has visits ahead is refused; visits that new hours leave outside working time are
kept and marked for a scheduler (``appointment.attention``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment
from frontdesk.domain.model import BLOCKING_STATUSES, Status
from frontdesk.domain.permissions import Permission
from frontdesk.domain.practice import PracticeFile, Problem, parse_practice
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.directory import normalise_phone
from frontdesk.services.errors import FrontDeskError, InvalidInput
from frontdesk.services.holidays import PRACTICE_ZONE
from frontdesk.services.mapping import appointment_view
from frontdesk.services.practice import others
from frontdesk.services.practice.current import load
from frontdesk.services.practice.plan import Change, Planner
from frontdesk.services.practice.providers import providers
from frontdesk.services.schedule_admin.stranding import _future_visits, _inside
from frontdesk.services.views import AppointmentView

ATTENTION = "outside the provider's hours since the practice file of {day}: find a new time"


class PracticeFileError(FrontDeskError):
    """The file has problems (each with its line); nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the practice file; "
                         "nothing was changed")
        self.problems = tuple(problems)


class RetireRefused(FrontDeskError):
    """Retiring these would orphan visits still ahead; nothing was written."""

    def __init__(self, visits: list[AppointmentView]) -> None:
        count = len(visits)
        many = count != 1
        super().__init__(f"the file retires what {count} visit{'s' if many else ''} ahead "
                         f"still need{'' if many else 's'}; move or cancel "
                         f"{'them' if many else 'it'} first; nothing was changed")
        self.visits = tuple(visits)


@dataclass(frozen=True)
class Outcome:
    changes: tuple[Change, ...]
    notes: tuple[str, ...]
    stranded: tuple[AppointmentView, ...]  # kept, marked for a scheduler
    applied: bool  # False: a dry run, or nothing to change


def read_file(text: str) -> PracticeFile:
    """The checked file, or PracticeFileError with every problem found."""
    parsed, problems = parse_practice(text, phone=_phone)
    if parsed is None:
        raise PracticeFileError(problems)
    return parsed


def _phone(text: str) -> str:
    try:
        return normalise_phone(text)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


def apply_practice(ctx: Context, *, staff: str, text: str, dry_run: bool = False) -> Outcome:
    """Apply the practice file ``text`` (see the README, "Setting up your practice")."""
    declared = read_file(text)

    def work(session: Session) -> Outcome:
        actor = acting(session, staff, Permission.PRACTICE)
        now = ctx.now()
        current = load(session, now, _holiday_zone(session, declared))
        plan = Planner(current, declared)
        problems = _against_database(plan)
        plan.locations()
        plan.visit_types()
        providers(plan, lambda zone: now.astimezone(ZoneInfo(zone)).date())
        problems += [Problem(declared.line("staff"), p)
                     for p in others.staff(plan, actor.username)]
        others.holidays(plan, now)
        others.settings(plan, ctx.settings, now)
        if problems:
            raise PracticeFileError(sorted(problems, key=lambda p: p.line))
        refused = _visits_ahead(session, now, plan.retiring)
        if refused:
            raise RetireRefused(refused)
        if dry_run or not plan.changes:
            return Outcome(tuple(plan.changes), tuple(plan.notes), (), False)
        before = _inside_hours(session, now)
        for op in plan.ops:
            op(session)
            session.flush()
        after = _inside_hours(session, now)
        stranded = _mark(session, now, sorted(before - after))
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=actor.id,
                    action="practice.apply", entity="practice", entity_id=None,
                    after=_summary(plan.changes, stranded))
        return Outcome(tuple(plan.changes), tuple(plan.notes), stranded, True)

    return write(ctx, work)


def _holiday_zone(session: Session, declared: PracticeFile) -> str:
    """Holidays close every location for the day of the practice's first location."""
    if declared.locations:
        return declared.locations[0].timezone
    first = q.names(session)[1]
    return next(iter(sorted(first.items())))[1][1] if first else PRACTICE_ZONE


def _against_database(plan: Planner) -> list[Problem]:
    """What the file names but leaves to the database: visit types and locations."""
    f, cur = plan.file, plan.current
    problems: list[Problem] = []
    for i, p in enumerate(f.providers or ()):
        if f.visit_types is None:
            for j, code in enumerate(p.visit_types):
                row = cur.visit_types.get(code)
                if row is None or not row.active:
                    problems.append(Problem(f.line("providers", i, "visit_types", j),
                                            f"visit type {code!r} is not in the file's "
                                            "[[visit_types]] nor active in the database"))
        if f.locations is None:
            for place, _ in p.hours:
                row = cur.locations.get(place.casefold())
                if row is None or not row.active:
                    problems.append(Problem(f.line("providers", i, "hours", place),
                                            f"location {place!r} is not in the file's "
                                            "[[locations]] nor active in the database"))
    return problems


_BLOCKING = [s.value for s in BLOCKING_STATUSES]


def _visits_ahead(session: Session, now: datetime, retiring: dict[str, set[int]]
                  ) -> list[AppointmentView]:
    columns = {"location": Appointment.location_id, "room": Appointment.room_id,
               "provider": Appointment.provider_id, "visit type": Appointment.visit_type_id}
    wanted = [col(columns[k]).in_(sorted(ids)) for k, ids in retiring.items() if ids]
    if not wanted:
        return []
    query = sa_select(col(Appointment.id)).where(
        col(Appointment.status).in_(_BLOCKING),
        or_(col(Appointment.status) != Status.HELD.value,
            col(Appointment.hold_expires_at) > now),
        col(Appointment.ends_at) > now, or_(*wanted))
    ids = [i for i in session.connection().execute(query).scalars() if i is not None]
    if not ids:
        return []
    return [appointment_view(r) for r in q.appointment_rows(session, ids=ids)]


def _inside_hours(session: Session, now: datetime) -> set[int]:
    """The visits ahead that lie inside their provider's working time, as stored now."""
    visits = _future_visits(session, now, provider_id=None, location_id=None, window=None)
    if not visits:
        return set()
    templates = q.templates_for(session, sorted({v[1] for v in visits}))
    closures = q.closures_between(session, min(v[3] for v in visits),
                                  max(v[4] for v in visits))
    return {v[0] for v in visits if _inside(v, templates, closures)}


def _mark(session: Session, now: datetime, ids: list[int]) -> tuple[AppointmentView, ...]:
    if not ids:
        return ()
    reason = ATTENTION.format(day=now.date().isoformat())
    for appt_id in ids:
        row = session.get(Appointment, appt_id)
        assert row is not None
        row.attention, row.version, row.updated_at = reason, row.version + 1, now
        session.add(row)
    session.flush()
    return tuple(appointment_view(r) for r in q.appointment_rows(session, ids=ids))


def _summary(changes: tuple[Change, ...] | list[Change],
             stranded: tuple[AppointmentView, ...]) -> dict[str, Any]:
    """Counts and the names of setup objects (never a patient's detail)."""
    out: dict[str, Any] = {}
    for c in changes:
        out.setdefault(c.action, {}).setdefault(c.kind, []).append(c.name)
    if stranded:
        out["stranded_appointment_ids"] = [a.id for a in stranded]
    out["counts"] = {action: sum(len(v) for v in kinds.values())
                     for action, kinds in out.items() if isinstance(kinds, dict)}
    return out

