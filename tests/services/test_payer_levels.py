"""Levels are part of the history, against the database (SQLite and PostgreSQL): the stored
levels and side of each block and report reach the rules, and booking, the payer check the
screens show and the pathway's advice count blocks the same way (issue 17, item 5).

The frozen clock is Wed 2027-03-10 09:00 in Tulsa.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, CallbackTask, Patient, ReliefReport
from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import Answers, PayerRules, Procedure
from frontdesk.domain.settings import Settings
from frontdesk.services import scheduling as s
from frontdesk.services.callbacks import record_relief
from frontdesk.services.context import Context
from frontdesk.services.pathway import (
    PayerRulesBroken,
    load_history,
    payer_checks,
    recommend_for,
    region_counts,
)
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")


def local(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHICAGO).astimezone(UTC)


FIRST, SECOND, THIRD = local(2027, 3, 11, 10), local(2027, 3, 18, 10), local(2027, 3, 25, 10)


@pytest.fixture
def medicare(ctx: Context, practice: Practice, clock: FrozenClock) -> int:
    def work(session: Session) -> int:
        patient = Patient(first_name="Morgan", last_name="Placeholder", dob=date(1950, 2, 3),
                          phone="+19185550177", payer="Medicare", created_at=clock())
        session.add(patient)
        session.flush()
        assert patient.id is not None
        return patient.id

    return run_write(ctx.engine, work)


def book(ctx: Context, p: Practice, patient_id: int, start: datetime, levels: str,
         side: str = "left", visit_type: str = "facet-diagnostic",
         region: str = "lumbar") -> AppointmentView:
    """A procedure for the Medicare patient, as the desk books it when the physician ordered
    it (the patient is new) and the booking's warnings were read and accepted: the tests here
    are about the payer rules."""
    return s.book(ctx, staff="desk", patient_id=patient_id, visit_type=visit_type,
                  provider_id=p.able, location_id=p.location_id, start=start, region=region,
                  levels=levels, side=side, ordered_by_physician=True,
                  accept_warnings=("duplicate", "relief-pending", "same-day"))


def relief(ctx: Context, patient_id: int, percent: int, levels: str | None,
           side: Side | None = Side.LEFT) -> None:
    record_relief(ctx, staff="desk", patient_id=patient_id, answers=Answers(
        procedure=Procedure.FACET_DIAGNOSTIC, region=Region.LUMBAR, levels=levels, side=side,
        percent_relief=percent, hours_lasted=3, same_scale=True))


def rows(ctx: Context) -> tuple[int, int]:
    with Session(ctx.engine) as session:
        return tuple(int(session.exec(select(func.count()).select_from(m)).one())
                     for m in (Appointment, AuditEvent))  # type: ignore[return-value]


def test_a_negative_block_at_other_levels_does_not_stop_a_first_block(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    book(ctx, practice, medicare, FIRST, "L4-L5")
    relief(ctx, medicare, 30, "L4-L5")
    assert book(ctx, practice, medicare, SECOND, "L2-L3").status is Status.BOOKED
    before = rows(ctx)
    with pytest.raises(PayerRulesBroken) as broken:
        book(ctx, practice, medicare, THIRD, "L4-L5, L5-S1")
    [problem] = [p for c in broken.value.checks for p in c.problems]
    assert problem.rule == "blocks"
    assert problem.text.endswith("counted at L4-L5, L5-S1, left side")
    assert rows(ctx) == before


def test_a_report_without_levels_takes_its_blocks(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    book(ctx, practice, medicare, FIRST, "L4-L5, L5-S1", side="right")
    relief(ctx, medicare, 90, None, None)
    with Session(ctx.engine) as session:
        history = load_history(session, medicare, now=ctx.now())
    [session_] = history.sessions
    [report] = history.reliefs
    assert (session_.level_set, session_.side, session_.levels) == (
        frozenset({"L4-L5", "L5-S1"}), Side.RIGHT, 2)
    assert (report.level_set, report.side, report.day) == (
        frozenset({"L4-L5", "L5-S1"}), Side.RIGHT, date(2027, 3, 11))


def test_a_report_answers_the_block_at_its_levels(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    """Blocks at L4-L5 and then L2-L3: a report on L2-L3 closes that block's callback and takes
    its date; the L4-L5 block's callback stays open."""
    first = book(ctx, practice, medicare, FIRST, "L4-L5")
    second = book(ctx, practice, medicare, SECOND, "L2-L3")
    relief(ctx, medicare, 90, "L2-L3")
    with Session(ctx.engine) as session:
        tasks = {t.appointment_id: t.status for t in session.exec(select(CallbackTask)).all()}
        [report] = session.exec(select(ReliefReport)).all()
        history = load_history(session, medicare, now=ctx.now())
    assert tasks == {first.id: "open", second.id: "done"}
    assert report.appointment_id == second.id
    [past] = history.reliefs
    assert (past.level_set, past.day) == (frozenset({"L2-L3"}), date(2027, 3, 18))


