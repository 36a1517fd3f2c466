"""``practice apply``: the file checked against the database, the plan, and — unless nothing
changes — its writes in one transaction with one audit event (a dry run rolls it back).
Retiring or changing what visits ahead still need is refused (``ahead.refusals``); visits
that new hours leave outside working time, or whose visit type's length changes, are kept and
marked for a scheduler (``appointment.attention``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import PracticeSetting
from frontdesk.domain.permissions import Permission
from frontdesk.domain.practice import DEFAULT_ZONE, PracticeFile, Problem, parse_practice
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write
from frontdesk.services.directory import normalise_phone
from frontdesk.services.errors import FrontDeskError, InvalidInput
from frontdesk.services.practice import others
from frontdesk.services.practice.ahead import (
    inside_hours,
    joined,
    mark,
    refusals,
    resized,
    views,
    visits_ahead,
)
from frontdesk.services.practice.current import load
from frontdesk.services.practice.plan import Change, Planner
from frontdesk.services.practice.providers import providers
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
    """The file retires or changes what visits still ahead need; nothing was written.
    ``reasons``: visit id -> why (the message itself carries no patient details)."""

    def __init__(self, visits: tuple[AppointmentView, ...],
                 reasons: dict[int, list[str]] | None = None) -> None:
        count = len(visits)
        many = count != 1
        super().__init__(f"the file retires or changes what {count} visit{'s' if many else ''} "
                         f"ahead still need{'' if many else 's'}; move or cancel "
                         f"{'them' if many else 'it'} first; nothing was changed")
        self.visits = tuple(visits)
        self.reasons = dict(reasons or {})


@dataclass(frozen=True)
class Outcome:
    changes: tuple[Change, ...]
    notes: tuple[str, ...]
    stranded: tuple[AppointmentView, ...]  # kept, marked for a scheduler (or, dry: would be)
    applied: bool  # False: a dry run, or nothing to change
    reasons: tuple[tuple[int, str], ...] = ()  # (visit id, why it is marked)


class _DryRun(Exception):  # noqa: N818 - not an error: carries the plan out of a rolled-back run
    def __init__(self, outcome: Outcome) -> None:
        super().__init__("dry run")
        self.outcome = outcome


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
    """Apply the practice file ``text`` (see the README, "Setting up your practice"). A dry
    run does all of it in a transaction that is rolled back, so it lists the same visits."""
    declared = read_file(text)

    def work(session: Session) -> Outcome:
        actor = acting(session, staff, Permission.PRACTICE)
        now = ctx.now()
        was_zone, zone = holiday_zones(session, declared)
        current = load(session, now, was_zone)
        plan = Planner(current, declared)
        problems = _against_database(plan)
        plan.locations()
        plan.visit_types()
        providers(plan, lambda z: now.astimezone(ZoneInfo(z)).date())
        problems += others.staff(plan, actor.username)
        others.holidays(plan, now, zone)
        problems += others.settings(plan, ctx.settings, now)
        if problems:
            raise PracticeFileError(sorted(problems, key=lambda p: p.line))
        ahead = visits_ahead(session, now)
        refused = refusals(plan, ahead)
        if refused:
            raise RetireRefused(views(session, list(refused)), refused)
        if not plan.changes:
            return Outcome((), tuple(plan.notes), (), False)
        why = resized(plan, ahead)
        before = inside_hours(session, now)
        for op in plan.ops:
            op(session)
            session.flush()
        out_of_hours = ATTENTION.format(day=now.date().isoformat())
        for appt_id in sorted(before - inside_hours(session, now)):
            why[appt_id] = joined(why.get(appt_id), out_of_hours)
        order = [v[0] for v in ahead if v[0] in why]
        if dry_run:
            raise _DryRun(Outcome(tuple(plan.changes), tuple(plan.notes),
                                  views(session, order), False,
                                  tuple((i, why[i]) for i in order)))
        mark(session, now, why)
        stranded = views(session, order)
        q.add_audit(session, origin=ctx.origin.stamp, at=now, staff_id=actor.id,
                    action="practice.apply", entity="practice", entity_id=None,
                    after=_summary(plan.changes, stranded))
        return Outcome(tuple(plan.changes), tuple(plan.notes), stranded, True,
                       tuple((i, why[i]) for i in order))

    try:
        return write(ctx, work)
    except _DryRun as done:  # the transaction was rolled back
        return done.outcome


def holiday_zones(session: Session, declared: PracticeFile) -> tuple[str, str]:
    """The practice's zone (the day a holiday closes) as stored, and as it will be: the
    ``[practice] timezone`` key, America/Chicago when not given — never a location's."""
    row = session.get(PracticeSetting, "practice")
    stored = row.value if row is not None and isinstance(row.value, dict) else {}
    was = stored.get("timezone")
    was = was if isinstance(was, str) and was else DEFAULT_ZONE
    return was, declared.practice.timezone if declared.practice is not None else was


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


def _summary(changes: tuple[Change, ...] | list[Change],
             stranded: tuple[AppointmentView, ...]) -> dict[str, Any]:
    """Counts, the names of setup objects, and who was given which role (never a patient's
    detail): ``roles`` lists each account added with its role and each role change."""
    out: dict[str, Any] = {}
    for c in changes:
        out.setdefault(c.action, {}).setdefault(c.kind, []).append(c.name)
    if stranded:
        out["stranded_appointment_ids"] = [a.id for a in stranded]
    out["counts"] = {action: sum(len(v) for v in kinds.values())
                     for action, kinds in out.items() if isinstance(kinds, dict)}
    roles = [{"username": c.name, "before": None if c.action == "added" else old,
              "after": new}
             for c in changes if c.kind == "staff" for f, old, new in c.fields if f == "role"]
    if roles:
        out["roles"] = roles
    enabled = [c.name for c in changes if c.kind == "staff"
               and any(f == "active" for f, _, _ in c.fields) and c.action == "changed"]
    if enabled:
        out["reenabled"] = enabled
    return out
