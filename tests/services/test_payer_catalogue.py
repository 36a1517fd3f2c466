"""Patients' payers against the catalogue, on SQLite and PostgreSQL: every name people type for
Medicare gets Medicare's rules, a payer that is not recognised is never silence (a procedure is
refused until somebody signs for it), and the patients whose payer text is not recognised are
listed and fixed with an audit trail.

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
from frontdesk.domain.calls import CallReason
from frontdesk.domain.model import Region, Side
from frontdesk.domain.pathway import Answers, script
from frontdesk.services import directory, payers
from frontdesk.services import scheduling as s
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.pathway import (
    UNRECOGNISED,
    PayerRulesBroken,
    payer_checks,
    recommend_for,
)
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")
THURSDAY = datetime(2027, 3, 11, 10, tzinfo=CHICAGO).astimezone(UTC)
THREE_LEVELS = "L3-L4, L4-L5, L5-S1"


def patient(ctx: Context, clock: FrozenClock, payer: str, key: str | None = None,
            phone: str = "+19185550144") -> int:
    def work(session: Session) -> int:
        row = Patient(first_name="Riley", last_name="Specimen", dob=date(1948, 4, 9),
                      phone=phone, payer=payer, payer_key=key, created_at=clock())
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id

    return run_write(ctx.engine, work)


def count(ctx: Context, model: type) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def events(ctx: Context, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))).all())


def three_level_block(ctx: Context, p: Practice, patient_id: int, **kw: object) -> object:
    """A block for a new patient, ordered by the physician (a first visit may be, if said)."""
    return s.book(ctx, staff="desk", patient_id=patient_id, visit_type="facet-diagnostic",
                  provider_id=p.able, location_id=p.location_id, start=THURSDAY,
                  region="lumbar", levels=THREE_LEVELS, side="left",
                  ordered_by_physician=True, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["Medicare", "Medicare Part B", "Medicare - Novitas",
                                   "medicare part b", "Novitas"])
def test_every_name_for_medicare_gets_medicares_rules(
    ctx: Context, practice: Practice, clock: FrozenClock, typed: str,
) -> None:
    """The review's case: three levels are refused for each of them, as for "Medicare"."""
    pid = patient(ctx, clock, typed)
    before = count(ctx, Appointment), count(ctx, AuditEvent)
    with pytest.raises(PayerRulesBroken) as broken:
        three_level_block(ctx, practice, pid)
    assert [(c.payer, [p.rule for p in c.problems]) for c in broken.value.checks] == [
        ("Medicare (Novitas)", ["levels"])]
    assert (count(ctx, Appointment), count(ctx, AuditEvent)) == before


def test_a_medicare_advantage_plan_gets_its_own_rule_set(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    pid = patient(ctx, clock, "Humana Medicare Advantage")
    with pytest.raises(PayerRulesBroken) as broken:
        three_level_block(ctx, practice, pid)
    assert [c.payer for c in broken.value.checks] == ["Medicare Advantage"]


@pytest.mark.parametrize(("typed", "shown"), [("Medcare",
                                               "'Medcare' is not in the practice's payer list"),
                                              ("", "no payer on file")])
def test_an_unrecognised_payer_refuses_a_procedure_until_someone_signs_for_it(
    ctx: Context, practice: Practice, clock: FrozenClock, typed: str, shown: str,
) -> None:
    pid = patient(ctx, clock, typed)
    before = count(ctx, Appointment), count(ctx, AuditEvent)
    with pytest.raises(PayerRulesBroken) as broken:
        s.book(ctx, staff="desk", patient_id=pid, visit_type="facet-diagnostic",
               provider_id=practice.able, location_id=practice.location_id, start=THURSDAY,
               region="lumbar", levels="L4-L5", side="left", ordered_by_physician=True)
    assert str(broken.value) == (
        f"Payer not recognised: {shown} — payer rules not checked; set the patient's payer "
        "from the list — booking anyway needs an override with a reason")
    assert (count(ctx, Appointment), count(ctx, AuditEvent)) == before
    with pytest.raises(NotAllowed):  # a receptionist may not sign for it
        three_level_block(ctx, practice, pid, override_reason="Patient says Medicare")
    booked = s.book(ctx, staff="sched", patient_id=pid, visit_type="facet-diagnostic",
                    provider_id=practice.able, location_id=practice.location_id,
                    start=THURSDAY, region="lumbar", levels=THREE_LEVELS, side="left",
                    ordered_by_physician=True,
                    override_reason="Card checked: commercial plan, not in our list yet")
    assert booked.levels == THREE_LEVELS
    (override,) = events(ctx, "payer.override")
    assert override.after is not None
    assert override.after["rules"] == ["payer"]
    assert override.after["payers"] == [UNRECOGNISED]
    assert "Medcare" not in str(override.after)


def test_a_visit_that_is_not_a_procedure_books_whatever_the_payer(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    pid = patient(ctx, clock, "Medcare")
    assert payer_checks(ctx, patient_id=pid, visit_type="follow-up", region=None, levels=None,
                        start=THURSDAY) == []
    assert s.book(ctx, staff="desk", patient_id=pid, visit_type="follow-up",
                  provider_id=practice.able, location_id=practice.location_id,
                  start=THURSDAY, ordered_by_physician=True).visit_type_code == "follow-up"


def test_self_pay_is_recognised_and_checks_no_payer_rules(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    pid = patient(ctx, clock, "Cash")
    assert payer_checks(ctx, patient_id=pid, visit_type="facet-diagnostic", region="lumbar",
                        levels=THREE_LEVELS, start=THURSDAY) == []


def test_the_call_says_payer_not_recognised_beside_an_ordered_procedure(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    pid = patient(ctx, clock, "Medcare")
    rec = recommend_for(ctx, patient_id=pid, reason=CallReason.ORDERED_VISIT, answers=Answers(
        ordered="facet-diagnostic", region=None, levels=None, side=None))
    assert rec.questions  # region, levels and side are still to ask
    rec = recommend_for(ctx, patient_id=pid, reason=CallReason.ORDERED_VISIT, answers=Answers(
        ordered="facet-diagnostic", region=Region.LUMBAR, levels="L4-L5", side=Side.LEFT))
    assert [(v.who, v.qualifies) for v in rec.payers] == [(UNRECOGNISED, False)]
    assert rec.override is not None
    assert "payer rules not checked" in rec.override
    assert rec.say[-1] == script.CHECK_FIRST  # "one more check on our side", said once
    follow_up = recommend_for(ctx, patient_id=pid, reason=CallReason.NEW_PROBLEM,
                              answers=Answers(pain_area=Region.LUMBAR, pain_kind=None))
    assert all(v.who != UNRECOGNISED for v in follow_up.payers)


# --------------------------------------------------------------------------- the record


def test_a_new_patient_gets_a_plan_from_the_catalogue(ctx: Context, practice: Practice) -> None:
    added = directory.add_patient(ctx, staff="desk", name="Avery Quinn", dob=date(1950, 2, 3),
                                  phone="918-555-0177", payer="medicare b",
                                  member_id=" 1EG4-TE5-MK72 ")
    assert (added.payer_key, added.payer, added.member_id) == (
        "medicare", "Medicare Part B (Novitas)", "1EG4-TE5-MK72")
    (created,) = events(ctx, "patient.create")
    assert created.after is not None
    assert created.after["payer"] == "medicare"
    assert "1EG4" not in str(created.after)  # no member id in the trail
    none = directory.add_patient(ctx, staff="desk", name="Avery Quince", dob=date(1950, 2, 3),
                                 phone="918-555-0178", confirmed_new=True)  # not Avery Quinn
    assert (none.payer_key, none.payer) == (None, "")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"payer": "Medcare"}, "payer", "'Medcare' is not in the practice's payer list; did you "
                                    "mean Medicare Part B (Novitas)"),
    ({"payer": "Acme Health"}, "payer", "'Acme Health' is not in the practice's payer list"),
    ({"payer": "Medicare", "member_id": "12;DROP"}, "member_id", "letters, digits"),
    ({"payer": "Medicare", "member_id": "x" * 41}, "member_id", "at most 40"),
])
def test_a_payer_not_in_the_catalogue_is_refused_with_the_nearest_plans(
    ctx: Context, practice: Practice, fields: dict[str, str], field: str, message: str,
) -> None:
    before = count(ctx, Patient)
    with pytest.raises(InvalidInput) as refused:
        directory.add_patient(ctx, staff="desk", name="Avery Quinn", dob=date(1950, 2, 3),
                              phone="918-555-0177", **fields)
    assert refused.value.field == field
    assert message in refused.value.message
    assert count(ctx, Patient) == before


