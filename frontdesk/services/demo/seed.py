"""Seeding: the demo practice into an empty database, or one of any size for the benchmark."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from frontdesk.db import queries as q
from frontdesk.db.engine import read_session, run_write
from frontdesk.db.models import AuditEvent, Location
from frontdesk.domain.model import Role
from frontdesk.services.context import Context
from frontdesk.services.demo.activity import _ActivityBuilder
from frontdesk.services.demo.appointments import _AppointmentBuilder
from frontdesk.services.demo.content import MAX_PHONES, PLACES
from frontdesk.services.demo.practice import ZONE, Progress
from frontdesk.services.errors import InvalidInput


@dataclass(frozen=True)
class DemoSummary:
    """What a seeding wrote: counts and the covered dates."""

    locations: int
    rooms: int
    providers: int
    staff: int
    patients: int
    templates: int
    closures: int
    appointments: int
    first_day: date
    last_day: date


# --------------------------------------------------------------------------- public


def has_data(ctx: Context) -> bool:
    """True once any location exists: the demo never goes into a practice's database."""
    with read_session(ctx.engine) as session:
        return session.exec(select(Location.id).limit(1)).first() is not None


def is_demo(ctx: Context) -> bool:
    """True when the demo seeded this database (its ``demo.seed`` event, written in the same
    transaction as the practice): only then are its published accounts this database's. One
    short read, asked only when the demo flag is given."""
    with read_session(ctx.engine) as session:
        return session.exec(select(AuditEvent.id).where(AuditEvent.action == "demo.seed")
                            .limit(1)).first() is not None


def seed_demo(ctx: Context, *, today: date | None = None, seed: int = 2027) -> DemoSummary:
    """Fill an empty database with the demo practice around ``today`` (Tulsa's date now)."""
    return build_practice(ctx, today=today, seed=seed, earlier=True)


def build_practice(
    ctx: Context,
    *,
    today: date | None = None,
    seed: int = 2027,
    locations: int = 5,
    providers: int = 10,
    patients: int = 200,
    days_back: int = 28,
    days_ahead: int = 42,
    fill: float = 0.7,
    min_appointments: int = 0,
    progress: Progress | None = None,
    earlier: bool = False,
) -> DemoSummary:
    """A synthetic practice of the given size, with appointments from ``days_back`` days before
    ``today`` to ``days_ahead`` after, about ``fill`` of template time booked.

    One transaction: all or nothing. ``min_appointments`` raises the fill (up to 0.9) when the
    first plan comes out short, for the benchmark's row-count target. ``earlier``: also a
    few patients last seen months before the window, with the procedures the recalls list
    brings back, and a few on the waitlist (the demo; not the benchmark's sized practices).
    """
    _check_sizes(locations, providers, patients, days_back, days_ahead, fill)
    day = today or ctx.now().astimezone(ZoneInfo(ZONE)).date()
    say = progress or (lambda _text: None)

    def work(session: Session) -> DemoSummary:
        if session.exec(select(Location.id).limit(1)).first() is not None:
            raise InvalidInput("db", "this database already has a practice; the demo goes "
                               "only into an empty database (use its own file, e.g. --demo)")
        builder = _Builder(session, ctx, today=day, seed=seed, days_back=days_back,
                           days_ahead=days_ahead, say=say)
        builder.practice(locations, providers, patients)
        share = fill
        rows = builder.plan(share)
        while len(rows) < min_appointments and share < 0.9:
            share = min(0.9, share * min_appointments / max(len(rows), 1) * 1.05)
            say(f"{len(rows):,} planned is short of {min_appointments:,}; fill {share:.2f}")
            rows = builder.plan(share)
        builder.insert(rows)
        builder.relief_follow_up()
        before = builder.earlier_procedures() if earlier else 0
        if earlier:
            builder.waiting_list()
        builder.desk_activity()
        return builder.finish(len(rows) + before)

    return run_write(ctx.engine, work)


def _check_sizes(locations: int, providers: int, patients: int, back: int, ahead: int,
                 fill: float) -> None:
    if not 1 <= locations <= len(PLACES):
        raise InvalidInput("locations", f"must be between 1 and {len(PLACES)}")
    if providers < 3:
        raise InvalidInput("providers", "must be at least 3 (one of each kind)")
    if not 1 <= patients <= MAX_PHONES:
        raise InvalidInput("patients", f"must be between 1 and {MAX_PHONES}")
    if back < 0 or ahead < 0:
        raise InvalidInput("days", "days back and ahead cannot be negative")
    if not 0 < fill < 1:
        raise InvalidInput("fill", "must be between 0 and 1")


class _Builder(_AppointmentBuilder, _ActivityBuilder):
    """Creates the practice rows, then plans and inserts appointments, in one session."""

    def finish(self, appointments: int) -> DemoSummary:
        c = self.counts
        summary = DemoSummary(
            locations=c["locations"], rooms=c["rooms"], providers=c["providers"],
            staff=c["staff"], patients=c["patients"], templates=c["templates"],
            closures=c["closures"], appointments=appointments, first_day=self.first_day,
            last_day=self.last_day,
        )
        after = {k: (v.isoformat() if isinstance(v, date) else v)
                 for k, v in asdict(summary).items()}
        q.add_audit(self.session, origin=self.ctx.origin.stamp,
                    at=self.ctx.now(), staff_id=self.staff_ids[Role.ADMIN],
                    action="demo.seed", entity="practice", entity_id=None,
                    after=after | {"seed": self.seed})
        return summary
