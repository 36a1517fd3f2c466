"""Payer rules at booking time, on SQLite and PostgreSQL: refused bookings write nothing, a
relief report on record lets the next block book, overrides need a role and a reason and are
audited with the booking.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa; the procedure suite works Mon-Fri
08:00-12:00 and 13:00-17:00 local.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, Patient, Staff
from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import (
    MONTH_HOURS,
    Answers,
    PainKind,
    PayerRules,
    Procedure,
    answers_from,
    describe_hours,
    lasted_months,
    months_in,
)
from frontdesk.domain.settings import Settings
from frontdesk.services import calls
from frontdesk.services import scheduling as s
from frontdesk.services.accounts import SignInRefused
from frontdesk.services.callbacks import record_relief
from frontdesk.services.context import Context
from frontdesk.services.errors import SlotTaken
from frontdesk.services.pathway import (
    NotAllowed,
    PayerRulesBroken,
    load_history,
    payer_checks,
    recommend_for,
    region_counts,
)
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import SEEN_VISITS, TEST_PASSWORDS, Practice, give_passwords

CHICAGO = ZoneInfo("America/Chicago")


def local(year: int, month: int, day: int, hour: int) -> datetime:
    """A Tulsa wall-clock time as UTC (DST starts on 2027-03-14)."""
    return datetime(year, month, day, hour, tzinfo=CHICAGO).astimezone(UTC)


FIRST = local(2027, 3, 11, 10)  # Thu
SECOND = local(2027, 3, 18, 10)  # Thu a week later
TODAY_TWO = local(2027, 3, 10, 14)  # later today


@pytest.fixture
def medicare(ctx: Context, practice: Practice, clock: FrozenClock) -> int:
    """A Medicare patient (the practice's scheduler ``sched`` may override payer rules)."""

    def work(session: Session) -> int:
        patient = Patient(first_name="Riley", last_name="Specimen", dob=date(1948, 4, 9),
                          phone="+19185550144", payer="Medicare", created_at=clock())
        session.add(patient)
        session.flush()
        assert patient.id is not None
        return patient.id

    return run_write(ctx.engine, work)


def count(ctx: Context, model: type) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def events(ctx: Context, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
        ).all())


def block(ctx: Context, p: Practice, patient_id: int, start: datetime,
          **kw: object) -> AppointmentView:
    args: dict[str, object] = dict(
        staff="desk", patient_id=patient_id, visit_type="facet-diagnostic", provider_id=p.able,
        location_id=p.location_id, start=start, region="lumbar", levels="L4-L5", side="left",
        ordered_by_physician=True,  # the Medicare patient is new: the physician ordered it
        # a block booked while an earlier one is still ahead is warned (test_booking_guards);
        # here, about payer rules, the desk has read and accepted those warnings
        accept_warnings=("duplicate", "relief-pending"))
    args.update(kw)
    return s.book(ctx, **args)  # type: ignore[arg-type]


def relief(ctx: Context, patient_id: int, percent: int = 85) -> None:
    record_relief(ctx, staff="desk", patient_id=patient_id, answers=Answers(
        procedure=Procedure.FACET_DIAGNOSTIC, region=Region.LUMBAR, levels="L4-L5",
        side=Side.LEFT, percent_relief=percent, hours_lasted=3, same_scale=True))


def rules_of(exc: PayerRulesBroken) -> set[str]:
    return {p.rule for c in exc.checks for p in c.problems}


# --------------------------------------------------------------------------- blocks


