"""The caller's record at a glance, on SQLite and PostgreSQL: upcoming visits, the last
procedure per region with its relief on file, sessions per region against the payer's caps,
open callbacks, the answers it gives the pathway — read in one transaction audited as the
opening of the patient's record.

The frozen clock starts Wed 2027-03-10 09:00 in Tulsa; the practice works Mon-Fri.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import AuditEvent, Patient, Staff
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import Answers, Procedure
from frontdesk.services import scheduling as s
from frontdesk.services.callbacks import record_relief
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.record import CallerRecord, caller_record
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")
DIAG, THER, RFA = Procedure.FACET_DIAGNOSTIC, Procedure.FACET_THERAPEUTIC, Procedure.RFA


def local(month: int, day: int, hour: int) -> datetime:
    """A Tulsa wall-clock time in 2027 as UTC (DST starts on 14 March)."""
    return datetime(2027, month, day, hour, tzinfo=CHICAGO).astimezone(UTC)


def book(ctx: Context, p: Practice, start: datetime, visit_type: str = "facet-diagnostic",
         **kw: object) -> AppointmentView:
    procedure = visit_type in {x.value for x in Procedure}
    args: dict[str, object] = dict(
        staff="desk", patient_id=p.patient_id, visit_type=visit_type, provider_id=p.able,
        location_id=p.location_id, start=start)
    if procedure:
        args.update(region="lumbar", levels="L4-L5", side="left")
    # the record is built here, not the booking checks: its warnings were read and accepted
    args.update(accept_warnings=("duplicate", "relief-pending", "same-day"))
    args.update(kw)
    return s.book(ctx, **args)  # type: ignore[arg-type]


def set_payer(ctx: Context, patient_id: int, payer: str) -> None:
    def work(session: Session) -> None:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        patient.payer = payer

    run_write(ctx.engine, work)


def opened(ctx: Context) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "patient.open")
                                 .order_by(col(AuditEvent.id))).all())


def history(ctx: Context, p: Practice, clock: FrozenClock) -> dict[str, AppointmentView]:
    """Two diagnostic blocks last week (lumbar, reported on; cervical, not yet), a lapsed hold
    and a no-show that never count; then, from Mon 15 March: a therapeutic injection booked
    for Tuesday, a follow-up held for Wednesday and a visit cancelled."""
    made = {
        "lumbar": book(ctx, p, local(3, 11, 10)),
        "cervical": book(ctx, p, local(3, 12, 10), region="cervical", levels="C5-C6",
                         side="right"),
        "held": book(ctx, p, local(3, 11, 14), hold=True),
        "no-show": book(ctx, p, local(3, 10, 14), visit_type="facet-therapeutic"),
    }
    clock.now = local(3, 10, 15)
    s.set_status(ctx, staff="desk", appointment_id=made["no-show"].id, status=Status.NO_SHOW)
    clock.now = local(3, 15, 9)
    record_relief(ctx, staff="desk", patient_id=p.patient_id, answers=Answers(
        procedure=DIAG, region=Region.LUMBAR, levels="L4-L5", side=Side.LEFT,
        percent_relief=85, hours_lasted=3.0, same_scale=True))
    made["therapeutic"] = book(ctx, p, local(3, 16, 10), visit_type="facet-therapeutic")
    made["follow-up"] = book(ctx, p, local(3, 17, 10), visit_type="follow-up", hold=True)
    cancelled = book(ctx, p, local(3, 18, 10), visit_type="follow-up")
    s.cancel(ctx, staff="desk", appointment_id=cancelled.id, reason="Patient is travelling")
    return made


# --------------------------------------------------------------------------- the parts


def test_an_empty_record_says_so(ctx: Context, practice: Practice) -> None:
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    assert record == CallerRecord(patient_id=practice.patient_id, upcoming=(), done=(),
                                  sessions=(), callbacks=())
    assert record.empty
    assert record.last_procedures == ()
    assert record.on_file("injections_so_far", {"procedure": "facet-diagnostic",
                                                "region": "lumbar"}) is None
    assert record.on_file("region", {"procedure": "facet-diagnostic"}) is None


def test_upcoming_visits_are_live_ones_in_the_locations_zone(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    made = history(ctx, practice, clock)
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    assert [v.id for v in record.upcoming] == [made["therapeutic"].id, made["follow-up"].id]
    first, second = record.upcoming
    assert (first.local_start.strftime("%a %d %b %H:%M"), first.visit_type_name,
            first.location_name, first.provider_name, first.status) == (
        "Tue 16 Mar 10:00", "Therapeutic facet joint injection", "Test Clinic",
        "Dr. Avery Able", Status.BOOKED)
    assert (second.visit_type_code, second.status) == ("follow-up", Status.HELD)
    clock.advance(days=2)  # Tuesday's injection is past; the follow-up's hold has lapsed
    later = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    assert later.upcoming == ()


def test_the_last_procedure_per_region_carries_its_relief_or_no_report_yet(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    made = history(ctx, practice, clock)
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    assert [p.appointment_id for p in record.done] == [made["lumbar"].id, made["cervical"].id]
    cervical, lumbar = record.last_procedures  # the most recent first
    assert (cervical.procedure, cervical.region, cervical.day.isoformat(), cervical.levels,
            cervical.side, cervical.relief) == (
        DIAG, Region.CERVICAL, "2027-03-12", "C5-C6", "right", None)
    assert (lumbar.region, lumbar.levels, lumbar.side) == (Region.LUMBAR, "L4-L5", "left")
    assert lumbar.relief is not None
    assert (lumbar.relief.percent, lumbar.relief.hours) == (85, 3.0)
    # Once Tuesday's therapeutic injection has been, it is the lumbar spine's last one.
    clock.now = local(3, 16, 12)
    later = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    last = {p.region: p for p in later.last_procedures}
    assert (last[Region.LUMBAR].procedure, last[Region.LUMBAR].relief) == (THER, None)


def test_sessions_per_region_count_booked_ones_and_never_cancelled_holds_or_no_shows(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    history(ctx, practice, clock)
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    counts = {r.region: r.counts for r in record.sessions}
    assert list(counts) == [Region.CERVICAL, Region.LUMBAR]  # down the spine
    assert counts[Region.LUMBAR] == {DIAG: 1, THER: 1, RFA: 0}
    assert counts[Region.CERVICAL] == {DIAG: 1, THER: 0, RFA: 0}


def test_without_payer_rules_nothing_payer_specific_is_shown(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    history(ctx, practice, clock)  # the patient's payer is BlueCross: no rules configured
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    assert record.sessions
    assert all(r.caps == () for r in record.sessions)


def test_sessions_stand_against_the_payers_caps_in_its_window(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    history(ctx, practice, clock)
    set_payer(ctx, practice.patient_id, "Medicare")
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    lumbar = {r.region: r for r in record.sessions}[Region.LUMBAR]
    [caps] = lumbar.caps
    assert (caps.payer, caps.window_months) == ("Medicare (Novitas)", 12)
    assert caps.counts == {DIAG: 1, THER: 1, RFA: 0}  # Tuesday's booked one counts
    assert caps.limits == {DIAG: 4, THER: 4, RFA: 2}
    clock.now = local(3, 12, 10) + timedelta(days=366)  # past the 12-month window
    later = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    again = {r.region: r for r in later.sessions}[Region.LUMBAR]
    assert again.caps[0].counts == {DIAG: 0, THER: 1, RFA: 0}
    assert again.counts == {DIAG: 1, THER: 1, RFA: 0}  # still on record


def test_open_callbacks_are_listed_and_answered_ones_are_not(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    made = history(ctx, practice, clock)
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    [callback] = record.callbacks  # the lumbar block's was answered by the report
    assert (callback.appointment_id, callback.label, callback.region) == (
        made["cervical"].id, "Relief report", "cervical")
    assert callback.overdue


# --------------------------------------------------------------------------- answers on file


def test_the_record_answers_the_region_and_the_injections_so_far(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    history(ctx, practice, clock)
    record = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    region = record.on_file("region", {"procedure": "facet-diagnostic"})
    assert region is not None
    assert (region.value, region.words) == (
        "cervical", "cervical, last diagnostic 12 Mar 2027")
    so_far = record.on_file("injections_so_far", {"procedure": "facet-diagnostic",
                                                  "region": "lumbar"})
    assert so_far is not None
    assert (so_far.value, so_far.words) == ("1", "1 lumbar diagnostic")
    # Tuesday's therapeutic injection is still ahead: none so far, so the question is asked.
    assert record.on_file("injections_so_far", {"procedure": "facet-therapeutic",
                                                "region": "lumbar"}) is None
    assert record.on_file("region", {}) is None  # which injection is not known yet
    assert record.on_file("levels", {"procedure": "facet-diagnostic"}) is None
    clock.now = local(3, 16, 12)
    later = caller_record(ctx, by="desk", patient_id=practice.patient_id)
    assert later.so_far(THER, Region.LUMBAR) == 1
    assert later.so_far(DIAG, Region.LUMBAR) == 1  # the lapsed hold never counts


# --------------------------------------------------------------------------- the audit


def test_reading_the_record_is_audited_as_opening_it(
    ctx: Context, practice: Practice,
) -> None:
    caller_record(ctx, by="desk", patient_id=practice.patient_id, call_id=None)
    [event] = opened(ctx)
    with Session(ctx.engine) as session:
        desk = session.exec(select(Staff.id).where(Staff.username == "desk")).one()
    assert (event.staff_id, event.entity, event.entity_id) == (
        desk, "patient", practice.patient_id)
    assert event.after == {"view": "caller record", "call_id": None}


@pytest.mark.parametrize(("by", "patient"), [("nobody", "known"), ("desk", "unknown")])
def test_an_unknown_reader_or_patient_is_refused_and_nothing_is_audited(
    ctx: Context, practice: Practice, by: str, patient: str,
) -> None:
    wanted = practice.patient_id if patient == "known" else 9999
    with pytest.raises(InvalidInput):
        caller_record(ctx, by=by, patient_id=wanted)
    assert opened(ctx) == []
