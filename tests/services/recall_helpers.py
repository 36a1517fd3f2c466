"""Building a recall's history for the tests: procedures done (written as they would stand
after the day), their relief reports and callbacks, on the tiny test practice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, CallbackTask, Patient, ReliefReport, Staff, VisitType
from frontdesk.domain.pathway import MONTH_HOURS
from frontdesk.services.context import Context
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")


def at(day: date, hour: int = 9) -> datetime:
    """``day`` at ``hour`` in Tulsa, as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHICAGO).astimezone(UTC)


def medicare_patient(ctx: Context, first: str = "Robin", last: str = "Recallcase",
                     phone: str = "+19185550177") -> int:
    def work(session: Session) -> int:
        row = Patient(first_name=first, last_name=last, dob=date(1955, 4, 3), phone=phone,
                      payer="Medicare", payer_key="medicare",
                      created_at=datetime(2026, 1, 1, tzinfo=UTC))
        session.add(row)
        session.flush()
        return row.id or 0

    return run_write(ctx.engine, work)


def visit(ctx: Context, p: Practice, patient_id: int, code: str, day: date, *,
          status: str = "completed", hour: int = 9, region: str | None = "lumbar",
          levels: str | None = "L4-L5", side: str | None = "bilateral") -> int:
    """A visit written as it stands (no booking checks: the history is the test's)."""

    def work(session: Session) -> int:
        vt = session.exec(select(VisitType).where(VisitType.code == code)).one()
        staff = session.exec(select(Staff).where(Staff.username == "desk")).one()
        start = at(day, hour)
        end = start + timedelta(minutes=vt.duration_min)
        room = p.procedure_room if vt.room_kind == "procedure" else p.exam_rooms[0]
        row = Appointment(
            patient_id=patient_id, visit_type_id=vt.id or 0, provider_id=p.able,
            location_id=p.location_id, room_id=room, starts_at=start, ends_at=end,
            block_start=start, block_end=end, status=status, booked_by_id=staff.id or 0,
            booked_at=start - timedelta(days=7), updated_at=start,
            region=region if vt.is_procedure else None,
            levels=levels if vt.is_procedure else None,
            side=side if vt.is_procedure else None)
        session.add(row)
        session.flush()
        return row.id or 0

    return run_write(ctx.engine, work)


def relief(ctx: Context, patient_id: int, appointment_id: int | None, procedure: str, *,
           percent: int, months: float | None = None, hours: float | None = None,
           reported: datetime) -> None:
    def work(session: Session) -> None:
        staff = session.exec(select(Staff).where(Staff.username == "desk")).one()
        session.add(ReliefReport(
            patient_id=patient_id, appointment_id=appointment_id, procedure=procedure,
            region="lumbar", levels="L4-L5", side="bilateral", percent_relief=percent,
            hours_lasted=hours if hours is not None else (months or 0) * MONTH_HOURS,
            reported_at=reported, taken_by_id=staff.id or 0))

    run_write(ctx.engine, work)


def callback(ctx: Context, patient_id: int, appointment_id: int, *, due: datetime,
             status: str = "open", done_at: datetime | None = None) -> int:
    def work(session: Session) -> int:
        task = CallbackTask(patient_id=patient_id, appointment_id=appointment_id,
                            kind="relief-report", due_at=due, created_at=due - timedelta(days=1),
                            status=status, done_at=done_at)
        session.add(task)
        session.flush()
        return task.id or 0

    return run_write(ctx.engine, work)


def rfa_history(ctx: Context, p: Practice, patient_id: int, rfa_day: date, *,
                percent: int = 80, months: float = 7, hour: int = 9) -> int:
    """Two qualifying diagnostic blocks at L4-L5 (both sides), then an RFA on ``rfa_day``
    with its relief report; returns the RFA's appointment id."""
    for n, day in enumerate((rfa_day - timedelta(days=70), rfa_day - timedelta(days=50))):
        block = visit(ctx, p, patient_id, "facet-diagnostic", day, hour=hour + n)
        relief(ctx, patient_id, block, "facet-diagnostic", percent=90, hours=6,
               reported=at(day + timedelta(days=1)))
        callback(ctx, patient_id, block, due=at(day + timedelta(days=1)), status="done",
                 done_at=at(day + timedelta(days=1)))
    rfa = visit(ctx, p, patient_id, "rfa", rfa_day, hour=hour)
    relief(ctx, patient_id, rfa, "rfa", percent=percent, months=months,
           reported=at(rfa_day + timedelta(days=100)))
    return rfa