def test_second_block_without_relief_on_record_is_refused_and_writes_nothing(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    first = block(ctx, practice, medicare, FIRST)
    assert first.status is Status.BOOKED
    appointments, audits = count(ctx, Appointment), count(ctx, AuditEvent)
    with pytest.raises(PayerRulesBroken) as broken:
        block(ctx, practice, medicare, SECOND)
    assert "blocks" in rules_of(broken.value)
    assert all(not c.allowed for c in broken.value.checks)
    assert count(ctx, Appointment) == appointments
    assert count(ctx, AuditEvent) == audits


def test_second_block_books_after_a_good_relief_report(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    block(ctx, practice, medicare, FIRST)
    relief(ctx, medicare, 85)
    second = block(ctx, practice, medicare, SECOND)
    assert second.status is Status.BOOKED
    assert events(ctx, "payer.override") == []


def test_relief_below_the_payer_threshold_does_not_unlock_the_second_block(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    block(ctx, practice, medicare, FIRST)
    relief(ctx, medicare, 70)
    with pytest.raises(PayerRulesBroken) as broken:
        block(ctx, practice, medicare, SECOND)
    assert rules_of(broken.value) == {"blocks"}


def test_self_pay_patient_has_no_payer_rules(ctx: Context, practice: Practice) -> None:
    block(ctx, practice, practice.patient_id, FIRST)
    second = block(ctx, practice, practice.patient_id, SECOND)
    assert second.status is Status.BOOKED


# --------------------------------------------------------------------------- levels


def test_three_levels_are_refused_for_medicare_but_not_for_self_pay(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    with pytest.raises(PayerRulesBroken) as broken:
        block(ctx, practice, medicare, FIRST, levels="L3-L4, L4-L5, L5-S1")
    assert rules_of(broken.value) == {"levels"}
    assert count(ctx, Appointment) == SEEN_VISITS
    booked = block(ctx, practice, practice.other_patient_id, FIRST,
                   levels="L3-L4, L4-L5, L5-S1")
    assert booked.levels == "L3-L4, L4-L5, L5-S1"


# --------------------------------------------------------------------------- override


def test_receptionist_cannot_override(ctx: Context, practice: Practice, medicare: int) -> None:
    block(ctx, practice, medicare, FIRST)
    before = count(ctx, AuditEvent)
    with pytest.raises(NotAllowed):
        block(ctx, practice, medicare, SECOND, override_reason="Physician asked for it")
    assert count(ctx, Appointment) == SEEN_VISITS + 1
    assert count(ctx, AuditEvent) == before


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_scheduler_needs_a_reason_to_override(
    ctx: Context, practice: Practice, medicare: int, reason: str | None
) -> None:
    block(ctx, practice, medicare, FIRST)
    with pytest.raises(PayerRulesBroken):
        block(ctx, practice, medicare, SECOND, staff="sched", override_reason=reason)
    assert count(ctx, Appointment) == SEEN_VISITS + 1
    assert events(ctx, "payer.override") == []


def test_scheduler_override_with_a_reason_is_audited_with_the_booking(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    block(ctx, practice, medicare, FIRST)
    second = block(ctx, practice, medicare, SECOND, staff="sched",
                   override_reason="  Dr. Able reviewed the first block  ")
    assert second.status is Status.BOOKED
    overrides = events(ctx, "payer.override")
    assert len(overrides) == 1
    event = overrides[0]
    assert event.entity == "appointment"
    assert event.entity_id == second.id
    assert event.after is not None
    assert event.after["reason"] == "Dr. Able reviewed the first block"
    assert event.after["rules"] == ["blocks"]
    assert event.after["visit_type"] == "facet-diagnostic"
    books = [e for e in events(ctx, "appointment.book") if e.entity_id == second.id]
    assert len(books) == 1
    assert books[0].at == event.at
    with Session(ctx.engine) as session:
        sched = session.exec(select(Staff).where(Staff.username == "sched")).one()
    assert event.staff_id == sched.id == books[0].staff_id


def test_override_booking_that_loses_the_slot_leaves_no_override_event(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    block(ctx, practice, medicare, FIRST)
    block(ctx, practice, practice.patient_id, SECOND)
    before = count(ctx, AuditEvent)
    with pytest.raises(SlotTaken):
        block(ctx, practice, medicare, SECOND, staff="sched", override_reason="Physician's call")
    assert events(ctx, "payer.override") == []
    assert count(ctx, AuditEvent) == before
    assert count(ctx, Appointment) == SEEN_VISITS + 2


# --------------------------------------------------------------------------- limit


def test_session_limit_gives_the_earliest_allowed_day(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    strict = dataclasses.replace(ctx, settings=Settings(payers=(PayerRules(max_diagnostic=1),)))
    block(strict, practice, medicare, FIRST)
    relief(strict, medicare, 90)  # the blocks rule is met: only the limit is left
    expected = FIRST.astimezone(CHICAGO).date() + relativedelta(months=12)
    assert expected == date(2028, 3, 11)
    with pytest.raises(PayerRulesBroken) as broken:
        block(strict, practice, medicare, SECOND)
    assert rules_of(broken.value) == {"limit"}
    [check] = broken.value.checks
    [problem] = check.problems
    assert problem.earliest == expected
    assert check.earliest == expected
    checks = payer_checks(strict, patient_id=medicare, visit_type="facet-diagnostic",
                          region="lumbar", levels="L4-L5", start=SECOND)
    assert [c.earliest for c in checks] == [expected]
    assert [p.rule for c in checks for p in c.problems] == ["limit"]
    # the default settings allow four: the same booking passes
    default = payer_checks(ctx, patient_id=medicare, visit_type="facet-diagnostic",
                           region="lumbar", levels="L4-L5", start=SECOND)
    assert [c.allowed for c in default] == [True]
    assert count(ctx, Appointment) == SEEN_VISITS + 1


def test_payer_checks_are_empty_for_visits_and_payers_without_rules(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    assert payer_checks(ctx, patient_id=medicare, visit_type="follow-up", region=None,
                        levels=None, start=SECOND) == []
    assert payer_checks(ctx, patient_id=practice.patient_id, visit_type="facet-diagnostic",
                        region="lumbar", levels="L3-L4, L4-L5, L5-S1", start=SECOND) == []


# --------------------------------------------------------------------------- intake


def test_region_counts_for_the_medicare_patient(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    block(ctx, practice, medicare, TODAY_TWO)
    [counts] = region_counts(ctx, patient_id=medicare, region=Region.LUMBAR)
    assert counts.region is Region.LUMBAR
    assert counts.payer == PayerRules().label
    assert counts.counts[Procedure.FACET_DIAGNOSTIC] == 1
    assert counts.counts[Procedure.FACET_THERAPEUTIC] == 0
    assert counts.counts[Procedure.RFA] == 0
    assert counts.limits == {Procedure.FACET_DIAGNOSTIC: 4, Procedure.FACET_THERAPEUTIC: 4,
                             Procedure.RFA: 2}
    [cervical] = region_counts(ctx, patient_id=medicare, region=Region.CERVICAL)
    assert cervical.counts[Procedure.FACET_DIAGNOSTIC] == 0
    assert region_counts(ctx, patient_id=practice.patient_id, region=Region.LUMBAR) == []


def test_recommend_for_a_new_caller_is_a_new_patient_visit(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    answers = Answers(pain_area=Region.LUMBAR, pain_kind=PainKind.SPINE)
    rec = recommend_for(ctx, patient_id=medicare, reason=CallReason.NEW_PROBLEM,
                        answers=answers)
    assert rec.visit_types == ("new-patient",)
    assert rec.complete


def test_recommend_for_asks_what_is_missing(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    rec = recommend_for(ctx, patient_id=medicare, reason=CallReason.NEW_PROBLEM,
                        answers=Answers())
    assert rec.visit_types == ()
    assert [q.key for q in rec.questions] == ["pain_area", "pain_kind"]


# --------------------------------------------------------------------------- history


def test_load_history_leaves_out_cancelled_procedures(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    appt = block(ctx, practice, medicare, FIRST)
    with Session(ctx.engine) as session:
        history = load_history(session, medicare, now=ctx.now())
    assert [(x.procedure, x.region, x.day) for x in history.sessions] == [
        (Procedure.FACET_DIAGNOSTIC, Region.LUMBAR, date(2027, 3, 11))]
    assert not history.seen_before
    s.cancel(ctx, staff="desk", appointment_id=appt.id, reason="Patient has the flu")
    with Session(ctx.engine) as session:
        history = load_history(session, medicare, now=ctx.now())
    assert history.sessions == ()
    # and the cancelled block no longer stands in the way of a new one
    again = block(ctx, practice, medicare, SECOND)
    assert again.status is Status.BOOKED


def test_a_completed_visit_makes_the_patient_seen_before(
    ctx: Context, practice: Practice, medicare: int, clock: FrozenClock
) -> None:
    visit = s.book(ctx, staff="desk", patient_id=medicare, visit_type="follow-up",
                   provider_id=practice.able, location_id=practice.location_id,
                   start=TODAY_TWO, ordered_by_physician=True)
    clock.advance(hours=6)  # 15:00 local
    s.set_status(ctx, staff="desk", appointment_id=visit.id, status=Status.CHECKED_IN)
    s.set_status(ctx, staff="desk", appointment_id=visit.id, status=Status.COMPLETED)
    with Session(ctx.engine) as session:
        history = load_history(session, medicare, now=ctx.now())
    assert history.seen_before
    assert history.sessions == ()  # a follow-up is not a procedure
    rec = recommend_for(ctx, patient_id=medicare, reason=CallReason.NEW_PROBLEM,
                        answers=Answers(pain_area=Region.LUMBAR, pain_kind=PainKind.MUSCLE))
    assert rec.visit_types == ("follow-up",)


def test_a_move_is_checked_against_the_payer_rules_too(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    """A block booked outside the window cannot be moved into it without an override."""
    strict = dataclasses.replace(ctx, settings=Settings(
        payers=(PayerRules(max_diagnostic=1, window_months=1),)))
    give_passwords(ctx, "sched")
    block(strict, practice, medicare, FIRST)
    relief(strict, medicare, 90)
    later = block(strict, practice, medicare, local(2027, 4, 15, 10))
    with pytest.raises(PayerRulesBroken) as broken:
        s.reschedule(strict, staff="desk", appointment_id=later.id, start=SECOND)
    assert rules_of(broken.value) == {"limit"}
    assert s.get_appointment(strict, later.id).start == later.start  # nothing moved
    with pytest.raises(NotAllowed):
        s.reschedule(strict, staff="desk", appointment_id=later.id, start=SECOND,
                     override_reason="physician wants it sooner")
    with pytest.raises(NotAllowed, match="needs sched's own password"):
        s.reschedule(strict, staff="desk", appointment_id=later.id, start=SECOND,
                     override_reason="physician wants it sooner", override_by="sched")
    with pytest.raises(SignInRefused):
        s.reschedule(strict, staff="desk", appointment_id=later.id, start=SECOND,
                     override_reason="physician wants it sooner", override_by="sched",
                     override_password="a typed guess")
    assert s.get_appointment(strict, later.id).start == later.start  # still nothing moved
    assert events(ctx, "payer.override") == []
    moved = s.reschedule(strict, staff="desk", appointment_id=later.id, start=SECOND,
                         override_reason="physician wants it sooner", override_by="sched",
                         override_password=TEST_PASSWORDS["sched"],
                         accept_warnings=["duplicate"])  # the first block is still ahead
    assert moved.start == SECOND
    [event] = events(ctx, "payer.override")
    assert (event.entity_id, event.after["reason"]) == (later.id, "physician wants it sooner")
    [failed] = events(ctx, "staff.sign_in_failed")  # the guess counts toward sched's lockout


def test_region_counts_include_blocks_booked_ahead(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    block(ctx, practice, medicare, SECOND)
    [counts] = region_counts(ctx, patient_id=medicare, region=Region.LUMBAR)
    assert counts.counts[Procedure.FACET_DIAGNOSTIC] == 1


# --------------------------------------------------------------------------- counted once


def test_a_report_stored_by_the_call_is_counted_once_when_the_call_advises_again(
    ctx: Context, practice: Practice, medicare: int, clock: FrozenClock
) -> None:
    """One 90 % block on record for a Medicare patient: the next visit is the confirmatory
    block, before and after the call saves the report (Back, a changed reason, resuming)."""
    block(ctx, practice, medicare, FIRST)
    clock.now = local(2027, 3, 12, 9)  # the day after the block
    answers = Answers(reason=CallReason.INJECTION_REPORT, procedure=Procedure.FACET_DIAGNOSTIC,
                      region=Region.LUMBAR, levels="L4-L5", side=Side.LEFT, percent_relief=90,
                      hours_lasted=3, same_scale=True, wearing_off=False, scale_before=8,
                      scale_after=1, injections_so_far=1)
    call = calls.start_call(ctx, staff="desk")
    before = recommend_for(ctx, patient_id=medicare, reason=CallReason.INJECTION_REPORT,
                           answers=answers, call_id=call.id)
    record_relief(ctx, staff="desk", patient_id=medicare, answers=answers, call_id=call.id)
    after = recommend_for(ctx, patient_id=medicare, reason=CallReason.INJECTION_REPORT,
                          answers=answers, call_id=call.id)
    assert (after.visit_types, after.payers, after.checks) == (
        before.visit_types, before.payers, before.checks)
    assert before.complete, [q.key for q in before.questions]
    assert before.visit_types[0] != "facet-therapeutic"  # Medicare wants a second 80 % block
    [counts] = region_counts(ctx, patient_id=medicare, region=Region.LUMBAR, call_id=call.id)
    assert counts.counts[Procedure.FACET_DIAGNOSTIC] == 1


# --------------------------------------------------------------------------- calendar months


def test_relief_given_in_months_is_stored_and_read_back_as_calendar_months(
    ctx: Context, practice: Practice, medicare: int, clock: FrozenClock
) -> None:
    """"3 months" typed at the desk is stored as hours (the float column stays) and read back
    from the database as 3 calendar months from the block's day, so it meets a 3-month rule;
    92 days would too, 91 days would not (the block is on 11 March: 3 months is 92 days)."""
    appt = block(ctx, practice, medicare, FIRST)
    clock.now = local(2027, 7, 1, 9)
    answers = answers_from({"procedure": "facet-diagnostic", "region": "lumbar",
                            "levels": "L4-L5", "side": "left", "percent_relief": "85",
                            "hours_lasted": "3 months", "same_scale": "yes"},
                           CallReason.INJECTION_REPORT)
    view = record_relief(ctx, staff="desk", patient_id=medicare, answers=answers)
    assert view.hours_lasted == 3 * MONTH_HOURS
    with Session(ctx.engine) as session:
        [stored] = load_history(session, medicare, now=clock()).reliefs
    assert stored.day == date(2027, 3, 11) == appt.start.astimezone(CHICAGO).date()
    assert months_in(stored.hours) == 3
    assert describe_hours(stored.hours) == "3 months"
    assert lasted_months(stored.day, stored.hours, 3)
    assert lasted_months(stored.day, 92 * 24.0, 3)
    assert not lasted_months(stored.day, 91 * 24.0, 3)
