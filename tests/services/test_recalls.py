"""Recalls on SQLite and PostgreSQL: a repeat RFA shows from the first eligible date the payer
rule gives (not a day before), a payer refusing repeats never shows it, a booked next step
closes a recall by itself; relief callbacks overdue and diagnostic blocks without a next step
are listed; each outcome's effect; the report's lines agree with the list.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import AuditEvent, CallbackTask, Outreach, Staff
from frontdesk.domain.pathway import PayerRules
from frontdesk.domain.payers import DEFAULT_RULE_SETS
from frontdesk.domain.recalls import RecallKind, RecallOutcome, RecallRules
from frontdesk.domain.settings import Settings
from frontdesk.services import scheduling
from frontdesk.services.audit.summaries import _Names, summarise
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.pathway import PayerRulesBroken
from frontdesk.services.report.values import DrillKind
from frontdesk.services.worklists.recalls import (
    Recall,
    progress,
    recalls,
    record_outcome,
    report_lines,
)
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.services.recall_helpers import (
    at,
    callback,
    medicare_patient,
    relief,
    rfa_history,
    visit,
)

RFA_DAY = date(2026, 9, 15)
#: The first eligible date as the payer rule gives it: the relief months after the RFA.
ELIGIBLE = RFA_DAY + relativedelta(months=PayerRules().repeat_rfa_relief_months)
NOW_ONLY = RecallRules(look_ahead_days=0)


def listed(ctx: Context, p: Practice, **kw: object) -> dict[str, Recall]:
    return {r.key: r for r in recalls(ctx, by=p.staff, **kw)}  # type: ignore[arg-type]


def move_to(clock: FrozenClock, day: date, hour: int = 9) -> None:
    clock.now = at(day, hour)


def test_a_repeat_rfa_shows_on_the_first_eligible_date_and_not_before(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    patient = medicare_patient(ctx)
    rfa = rfa_history(ctx, practice, patient, RFA_DAY)
    assert date(2027, 3, 15) == ELIGIBLE

    move_to(clock, ELIGIBLE - timedelta(days=1), 16)
    assert f"repeat:{rfa}" not in listed(ctx, practice, rules=NOW_ONLY)

    move_to(clock, ELIGIBLE, 8)
    item = listed(ctx, practice, rules=NOW_ONLY)[f"repeat:{rfa}"]
    assert item.kind is RecallKind.REPEAT
    assert item.since == ELIGIBLE
    assert item.patient_id == patient
    assert item.phone == "+19185550177"
    assert item.what == "Repeat RFA L4-L5"
    assert item.rule.startswith("Medicare (Novitas): repeat RFA after at least 50 % relief "
                                "for 6 months (on record: 80 % for 7 months)")
    assert item.last_outcome is None
    assert item.tries == 0


def test_the_look_ahead_shows_it_that_many_days_before(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    patient = medicare_patient(ctx)
    rfa = rfa_history(ctx, practice, patient, RFA_DAY)
    move_to(clock, ELIGIBLE - timedelta(days=31))
    assert f"repeat:{rfa}" not in listed(ctx, practice)
    move_to(clock, ELIGIBLE - timedelta(days=30))
    assert listed(ctx, practice)[f"repeat:{rfa}"].since == ELIGIBLE


def test_a_full_session_cap_moves_the_date_to_when_the_rule_allows(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    patient = medicare_patient(ctx)
    visit(ctx, practice, patient, "rfa", RFA_DAY - timedelta(days=120))  # 2 in 12 months
    rfa = rfa_history(ctx, practice, patient, RFA_DAY)
    move_to(clock, date(2027, 6, 1))
    item = listed(ctx, practice)[f"repeat:{rfa}"]
    # the cap of 2 RFA sessions in 12 months frees a day after the first one's year ends
    assert item.since == RFA_DAY - timedelta(days=120) + relativedelta(years=1)


def test_relief_short_of_the_rule_or_a_payer_refusing_repeats_never_shows_it(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    short = medicare_patient(ctx, first="Lee", phone="+19185550178")
    short_rfa = rfa_history(ctx, practice, short, RFA_DAY, percent=40)
    other = medicare_patient(ctx, first="Kim", phone="+19185550179")
    other_rfa = rfa_history(ctx, practice, other, RFA_DAY, hour=13)
    refusing = tuple(replace(r, max_rfa=0) if r.key == "medicare" else r
                     for r in DEFAULT_RULE_SETS)
    strict = replace(ctx, settings=replace(Settings(), payers=refusing))
    for day in (ELIGIBLE, ELIGIBLE + timedelta(days=200), ELIGIBLE + timedelta(days=800)):
        move_to(clock, day)
        assert f"repeat:{short_rfa}" not in listed(ctx, practice)
        assert f"repeat:{other_rfa}" not in listed(strict, practice)
    assert f"repeat:{other_rfa}" in listed(ctx, practice)


def test_a_poorer_relief_report_taken_later_ends_a_repeat_the_booking_would_refuse(
    ctx: Context, practice: Practice
) -> None:
    """The first eligible day is past; a relief report taken since (not linked to the RFA)
    says it did not last: the booking's own check, asked as of today, refuses the repeat, so
    the list does not offer the call."""
    patient = medicare_patient(ctx)
    rfa = rfa_history(ctx, practice, patient, date(2026, 8, 3))
    item = listed(ctx, practice)[f"repeat:{rfa}"]
    assert item.since == date(2027, 2, 3)  # due since then, the check still passes today

    relief(ctx, patient, None, "rfa", percent=20, months=1, reported=at(date(2027, 3, 8)))
    assert f"repeat:{rfa}" not in listed(ctx, practice)
    with pytest.raises(PayerRulesBroken, match="a repeat needs the last one"):
        scheduling.book(ctx, staff=practice.staff, patient_id=patient, visit_type="rfa",
                        provider_id=practice.able, location_id=practice.location_id,
                        start=at(date(2027, 3, 19)), region="lumbar", levels="L4-L5",
                        side="bilateral", accept_warnings=scheduling.WARNING_CODES)


def test_no_relief_on_record_or_no_payer_rules_is_no_repeat_recall(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    patient = medicare_patient(ctx)
    rfa = visit(ctx, practice, patient, "rfa", RFA_DAY)
    self_pay = visit(ctx, practice, practice.patient_id, "rfa", RFA_DAY, hour=13)
    relief(ctx, practice.patient_id, self_pay, "rfa", percent=90, months=8,
           reported=at(RFA_DAY + timedelta(days=100)))
    move_to(clock, ELIGIBLE + timedelta(days=5))
    found = listed(ctx, practice)
    assert f"repeat:{rfa}" not in found
    assert f"repeat:{self_pay}" not in found


def test_a_booked_repeat_or_consult_closes_it_and_booked_can_be_recorded(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    patient = medicare_patient(ctx)
    rfa = rfa_history(ctx, practice, patient, RFA_DAY)
    move_to(clock, ELIGIBLE)
    key = f"repeat:{rfa}"
    assert key in listed(ctx, practice)
    with pytest.raises(InvalidInput, match="book it on a call first"):
        record_outcome(ctx, staff=practice.staff, key=key, outcome="booked")
    massage = visit(ctx, practice, patient, "massage", ELIGIBLE + timedelta(days=3),
                    status="booked")
    assert key in listed(ctx, practice)  # not the next step
    consult = visit(ctx, practice, patient, "rfa-consult", ELIGIBLE + timedelta(days=6),
                    status="booked")
    assert key not in listed(ctx, practice)
    done = record_outcome(ctx, staff=practice.staff, key=key, outcome="booked")
    assert done.appointment_id == consult != massage
    assert done.outcome is RecallOutcome.BOOKED
    assert done.tries == 1


def test_the_routine_follow_up_weeks_after_an_rfa_does_not_close_its_repeat(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    patient = medicare_patient(ctx)
    rfa = rfa_history(ctx, practice, patient, RFA_DAY)
    visit(ctx, practice, patient, "follow-up", RFA_DAY + timedelta(days=21))
    move_to(clock, ELIGIBLE)
    assert f"repeat:{rfa}" in listed(ctx, practice)  # months before the window opened
    visit(ctx, practice, patient, "follow-up", ELIGIBLE + timedelta(days=2), status="booked")
    assert f"repeat:{rfa}" not in listed(ctx, practice)  # the one about the repeat


def test_an_overdue_relief_callback_is_listed_with_its_key(
    ctx: Context, practice: Practice
) -> None:
    block = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 8))
    overdue = callback(ctx, practice.patient_id, block, due=at(date(2027, 3, 9)))
    later = visit(ctx, practice, practice.other_patient_id, "facet-diagnostic",
                  date(2027, 3, 10), hour=8)
    not_yet = callback(ctx, practice.other_patient_id, later, due=at(date(2027, 3, 11)))
    found = listed(ctx, practice)
    item = found[f"relief:{overdue}"]
    assert item.kind is RecallKind.RELIEF
    assert item.since == date(2027, 3, 9)
    assert item.appointment_id == block
    assert item.location_name == "Test Clinic"
    assert f"relief:{not_yet}" not in found
    assert f"follow-up:{block}" not in found  # the relief recall covers it


def test_a_declined_relief_recall_does_not_come_back_as_the_block_s_follow_up(
    ctx: Context, practice: Practice
) -> None:
    block = visit(ctx, practice, practice.other_patient_id, "facet-diagnostic",
                  date(2027, 3, 8))
    task = callback(ctx, practice.other_patient_id, block, due=at(date(2027, 3, 9)))
    assert set(listed(ctx, practice)) == {f"relief:{task}"}
    record_outcome(ctx, staff=practice.staff, key=f"relief:{task}", outcome="declined",
                   note="pain gone, does not want more calls")
    assert listed(ctx, practice) == {}
    with Session(ctx.engine) as session:
        cancelled = session.get(CallbackTask, task)
        assert cancelled is not None
        assert cancelled.status == "cancelled"
    # a callback cancelled some other way still leaves the block to follow up
    other = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 1))
    callback(ctx, practice.patient_id, other, due=at(date(2027, 3, 2)), status="cancelled",
             done_at=at(date(2027, 3, 2)))
    assert set(listed(ctx, practice)) == {f"follow-up:{other}"}


def test_a_diagnostic_block_without_its_next_step_is_listed_until_one_is_booked(
    ctx: Context, practice: Practice
) -> None:
    block = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 1))
    callback(ctx, practice.patient_id, block, due=at(date(2027, 3, 2)), status="done",
             done_at=at(date(2027, 3, 3)))
    key = f"follow-up:{block}"
    item = listed(ctx, practice)[key]
    assert item.kind is RecallKind.FOLLOW_UP
    assert item.since == date(2027, 3, 2)  # the report was due then
    visit(ctx, practice, practice.patient_id, "follow-up", date(2027, 3, 17), status="booked")
    assert key not in listed(ctx, practice)


def test_outcomes_sort_hide_and_close(ctx: Context, practice: Practice,
                                      clock: FrozenClock) -> None:
    first = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 1))
    second = visit(ctx, practice, practice.other_patient_id, "facet-diagnostic",
                   date(2027, 3, 3))
    keys = [f"follow-up:{first}", f"follow-up:{second}"]
    assert [k for k in listed(ctx, practice) if k in keys] == keys  # most overdue first

    record_outcome(ctx, staff=practice.staff, key=keys[0], outcome="no-answer")
    found = list(listed(ctx, practice).values())
    assert [r.key for r in found if r.key in keys] == keys[::-1]  # tried: after the untried
    tried = next(r for r in found if r.key == keys[0])
    assert (tried.last_outcome, tried.tries) == (RecallOutcome.NO_ANSWER, 1)
    assert tried.last_words == "No answer"

    record_outcome(ctx, staff=practice.staff, key=keys[0], outcome="left-message")
    assert listed(ctx, practice)[keys[0]].last_words == "Left a message (2 tries)"
    clock.advance(days=3)  # no longer recent: most overdue first again
    assert [k for k in listed(ctx, practice) if k in keys] == keys

    record_outcome(ctx, staff=practice.staff, key=keys[0], outcome="not-now",
                   until=date(2027, 3, 20))
    assert keys[0] not in listed(ctx, practice)
    move_to(clock, date(2027, 3, 19), 23)
    assert keys[0] not in listed(ctx, practice)
    move_to(clock, date(2027, 3, 20), 7)
    back = listed(ctx, practice)[keys[0]]
    assert back.last_outcome is RecallOutcome.NOT_NOW
    assert back.tries == 3

    with pytest.raises(InvalidInput, match="needs a note"):
        record_outcome(ctx, staff=practice.staff, key=keys[1], outcome="declined")
    record_outcome(ctx, staff=practice.staff, key=keys[1], outcome="declined",
                   note="Seeing another clinic")
    assert keys[1] not in listed(ctx, practice)
    with pytest.raises(InvalidInput, match="closed already"):
        record_outcome(ctx, staff=practice.staff, key=keys[1], outcome="no-answer")


def test_each_outcome_is_one_row_with_its_audit_event(ctx: Context, practice: Practice) -> None:
    block = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 8))
    task = callback(ctx, practice.patient_id, block, due=at(date(2027, 3, 9)))
    key = f"relief:{task}"
    done = record_outcome(ctx, staff=practice.staff, key=key, outcome="declined",
                          note="Will call us instead")
    with Session(ctx.engine) as session:
        row = session.get(Outreach, done.outreach_id)
        assert row is not None
        assert (row.worklist, row.subject, row.outcome) == ("recall", key, "declined")
        assert row.appointment_id == block
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "recall.outcome")
                             ).one()
        assert event.entity_id == row.id
        assert event.after == {"subject": key, "outcome": "declined"}
        assert summarise(event, _Names.load(session)) == f"recall {key}: declined"
        cb = session.get(CallbackTask, task)
        assert cb is not None
        assert cb.status == "cancelled"
    assert key not in listed(ctx, practice)


@pytest.mark.parametrize(("outcome", "until", "note", "says"), [
    ("maybe", None, "", "one of booked"),
    ("not-now", None, "", "needs the day"),
    ("not-now", date(2027, 3, 10), "", "after today"),
    ("no-answer", date(2027, 3, 12), "", "only not now"),
])
def test_bad_outcomes_are_refused_and_nothing_is_written(
    ctx: Context, practice: Practice, outcome: str, until: date | None, note: str, says: str
) -> None:
    block = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 1))
    with pytest.raises(InvalidInput, match=says):
        record_outcome(ctx, staff=practice.staff, key=f"follow-up:{block}", outcome=outcome,
                       until=until, note=note)
    with pytest.raises(InvalidInput, match="not a recall key"):
        record_outcome(ctx, staff=practice.staff, key="repeat:x", outcome="no-answer")
    with pytest.raises(InvalidInput, match="no recall"):
        record_outcome(ctx, staff=practice.staff, key=f"repeat:{block}", outcome="no-answer")
    with pytest.raises(InvalidInput, match="no active staff"):
        record_outcome(ctx, staff="nobody", key=f"follow-up:{block}", outcome="no-answer")
    with Session(ctx.engine) as session:
        assert session.exec(select(Outreach)).all() == []


def test_the_location_filter_and_the_report_lines_agree_with_the_list(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    patient = medicare_patient(ctx)
    rfa = rfa_history(ctx, practice, patient, RFA_DAY)
    block = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 8))
    task = callback(ctx, practice.patient_id, block, due=at(date(2027, 3, 9)))
    other = visit(ctx, practice, practice.other_patient_id, "facet-diagnostic",
                  date(2027, 3, 1))
    move_to(clock, ELIGIBLE - timedelta(days=2))
    record_outcome(ctx, staff=practice.staff, key=f"follow-up:{other}", outcome="not-now",
                   until=ELIGIBLE + timedelta(days=10))
    consult = visit(ctx, practice, patient, "rfa-consult", ELIGIBLE + timedelta(days=4),
                    status="booked")
    record_outcome(ctx, staff=practice.staff, key=f"repeat:{rfa}", outcome="booked")
    third = medicare_patient(ctx, first="Ash", phone="+19185550180")
    block2 = visit(ctx, practice, third, "facet-diagnostic", date(2027, 3, 11), hour=13)

    found = recalls(ctx, by=practice.staff)
    lines = {line.label: line.figure for line in
             report_lines(ctx, by=practice.manager, day=clock.now.date())}
    assert all(line.worklist == "Recalls" for line in
               report_lines(ctx, by=practice.manager, day=clock.now.date()))
    for kind in RecallKind:
        figure = lines[f"Due now: {kind.label.lower()}"]
        assert set(figure.ids) == {r.anchor_id for r in found if r.kind is kind}
        assert figure.kind is (DrillKind.CALLBACKS if kind is RecallKind.RELIEF
                               else DrillKind.APPOINTMENTS)
    assert lines["Due now: relief callback"].ids == (task,)
    assert lines["Due now: no follow-up booked"].ids == (block2,)
    assert lines["Reached"].ids == tuple(sorted({other, rfa}))  # what each is about
    assert lines["Booked from recalls"].ids == (consult,)
    done = progress(ctx, by=practice.staff, day=clock.now.date())
    assert (done.tried, done.booked) == (2, (consult,))
    assert progress(ctx, by=practice.staff, day=clock.now.date(),
                    location_id=practice.location_id + 99).tried == 0
    assert listed(ctx, practice, location_id=practice.location_id).keys() == {
        r.key for r in found}
    yesterday = clock.now.date() - timedelta(days=1)
    before = {line.label: line.figure for line in
              report_lines(ctx, by=practice.manager, day=yesterday)}
    assert list(before) == [f"Due now (as of today): {kind.label.lower()}"
                            for kind in RecallKind] + ["Reached", "Booked from recalls"]
    assert before["Reached"].ids == before["Booked from recalls"].ids == ()
    assert before["Reached"].title == f"Visits whose recall reached the patient, " \
                                      f"{yesterday:%a} {yesterday.day} {yesterday:%b %Y}"


def test_a_row_the_recalls_did_not_write_is_left_out_of_the_report(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    block = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 1))
    record_outcome(ctx, staff=practice.staff, key=f"follow-up:{block}", outcome="no-answer")

    def strays(session: Session) -> None:
        staff = session.exec(select(Staff).where(Staff.username == "desk")).one()
        for subject, outcome in ((f"follow-up:{block}", "wrong-number"),
                                 ("callback:7", "no-answer"), ("repeat:x", "declined")):
            session.add(Outreach(worklist="recall", patient_id=practice.patient_id,
                                 subject=subject, outcome=outcome, note="", at=clock.now,
                                 staff_id=staff.id or 0))

    run_write(ctx.engine, strays)
    done = progress(ctx, by=practice.staff, day=clock.now.date())
    assert (done.tried, done.reached) == (1, ())
    lines = {line.label: line.figure.ids for line in
             report_lines(ctx, by=practice.manager, day=clock.now.date())}
    assert lines["Due now: no follow-up booked"] == (block,)
    assert f"follow-up:{block}" in listed(ctx, practice)
    assert listed(ctx, practice, location_id=practice.location_id + 99) == {}


def test_only_active_staff_may_read_or_write_recalls(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput, match="no active staff"):
        recalls(ctx, by="nobody")
    for who in (practice.staff, practice.scheduler, practice.manager, practice.admin):
        assert recalls(ctx, by=who) == recalls(ctx, by=practice.staff)


def test_a_recall_not_due_yet_takes_no_outcome(ctx: Context, practice: Practice,
                                              clock: FrozenClock) -> None:
    patient = medicare_patient(ctx)
    rfa = rfa_history(ctx, practice, patient, RFA_DAY)
    move_to(clock, ELIGIBLE - timedelta(days=40))
    with pytest.raises(InvalidInput, match="not due yet"):
        record_outcome(ctx, staff=practice.staff, key=f"repeat:{rfa}", outcome="no-answer")
    move_to(clock, ELIGIBLE - timedelta(days=30))
    assert record_outcome(ctx, staff=practice.staff, key=f"repeat:{rfa}",
                          outcome="no-answer").tries == 1


def test_histories_read_in_bulk_are_each_patient_s_own(ctx: Context, practice: Practice) -> None:
    """The recalls read every candidate's history in two queries, each as load_history
    reads it alone."""
    from sqlalchemy import event

    from frontdesk.services.pathway import load_histories, load_history

    first, second = medicare_patient(ctx), medicare_patient(ctx, "Sky", "Bulkcase")
    rfa_history(ctx, practice, first, RFA_DAY)
    rfa_history(ctx, practice, second, date(2026, 5, 4), percent=60, months=2)
    wanted = {first, second, practice.patient_id, 999_999}
    now = at(date(2027, 3, 10))
    queries: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).startswith("SELECT"):
            queries.append(str(args[2]))

    with Session(ctx.engine) as session:
        event.listen(ctx.engine, "before_cursor_execute", count)
        try:
            bulk = load_histories(session, wanted, now=now)
        finally:
            event.remove(ctx.engine, "before_cursor_execute", count)
        assert len(queries) == 2
        assert bulk == {i: load_history(session, i, now=now) for i in wanted}
    assert len(bulk[first].sessions) == 3
    assert bulk[999_999].sessions == ()


def test_the_mobile_is_the_number_to_call_when_the_record_has_one(
    ctx: Context, practice: Practice
) -> None:
    """As on the confirmation list: the mobile first, else the phone on file."""
    from frontdesk.db.models import Patient

    block = visit(ctx, practice, practice.patient_id, "facet-diagnostic", date(2027, 3, 1))
    key = f"follow-up:{block}"
    assert listed(ctx, practice)[key].phone == "+19185550111"

    def mobile(session: Session) -> None:
        row = session.get(Patient, practice.patient_id)
        assert row is not None
        row.mobile = "+19185550199"
        session.add(row)

    run_write(ctx.engine, mobile)
    assert listed(ctx, practice)[key].phone == "+19185550199"