def test_setting_the_payer_fixes_an_unrecognised_patient_and_is_audited(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    pid = patient(ctx, clock, "Medcare")
    fixed = payers.set_payer(ctx, staff="desk", patient_id=pid, payer="Medicare",
                             member_id="1EG4TE5MK72")
    assert (fixed.payer_key, fixed.member_id) == ("medicare", "1EG4TE5MK72")
    (event,) = events(ctx, "patient.payer")
    assert (event.before, event.after) == ({"payer": None, "member_id_changed": False},
                                           {"payer": "medicare", "member_id_changed": True})
    with pytest.raises(PayerRulesBroken) as broken:  # now Medicare's rules apply
        three_level_block(ctx, practice, pid)
    assert [c.payer for c in broken.value.checks] == ["Medicare (Novitas)"]
    with pytest.raises(InvalidInput, match="not in the practice's payer list"):
        payers.set_payer(ctx, staff="desk", patient_id=pid, payer="Medcare")
    assert len(events(ctx, "patient.payer")) == 1


def test_the_census_lists_unrecognised_payers_and_the_map_stores_the_matches(
    ctx: Context, practice: Practice, clock: FrozenClock,
) -> None:
    medicare = patient(ctx, clock, "Medicare", phone="+19185550141")
    humana = patient(ctx, clock, "Humana Medicare", phone="+19185550142")
    typo = patient(ctx, clock, "Medcare", phone="+19185550143")
    blank = patient(ctx, clock, "", phone="+19185550145")
    lost = patient(ctx, clock, "Old Plan", key="retired-plan", phone="+19185550146")
    census = payers.census(ctx)
    texts = {t.text: (t.patients, t.plan.key if t.plan else None) for t in census.texts}
    assert texts == {"Medicare": (1, "medicare"), "Humana Medicare": (1, "humana-ma"),
                     "Medcare": (1, None), "": (1, None), "Self-pay": (1, "self-pay"),
                     "Cash": (1, "self-pay")}
    assert [p.id for p in census.unrecognised] == [typo, blank, lost]
    assert census.chosen == 0
    with pytest.raises(NotAllowed):
        payers.map_payers(ctx, staff="desk")
    assert payers.map_payers(ctx, staff="mgr") == 4
    (event,) = events(ctx, "patient.payer_map")
    assert event.after == {"mapped": {"humana-ma": 1, "medicare": 1, "self-pay": 2}}
    after = payers.census(ctx)
    assert after.chosen == 4
    assert [p.id for p in after.unrecognised] == [typo, blank, lost]
    assert directory.get_patient(ctx, medicare).payer_key == "medicare"
    assert directory.get_patient(ctx, humana).payer == "Humana Medicare Advantage"
    assert payers.map_payers(ctx, staff="mgr") == 0  # twice changes nothing
