"""One booking path, on SQLite and PostgreSQL: booking, holding (then confirming) and moving a
visit refuse the same bad booking with the same message and write nothing; warnings must be
accepted by their code, and what was accepted or said goes in the audit event.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa; Dr. Able (physician) and Pat Baker (PA) work
Mon-Fri 08:00-12:00 and 13:00-17:00 local.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, Patient
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import Answers, Procedure
from frontdesk.services import scheduling as s
from frontdesk.services.callbacks import record_relief
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.scheduling import BookingNeedsConfirmation, FirstVisitRefused
from tests.conftest import FrozenClock
from tests.practice import SPINE, Practice

CHICAGO = ZoneInfo("America/Chicago")


def local(day: int, hour: int) -> datetime:
    return datetime(2027, 3, day, hour, tzinfo=CHICAGO).astimezone(UTC)


WED_14, THU_10, FRI_10 = local(10, 14), local(11, 10), local(12, 10)


@pytest.fixture
def newcomer(ctx: Context, practice: Practice, clock: FrozenClock) -> int:
    """A patient the practice has never seen."""

    def work(session: Session) -> int:
        patient = Patient(first_name="Robin", last_name="Newcomb", dob=date(1990, 1, 2),
                          phone="+19185550177", payer="BlueCross", created_at=clock())
        session.add(patient)
        session.flush()
        assert patient.id is not None
        return patient.id

    return run_write(ctx.engine, work)


def book(ctx: Context, p: Practice, start: datetime, visit_type: str = "follow-up",
         **kw: object) -> s.AppointmentView:
    args: dict[str, object] = dict(staff="desk", patient_id=p.patient_id, visit_type=visit_type,
                                   provider_id=p.able, location_id=p.location_id, start=start)
    args.update(kw)
    return s.book(ctx, **args)  # type: ignore[arg-type]


def written(ctx: Context) -> tuple[int, int, tuple[tuple[int, int], ...]]:
    """Row counts of appointments and audit events, and every appointment's version."""
    with Session(ctx.engine) as session:
        appts = session.exec(select(func.count()).select_from(Appointment)).one()
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
        versions = session.exec(select(Appointment.id, Appointment.version)
                                .order_by(col(Appointment.id))).all()
    return int(appts), int(events), tuple((a or 0, v) for a, v in versions)


def last_checks(ctx: Context, appointment_id: int) -> dict[str, object]:
    with Session(ctx.engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.entity_id == appointment_id)
                             .where(AuditEvent.entity == "appointment")
                             .order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert event.after is not None
    return dict(event.after.get("checks") or {})


# --------------------------------------------------------------------------- every path


Path = Callable[[Context, Practice, int, datetime, dict[str, object]], object]


def by_booking(ctx: Context, p: Practice, patient: int, start: datetime,
               kw: dict[str, object]) -> object:
    return book(ctx, p, start, patient_id=patient, **kw)


def by_holding(ctx: Context, p: Practice, patient: int, start: datetime,
               kw: dict[str, object]) -> object:
    held = book(ctx, p, start, patient_id=patient, hold=True, **kw)
    return s.confirm_hold(ctx, staff="desk", appointment_id=held.id)


def by_moving(ctx: Context, p: Practice, patient: int, start: datetime,
              kw: dict[str, object]) -> object:
    """Book the same visit where it passes (a week on, Dr. Able), then move it there."""
    fine = {k: v for k, v in kw.items() if k != "provider_id"} | {
        "accept_warnings": s.WARNING_CODES}
    appt = book(ctx, p, local(17, 15), patient_id=patient, **fine)
    return s.reschedule(ctx, staff="desk", appointment_id=appt.id, start=start,
                        provider_id=int(str(kw.get("provider_id", p.able))))


PATHS = {"book": by_booking, "hold+confirm": by_holding, "reschedule": by_moving}


@pytest.mark.parametrize("path", PATHS)
def test_a_first_visit_before_the_evaluation_is_refused_alike_on_every_path(
    ctx: Context, practice: Practice, newcomer: int, path: str
) -> None:
    book(ctx, practice, THU_10, "new-patient", patient_id=newcomer, provider_id=practice.baker)
    booking_only = path != "reschedule"
    before = written(ctx)
    with pytest.raises(FirstVisitRefused) as refused:
        PATHS[path](ctx, practice, newcomer, WED_14, {})
    assert str(refused.value) == (
        "visit_type: this would be before the patient's new-patient evaluation on Thu Mar 11 "
        "10:00: a first visit is the new-patient evaluation, unless a physician ordered this "
        "visit (then say so: ordered by the physician)")
    if booking_only:
        assert written(ctx) == before


