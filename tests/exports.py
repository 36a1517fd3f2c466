"""Visits and patient details for the export tests, written straight into the tiny practice.

The exports read what is stored; going through the booking services would only add their rules
to set up. Every visit here keeps clear of the others on its provider and room (the database
refuses overlaps of blocking visits)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, Patient, Staff, VisitType
from frontdesk.services.context import Context
from tests.practice import Practice


def add_visit(ctx: Context, practice: Practice, start: datetime, *, status: str = "booked",
              provider: int | None = None, room: int | None = None,
              patient: int | None = None, minutes: int = 30, **extra: Any) -> int:
    """A follow-up visit at ``start`` (aware); its id."""

    def work(session: Session) -> int:
        vt = session.exec(select(VisitType).where(VisitType.code == "follow-up")).one()
        desk = session.exec(select(Staff).where(Staff.username == "desk")).one()
        end = start + timedelta(minutes=minutes)
        row = Appointment(
            patient_id=patient or practice.patient_id, visit_type_id=vt.id or 0,
            provider_id=provider or practice.able, location_id=practice.location_id,
            room_id=room or practice.exam_rooms[0], starts_at=start, ends_at=end,
            block_start=start, block_end=end, status=status, booked_by_id=desk.id or 0,
            booked_at=datetime(2027, 3, 1, 15, tzinfo=UTC), updated_at=start, **extra)
        session.add(row)
        session.flush()
        return row.id or 0

    return run_write(ctx.engine, work)


def add_patient(ctx: Context, first: str, last: str, **extra: Any) -> int:
    def work(session: Session) -> int:
        row = Patient(first_name=first, last_name=last, dob=date(1975, 1, 2),
                      phone="+19185550133", created_at=datetime(2026, 6, 1, tzinfo=UTC),
                      **extra)
        session.add(row)
        session.flush()
        return row.id or 0

    return run_write(ctx.engine, work)


def set_patient(ctx: Context, patient_id: int, **changes: Any) -> None:
    def work(session: Session) -> None:
        row = session.get(Patient, patient_id)
        assert row is not None
        for key, value in changes.items():
            setattr(row, key, value)
        session.add(row)

    run_write(ctx.engine, work)
