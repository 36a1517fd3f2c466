"""The recalls in the daily report, and the day's progress the screen shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from frontdesk.db.engine import read_session
from frontdesk.db.models import (
    CallbackTask,
    Outreach,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.recalls import (
    REACHED,
    RecallKind,
    RecallOutcome,
    RecallRules,
)
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.report.values import DrillKind, Figure, WorklistLine
from frontdesk.services.worklists.recalls.gather import (
    PRACTICE_ZONE,
    WORKLIST,
    appointment_places,
    parse_key,
)
from frontdesk.services.worklists.recalls.listing import recalls


def report_lines(ctx: Context, *, by: str, day: date, location_id: int | None = None,
                 rules: RecallRules | None = None) -> list[WorklistLine]:
    """The recalls' lines of the daily report: due now (per kind: the visits or callbacks
    the list shows — as of today, whatever ``day`` the report is about, so labelled "Due now
    (as of today)" on another day's report), reached on ``day`` (the visits the recalls
    reached are about) and booked from recalls on ``day`` (the visits booked)."""
    listed = recalls(ctx, by=by, location_id=location_id, rules=rules)
    today = ctx.now().astimezone(PRACTICE_ZONE).date()
    due = "Due now" if day == today else "Due now (as of today)"
    when = f"{day:%a} {day.day} {day:%b %Y}"
    lines = []
    for kind in RecallKind:
        items = [r for r in listed if r.kind is kind]
        drill = DrillKind.CALLBACKS if kind is RecallKind.RELIEF else DrillKind.APPOINTMENTS
        lines.append(WorklistLine("Recalls", f"{due}: {kind.label.lower()}", Figure(
            drill, tuple(r.anchor_id for r in items),
            f"Recalls {due.lower()}: {kind.label.lower()}")))
    done = progress(ctx, by=by, day=day, location_id=location_id)
    lines.append(WorklistLine("Recalls", "Reached", Figure(
        DrillKind.APPOINTMENTS, done.reached,
        f"Visits whose recall reached the patient, {when}")))
    lines.append(WorklistLine("Recalls", "Booked from recalls", Figure(
        DrillKind.APPOINTMENTS, done.booked, f"Visits booked from recalls, {when}")))
    return lines


@dataclass(frozen=True, slots=True)
class Progress:
    """What the desk did with the recalls on one day: how many it tried, the visits those it
    reached are about (the procedure, the block) and the visits booked from them."""

    tried: int
    reached: tuple[int, ...]
    booked: tuple[int, ...]


def progress(ctx: Context, *, by: str, day: date, location_id: int | None = None) -> Progress:
    """The recalls tried, reached and booked on the practice's ``day`` at ``location_id``
    (where the procedure each is about was done; None: everywhere)."""
    require(ctx, by, Permission.CALLS)
    start = datetime.combine(day, time(), PRACTICE_ZONE).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), PRACTICE_ZONE).astimezone(UTC)
    with read_session(ctx.engine) as session:
        rows = list(session.exec(
            select(Outreach).where(Outreach.worklist == WORKLIST)
            .where(Outreach.at >= start).where(Outreach.at < end)
            .order_by(col(Outreach.at))).all())
        anchors = _anchors(session, {r.subject for r in rows})
    # a row this code did not write (an unknown outcome or key) is left out, never fatal
    rows = [r for r in rows if r.outcome in KNOWN and _key(r.subject) is not None]
    if location_id is not None:
        rows = [r for r in rows if anchors.get(r.subject, (None, None))[1] == location_id]
    reached = {anchors[r.subject][0] for r in rows
               if RecallOutcome(r.outcome) in REACHED and r.subject in anchors}
    booked = {r.appointment_id for r in rows if r.outcome == RecallOutcome.BOOKED.value}
    return Progress(tried=len({r.subject for r in rows}),
                    reached=tuple(sorted(i for i in reached if i is not None)),
                    booked=tuple(sorted(i for i in booked if i is not None)))


def _anchors(session: Session, subjects: set[str]) -> dict[str, tuple[int | None, int]]:
    """Recall key -> (the visit it is about, that visit's location)."""
    visits: dict[str, int] = {}
    for subject in subjects:
        if (key := _key(subject)) is None:
            continue
        kind, ref = key
        if kind is RecallKind.RELIEF:
            task = session.get(CallbackTask, ref)
            if task is not None and task.appointment_id is not None:
                visits[subject] = task.appointment_id
        else:
            visits[subject] = ref
    places = appointment_places(session, sorted(set(visits.values())))
    return {subject: (visit, places[visit]) for subject, visit in visits.items()
            if visit in places}


#: The outcomes a recall's try may have.
KNOWN = frozenset(o.value for o in RecallOutcome)


def _key(subject: str) -> tuple[RecallKind, int] | None:
    """A recall key read, or None when it is not one."""
    try:
        return parse_key(subject)
    except InvalidInput:
        return None