@pytest.mark.parametrize("path", PATHS)
def test_overlapping_visits_at_two_places_are_refused_alike_on_every_path(
    ctx: Context, practice: Practice, path: str
) -> None:
    book(ctx, practice, THU_10)  # Dr. Able, exam room
    with pytest.raises(InvalidInput) as refused:
        PATHS[path](ctx, practice, practice.patient_id, THU_10,
                    {"provider_id": practice.baker, "accept_warnings": ("same-day",)})
    assert str(refused.value) == ("start: the patient already has a follow-up at Thu Mar 11 "
                                  "10:00 at Test Clinic, overlapping this time")


@pytest.mark.parametrize("path", ["book", "hold+confirm"])
@pytest.mark.parametrize(("details", "message"), [
    ({}, "region: a diagnostic facet joint injection needs the spinal region: cervical, "
         "thoracic or lumbar"),
    ({"region": "lumbar", "side": "left"},
     "levels: a diagnostic facet joint injection needs the levels, e.g. L4-L5, L5-S1"),
    ({"region": "cervical", "levels": "L4-L5", "side": "left"},
     "levels: L4-L5 is not in the cervical spine"),
    ({"region": "lumbar", "levels": "L4-L5"},
     "side: a diagnostic facet joint injection needs the side: left, right or bilateral"),
])
def test_a_procedure_needs_its_details_on_every_path(
    ctx: Context, practice: Practice, path: str, details: dict[str, object], message: str
) -> None:
    before = written(ctx)
    with pytest.raises(InvalidInput) as refused:
        PATHS[path](ctx, practice, practice.patient_id, THU_10,
                    {"visit_type": "facet-diagnostic", **details})
    assert str(refused.value) == message
    assert written(ctx) == before


def test_a_trigger_point_needs_region_and_side_but_no_levels(
    ctx: Context, practice: Practice
) -> None:
    with pytest.raises(InvalidInput, match="^side: a trigger point injection needs the side"):
        book(ctx, practice, THU_10, "trigger-point", region="lumbar")
    done = book(ctx, practice, THU_10, "trigger-point", region="lumbar", side="left")
    assert (done.region, done.levels, done.side) == ("lumbar", None, "left")


def test_moving_a_procedure_booked_without_details_asks_for_them(
    ctx: Context, practice: Practice
) -> None:
    appt = book(ctx, practice, THU_10, "facet-diagnostic", **SPINE)

    def strip(session: Session) -> None:  # as one booked before the rule
        row = session.get(Appointment, appt.id)
        assert row is not None
        row.levels = None

    run_write(ctx.engine, strip)
    before = written(ctx)
    with pytest.raises(InvalidInput, match="^levels: "):
        s.reschedule(ctx, staff="desk", appointment_id=appt.id, start=FRI_10)
    assert written(ctx) == before
    moved = s.reschedule(ctx, staff="desk", appointment_id=appt.id, start=FRI_10,
                         levels="L5-S1")
    assert (moved.start, moved.levels) == (FRI_10, "L5-S1")


# --------------------------------------------------------------------------- first visit


def test_a_never_seen_patient_gets_the_evaluation_first_unless_a_physician_ordered(
    ctx: Context, practice: Practice, newcomer: int
) -> None:
    before = written(ctx)
    with pytest.raises(FirstVisitRefused, match="would be a first visit for this patient"):
        book(ctx, practice, THU_10, "trigger-point", patient_id=newcomer, region="lumbar",
             side="left")
    assert written(ctx) == before
    ordered = book(ctx, practice, THU_10, "trigger-point", patient_id=newcomer,
                   region="lumbar", side="left", ordered_by_physician=True)
    assert last_checks(ctx, ordered.id) == {"ordered_by_physician": True}
    # the physician's order stands when the visit moves
    moved = s.reschedule(ctx, staff="desk", appointment_id=ordered.id, start=FRI_10)
    assert moved.start == FRI_10


def test_after_the_evaluation_any_visit_may_follow(
    ctx: Context, practice: Practice, newcomer: int
) -> None:
    book(ctx, practice, THU_10, "new-patient", patient_id=newcomer, provider_id=practice.baker)
    assert book(ctx, practice, FRI_10, patient_id=newcomer).status is Status.BOOKED


# --------------------------------------------------------------------------- warnings