@pytest.mark.parametrize(
    ("levels", "side", "allowed"),
    [
        pytest.param("L4-L5", "left", True, id="same-levels-and-side"),
        pytest.param("L5-S1", "left", True, id="within-the-blocks-levels"),
        pytest.param("L4-L5", "right", False, id="other-side"),
        pytest.param("L4-L5", "bilateral", False, id="bilateral"),
        pytest.param("L3-L4, L4-L5", "left", False, id="a-level-not-blocked"),
        pytest.param("L2-L3", "left", False, id="other-levels"),
    ],
)
def test_booking_a_therapeutic_counts_blocks_at_its_levels_and_side(
    ctx: Context, practice: Practice, medicare: int, levels: str, side: str, allowed: bool,
) -> None:
    """Two 85 %+ blocks at L4-L5, L5-S1 on the left: the payer check the screen shows, the
    booking and the pathway's advice on the physician's order agree."""
    book(ctx, practice, medicare, FIRST, "L4-L5, L5-S1")
    relief(ctx, medicare, 85, "L4-L5, L5-S1")
    book(ctx, practice, medicare, SECOND, "L4-L5, L5-S1")
    relief(ctx, medicare, 90, "L4-L5, L5-S1")
    [shown] = payer_checks(ctx, patient_id=medicare, visit_type="facet-therapeutic",
                           region="lumbar", levels=levels, side=side, start=THIRD)
    advice = recommend_for(ctx, patient_id=medicare, reason=CallReason.ORDERED_VISIT,
                           answers=Answers(ordered="facet-therapeutic", region=Region.LUMBAR,
                                           levels=levels, side=Side(side)))
    [advised] = advice.checks
    assert shown.allowed is advised.allowed is allowed
    before = rows(ctx)
    if allowed:
        booked = book(ctx, practice, medicare, THIRD, levels, side, "facet-therapeutic")
        assert booked.status is Status.BOOKED
        return
    with pytest.raises(PayerRulesBroken) as broken:
        book(ctx, practice, medicare, THIRD, levels, side, "facet-therapeutic")
    [refused] = broken.value.checks
    texts = [p.text for p in refused.problems]
    assert texts == [p.text for p in shown.problems] == [p.text for p in advised.problems]
    assert [p.rule for p in refused.problems] == ["blocks"]
    assert rows(ctx) == before


def test_region_groups_count_sessions_together(
    ctx: Context, practice: Practice, medicare: int
) -> None:
    grouped = dataclasses.replace(ctx, settings=Settings(payers=(PayerRules(
        max_diagnostic=1, region_groups=((Region.CERVICAL, Region.THORACIC),)),)))
    book(grouped, practice, medicare, FIRST, "C5-C6", region="cervical")
    [counts] = region_counts(grouped, patient_id=medicare, region=Region.THORACIC)
    assert counts.counts[Procedure.FACET_DIAGNOSTIC] == 1
    assert counts.counted == (Region.CERVICAL, Region.THORACIC)
    [alone] = region_counts(ctx, patient_id=medicare, region=Region.THORACIC)
    assert alone.counts[Procedure.FACET_DIAGNOSTIC] == 0
    assert alone.counted == (Region.THORACIC,)
    with pytest.raises(PayerRulesBroken) as broken:
        book(grouped, practice, medicare, SECOND, "T7-T8", region="thoracic")
    assert {p.rule for c in broken.value.checks for p in c.problems} == {"limit"}
    assert book(ctx, practice, medicare, SECOND, "T7-T8", region="thoracic").status \
        is Status.BOOKED
