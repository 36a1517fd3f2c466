"""A visit that did not count (a hold, a no-show) counts again only through the payer rules,
and a patient's payer cannot be switched round them — on SQLite and PostgreSQL.

The review's cases: two holds confirmed one after the other, a payer changed between hold and
confirm, a hold or a no-show "booked" by a status change, and self-pay → book → Medicare.
The frozen clock is Wed 2027-03-10 09:00 in Tulsa.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, Patient
from frontdesk.domain.model import Status
from frontdesk.services import payers
from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.errors import NotAllowed
from frontdesk.services.pathway import PayerRulesBroken
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")
MAR11 = datetime(2027, 3, 11, 10, tzinfo=CHICAGO).astimezone(UTC)
MAR18 = datetime(2027, 3, 18, 10, tzinfo=CHICAGO).astimezone(UTC)
THREE_LEVELS = "L3-L4, L4-L5, L5-S1"
WARNINGS = ("duplicate", "relief-pending", "same-day")


@pytest.fixture
def medicare(ctx: Context, practice: Practice, clock: FrozenClock) -> int:
    def work(session: Session) -> int:
        row = Patient(first_name="Riley", last_name="Specimen", dob=date(1948, 4, 9),
                      phone="+19185550144", payer="Medicare", payer_key="medicare",
                      created_at=clock())
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    return run_write(ctx.engine, work)


def block(ctx: Context, p: Practice, patient_id: int, start: datetime, *, hold: bool = False,
          levels: str = "L4-L5", **kw: object) -> AppointmentView:
    return s.book(ctx, staff="desk", patient_id=patient_id, visit_type="facet-diagnostic",
                  provider_id=p.able, location_id=p.location_id, start=start,
                  region="lumbar", levels=levels, side="left", hold=hold,
                  ordered_by_physician=True, accept_warnings=WARNINGS,
                  **kw)  # type: ignore[arg-type]


def status_of(ctx: Context, appointment_id: int) -> str:
    with Session(ctx.engine) as session:
        appt = session.get(Appointment, appointment_id)
        assert appt is not None
        return appt.status


def overrides(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "payer.override")).one())


def test_two_holds_confirmed_in_turn_meet_the_rule_on_the_second(
    ctx: Context, practice: Practice, medicare: int,
) -> None:
    first = block(ctx, practice, medicare, MAR11, hold=True)
    second = block(ctx, practice, medicare, MAR18, hold=True)  # holds do not count yet
    s.confirm_hold(ctx, staff="desk", appointment_id=first.id, accept_warnings=WARNINGS)
    with pytest.raises(PayerRulesBroken, match="a second diagnostic block needs a first one"):
        s.confirm_hold(ctx, staff="desk", appointment_id=second.id, accept_warnings=WARNINGS)
    assert status_of(ctx, second.id) == "held"  # nothing written
    with pytest.raises(PayerRulesBroken):  # nor through a status change
        s.set_status(ctx, staff="desk", appointment_id=second.id, status=Status.BOOKED,
                     accept_warnings=WARNINGS)
    assert (status_of(ctx, second.id), overrides(ctx)) == ("held", 0)


def test_an_override_signed_on_the_hold_still_stands_at_the_confirm(
    ctx: Context, practice: Practice, medicare: int,
) -> None:
    held = s.book(
        ctx, staff="sched", patient_id=medicare, visit_type="facet-diagnostic",
        provider_id=practice.able, location_id=practice.location_id, start=MAR11,
        region="lumbar", levels=THREE_LEVELS, side="left", hold=True,
        ordered_by_physician=True, override_reason="Physician asked for three levels")
    booked = s.confirm_hold(ctx, staff="desk", appointment_id=held.id)
    assert (booked.status, overrides(ctx)) == (Status.BOOKED, 1)


def test_a_payer_changed_between_hold_and_confirm_is_checked_at_the_confirm(
    ctx: Context, practice: Practice, medicare: int,
) -> None:
    payers.set_payer(ctx, staff="desk", patient_id=medicare, payer="Self-pay")
    held = block(ctx, practice, medicare, MAR11, hold=True, levels=THREE_LEVELS)
    with pytest.raises(NotAllowed, match="needs an override reason"):  # nobody signs for it
        payers.set_payer(ctx, staff="sched", patient_id=medicare, payer="Medicare")

    def mapped(session: Session) -> None:  # changed where nothing re-checks (a payer map)
        patient = session.get(Patient, medicare)
        assert patient is not None
        patient.payer_key = "medicare"
        session.add(patient)

    run_write(ctx.engine, mapped)
    with pytest.raises(PayerRulesBroken, match="at most 2 levels per session"):
        s.confirm_hold(ctx, staff="desk", appointment_id=held.id)
    assert status_of(ctx, held.id) == "held"


def test_a_no_show_booked_again_passes_the_rules_again(
    ctx: Context, practice: Practice, medicare: int, clock: FrozenClock,
) -> None:
    today = datetime(2027, 3, 10, 14, tzinfo=CHICAGO).astimezone(UTC)
    first = block(ctx, practice, medicare, today)
    s.set_status(ctx, staff="desk", appointment_id=first.id, status=Status.NO_SHOW)
    block(ctx, practice, medicare, MAR18)  # the no-show does not count: this is a first block
    with pytest.raises(PayerRulesBroken, match="a second diagnostic block needs a first one"):
        s.set_status(ctx, staff="desk", appointment_id=first.id, status=Status.BOOKED,
                     accept_warnings=WARNINGS)  # Thursday's block would be a second one
    assert (status_of(ctx, first.id), overrides(ctx)) == ("no_show", 0)


def test_switching_the_payer_round_the_rules_is_refused_unless_an_overrider_signs(
    ctx: Context, practice: Practice, medicare: int,
) -> None:
    with pytest.raises(PayerRulesBroken):
        block(ctx, practice, medicare, MAR11, levels=THREE_LEVELS)
    payers.set_payer(ctx, staff="desk", patient_id=medicare, payer="Self-pay")
    booked = block(ctx, practice, medicare, MAR11, levels=THREE_LEVELS)
    with pytest.raises(NotAllowed, match=rf"procedure\(s\) {booked.id} break this plan's payer "
                                         "rules — .*needs a scheduler"):
        payers.set_payer(ctx, staff="desk", patient_id=medicare, payer="Medicare")
    with Session(ctx.engine) as session:
        patient = session.get(Patient, medicare)
        assert patient is not None
        assert patient.payer_key == "self-pay"  # nothing written
    payers.set_payer(ctx, staff="sched", patient_id=medicare, payer="Medicare",
                     override_reason="Physician ordered three levels")
    with Session(ctx.engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "patient.payer")
                             .order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert event.after == {"payer": "medicare", "member_id_changed": False,
                           "broken_visits": [booked.id]}