def test_a_same_day_visit_is_warned_until_accepted_and_the_acceptance_audited(
    ctx: Context, practice: Practice
) -> None:
    book(ctx, practice, local(11, 14))
    before = written(ctx)
    with pytest.raises(BookingNeedsConfirmation) as warned:
        book(ctx, practice, THU_10, "med-management")
    assert warned.value.codes == ("same-day",)
    assert str(warned.value) == (
        "same day: the patient already has a follow-up at Thu Mar 11 14:00 at Test Clinic — "
        "to book it anyway, accept: same-day")
    assert written(ctx) == before
    done = book(ctx, practice, THU_10, "med-management", accept_warnings=["same-day"])
    assert last_checks(ctx, done.id) == {"accepted_warnings": ["same-day"]}


def test_a_second_procedure_before_the_relief_report_is_warned(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    first = book(ctx, practice, THU_10, "facet-diagnostic", **SPINE)
    with pytest.raises(BookingNeedsConfirmation) as warned:
        book(ctx, practice, local(11, 14), "facet-therapeutic", **SPINE)
    assert warned.value.codes == ("same-day", "relief-pending")
    assert ("relief report pending: the diagnostic injection in the lumbar spine on Thu Mar 11 "
            "10:00 has no relief report on file yet") in str(warned.value)
    # another region is another matter; once the report is on file, no warning
    book(ctx, practice, local(18, 10), "facet-diagnostic", region="cervical", levels="C4-C5",
         side="left", accept_warnings=["duplicate"])
    clock.advance(days=1, hours=8)  # Thu 17:00: the block is done, the caller reports
    record_relief(ctx, staff="desk", patient_id=practice.patient_id, answers=Answers(
        procedure=Procedure.FACET_DIAGNOSTIC, region=Region.LUMBAR, levels="L4-L5",
        side=Side.BILATERAL, percent_relief=85, hours_lasted=3, same_scale=True))
    assert first.id
    with pytest.raises(BookingNeedsConfirmation) as warned:  # only the cervical one is open
        book(ctx, practice, local(25, 10), "facet-therapeutic", region="cervical",
             levels="C4-C5", side="left")
    assert warned.value.codes == ("relief-pending",)
    later = book(ctx, practice, local(25, 10), "facet-therapeutic", **SPINE)
    assert later.status is Status.BOOKED


def test_the_same_visit_already_booked_ahead_is_warned(ctx: Context, practice: Practice) -> None:
    book(ctx, practice, THU_10)
    with pytest.raises(BookingNeedsConfirmation) as warned:
        book(ctx, practice, local(18, 10))
    assert warned.value.codes == ("duplicate",)
    assert "already booked: the patient has a follow-up on Thu Mar 11 10:00" in str(warned.value)


def test_an_unknown_warning_code_is_bad_input(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput, match="^accept: 'sameday' is not a warning"):
        book(ctx, practice, THU_10, accept_warnings=["sameday"])


def test_confirming_a_hold_checks_again_what_was_booked_meanwhile(
    ctx: Context, practice: Practice
) -> None:
    held = book(ctx, practice, THU_10, hold=True)
    book(ctx, practice, local(11, 14), "med-management", accept_warnings=["same-day"])
    before = written(ctx)
    with pytest.raises(BookingNeedsConfirmation, match="same day"):
        s.confirm_hold(ctx, staff="desk", appointment_id=held.id)
    assert written(ctx) == before
    done = s.confirm_hold(ctx, staff="desk", appointment_id=held.id,
                          accept_warnings=["same-day"])
    assert done.status is Status.BOOKED
    assert last_checks(ctx, held.id) == {"accepted_warnings": ["same-day"]}


# --------------------------------------------------------------------------- physician review


def test_physician_review_books_with_a_physician_unless_the_practice_allows_any(
    ctx: Context, practice: Practice
) -> None:
    with pytest.raises(InvalidInput, match="^provider: this visit goes to physician review"):
        book(ctx, practice, THU_10, provider_id=practice.baker, physician_review=True)
    done = book(ctx, practice, THU_10, physician_review=True)
    assert last_checks(ctx, done.id) == {"physician_review": True}
    rules = dataclasses.replace(ctx.settings.booking, physician_review_by_physicians_only=False)
    lenient = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings,
                                                                    booking=rules))
    assert book(lenient, practice, FRI_10, provider_id=practice.baker, physician_review=True,
                accept_warnings=["duplicate"]).status is Status.BOOKED
