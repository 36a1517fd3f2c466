"""The confirmation list on SQLite and PostgreSQL (issue 21): which visits are on it and in what
order, what to remind each patient of, the next working day it opens on, each call's outcome
and its effect on the visit, who may work it, a visit changed meanwhile, and the report's
figures counted by the list's own read.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa; Dr. Able and Pat Baker work Mon-Fri
08:00-12:00 and 13:00-17:00 at Test Clinic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import AuditEvent, Outreach, Patient, Staff
from frontdesk.domain import permissions
from frontdesk.domain.confirmations import Outcome, Standing, reminders
from frontdesk.domain.model import Role, Status
from frontdesk.domain.permissions import Permission
from frontdesk.services import audit, scheduling
from frontdesk.services import schedule_admin as admin
from frontdesk.services.catalog import DEFAULT_VISIT_TYPES
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed, StaleAppointment
from frontdesk.services.scheduling import status as status_module
from frontdesk.services.views import AppointmentView
from frontdesk.services.worklists import confirmations as conf
from tests.conftest import FrozenClock
from tests.practice import CHICAGO, SPINE, Practice

TULSA = ZoneInfo(CHICAGO)
THU, FRI, MON, TUE = date(2027, 3, 11), date(2027, 3, 12), date(2027, 3, 15), date(2027, 3, 16)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TULSA).astimezone(UTC)


def book(ctx: Context, p: Practice, day: date, hour: int, visit: str = "follow-up", *,
         patient: int | None = None, provider: int | None = None,
         hold: bool = False) -> AppointmentView:
    details: dict[str, Any] = SPINE if visit.startswith("facet") else {}
    return scheduling.book(ctx, staff=p.staff, patient_id=patient or p.patient_id,
                           visit_type=visit, provider_id=provider or p.baker,
                           location_id=p.location_id, start=at(day, hour), hold=hold,
                           accept_warnings=scheduling.WARNING_CODES, **details)


def set_mobile(ctx: Context, patient_id: int, mobile: str) -> None:
    def work(session: Session) -> None:
        row = session.get(Patient, patient_id)
        assert row is not None
        row.mobile = mobile
        session.add(row)

    run_write(ctx.engine, work)


def thursday(ctx: Context, p: Practice) -> dict[str, AppointmentView]:
    """Thursday: a follow-up at 8:00, a first visit at 10:00, a facet block at 13:00 — and a
    hold, a cancelled visit and Friday's visit, none of them on the list."""
    made = {
        "follow-up": book(ctx, p, THU, 8),
        "new-patient": book(ctx, p, THU, 10, "new-patient", patient=p.other_patient_id),
        "facet": book(ctx, p, THU, 13, "facet-diagnostic", provider=p.able),
        "hold": book(ctx, p, THU, 15, patient=p.other_patient_id, hold=True),
        "cancelled": book(ctx, p, THU, 16, patient=p.other_patient_id),
        "friday": book(ctx, p, FRI, 9),
    }
    scheduling.cancel(ctx, staff=p.staff, appointment_id=made["cancelled"].id,
                      reason="Patient called")
    return made


def listed(ctx: Context, p: Practice, day: date = THU, **kw: Any) -> conf.ConfirmationList:
    return conf.confirmation_list(ctx, by=p.staff, day=day, location_id=p.location_id, **kw)


def outreach_rows(ctx: Context) -> list[tuple[int | None, str, str]]:
    with Session(ctx.engine) as session:
        return [(r.appointment_id, r.outcome, r.subject) for r in session.exec(
            select(Outreach).order_by(col(Outreach.id)))]


def audit_count(ctx: Context) -> int:
    with Session(ctx.engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


# --------------------------------------------------------------------------- the list


def test_procedures_and_first_visits_come_first_then_by_time(ctx: Context,
                                                             practice: Practice) -> None:
    made = thursday(ctx, practice)
    set_mobile(ctx, practice.other_patient_id, "+19185550199")

    found = listed(ctx, practice)

    assert [r.id for r in found.rows] == [made["new-patient"].id, made["facet"].id,
                                          made["follow-up"].id]
    first, facet, follow = found.rows
    assert (first.first_visit, first.is_procedure, first.first) == (True, False, True)
    assert (facet.first_visit, facet.is_procedure, facet.first) == (False, True, True)
    assert follow.first is False
    assert first.patient_name == "Sample, Jordan"
    assert first.phone == "+19185550199"  # the mobile, when there is one
    assert follow.phone == "+19185550111"  # else the phone on file
    assert first.remind == ("arrive by 9:40 AM (20 min early) · "
                            "bring insurance card, medication list")
    assert facet.remind == "arrive by 12:30 PM (30 min early) · driver if sedated"
    assert follow.remind == "arrive by 7:50 AM (10 min early) · bring medication list"
    assert {r.standing for r in found.rows} == {Standing.TO_CALL}
    assert found.progress == "0 of 3 reached · 0 confirmed · 3 to call"
    assert found.settled == ()


def test_reading_the_list_is_audited_without_details_and_a_refresh_need_not_be(
        ctx: Context, practice: Practice) -> None:
    thursday(ctx, practice)
    before = audit_count(ctx)
    listed(ctx, practice)
    listed(ctx, practice, audit=False)
    assert audit_count(ctx) == before + 1
    with Session(ctx.engine) as session:
        event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert (event.action, event.after) == ("patient.list", {"command": "confirmations",
                                                            "rows": 3})


def test_the_default_day_is_the_next_working_day(ctx: Context, practice: Practice,
                                                 clock: FrozenClock) -> None:
    assert conf.default_day(ctx, practice.location_id) == THU  # from Wednesday
    clock.now = at(FRI, 9)
    assert conf.default_day(ctx, practice.location_id) == MON  # the weekend skipped
    admin.add_closure(ctx, staff=practice.scheduler, kind="holiday", start=at(MON, 0),
                      end=at(TUE, 0), reason="Founders Day")
    assert conf.default_day(ctx) == TUE  # and a holiday
    assert conf.confirmation_list(ctx, by=practice.staff).day == TUE


NINE = datetime(2027, 3, 11, 9, 0, tzinfo=TULSA)
PREP = {d.code: d.prep for d in DEFAULT_VISIT_TYPES}


@pytest.mark.parametrize(("code", "procedure", "first", "expected"), [
    ("rfa", True, False, "arrive by 8:15 AM (45 min early) · driver required"),
    ("facet-therapeutic", True, False, "arrive by 8:30 AM (30 min early) · driver if sedated"),
    ("new-patient", False, True,
     "arrive by 8:40 AM (20 min early) · bring insurance card, medication list"),
    ("med-management", False, False, "arrive by 8:50 AM (10 min early) · bring medication "
                                     "bottles"),
    ("rfa-consult", False, False, "arrive by 8:45 AM (15 min early) · bring medication list"),
    ("massage", False, False, "arrive by 8:50 AM (10 min early)"),
])
def test_what_to_remind_from_the_default_visit_types(code: str, procedure: bool, first: bool,
                                                     expected: str) -> None:
    early = {"rfa": 45, "facet-therapeutic": 30, "new-patient": 20, "rfa-consult": 15}.get(
        code, 10)
    assert reminders(PREP[code], early_min=early, start_local=NINE, is_procedure=procedure,
                     first_visit=first) == expected



# --------------------------------------------------------------------------- outcomes


def test_confirmed_sets_the_status_with_the_call_in_one_transaction(
        ctx: Context, practice: Practice) -> None:
    made = thursday(ctx, practice)
    visit = made["follow-up"]

    done = conf.record(ctx, staff=practice.staff, appointment_id=visit.id,
                       outcome=Outcome.CONFIRMED, expected_version=visit.version)

    assert done.status is Status.CONFIRMED
    assert outreach_rows(ctx) == [(visit.id, "confirmed", "2027-03-11")]
    with Session(ctx.engine) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())
                              .limit(2)).all()
    assert {e.action for e in events} == {"appointment.status", "outreach.record"}
    assert events[0].at == events[1].at
    row = next(r for r in listed(ctx, practice).rows if r.id == visit.id)
    assert (row.standing, row.called_by, row.tries) == (Standing.CONFIRMED, "desk", 1)
    assert listed(ctx, practice).progress == "1 of 3 reached · 1 confirmed · 2 to call"


def test_a_failed_call_record_undoes_the_status_change(ctx: Context, practice: Practice,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    visit = thursday(ctx, practice)["follow-up"]

    def broken(*_args: Any, **_kw: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(status_module, "write_outreach", broken)
    with pytest.raises(RuntimeError):
        conf.record(ctx, staff=practice.staff, appointment_id=visit.id,
                    outcome=Outcome.CONFIRMED)
    assert scheduling.get_appointment(ctx, visit.id).status is Status.BOOKED
    assert outreach_rows(ctx) == []


@pytest.mark.parametrize(("outcome", "standing"), [
    (Outcome.LEFT_MESSAGE, Standing.LEFT_MESSAGE),
    (Outcome.NO_ANSWER, Standing.NO_ANSWER),
    (Outcome.WANTS_MOVE, Standing.WANTS_MOVE),
])
def test_calls_that_change_nothing_leave_the_visit_as_it_was(
        ctx: Context, practice: Practice, outcome: Outcome, standing: Standing) -> None:
    visit = thursday(ctx, practice)["facet"]

    done = conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome=outcome,
                       expected_version=visit.version, note="spoke to the answering machine")

    assert (done.status, done.version, done.start) == (visit.status, visit.version, visit.start)
    assert outreach_rows(ctx) == [(visit.id, outcome.value, "2027-03-11")]
    row = next(r for r in listed(ctx, practice).rows if r.id == visit.id)
    assert row.standing is standing
    assert row.standing.reached is (outcome is Outcome.WANTS_MOVE)


def test_a_second_call_is_where_the_visit_stands_now(ctx: Context, practice: Practice) -> None:
    visit = thursday(ctx, practice)["facet"]
    conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome="no-answer")
    conf.record(ctx, staff=practice.scheduler, appointment_id=visit.id, outcome="left-message")
    row = next(r for r in listed(ctx, practice).rows if r.id == visit.id)
    assert (row.standing, row.called_by, row.tries) == (Standing.LEFT_MESSAGE, "sched", 2)


def test_cancelled_goes_through_the_cancel_path_and_leaves_the_list_counted(
        ctx: Context, practice: Practice) -> None:
    visit = thursday(ctx, practice)["new-patient"]

    done = conf.record(ctx, staff=practice.staff, appointment_id=visit.id,
                       outcome=Outcome.CANCELLED, expected_version=visit.version,
                       reason="Feeling better")

    assert (done.status, done.cancel_reason, done.late_cancel) == (
        Status.CANCELLED, "Feeling better", False)  # 25 hours ahead: not a late cancel
    found = listed(ctx, practice)
    assert visit.id not in [r.id for r in found.rows]
    assert [(r.id, r.standing) for r in found.settled] == [(visit.id, Standing.CANCELLED)]
    assert found.progress == "0 of 2 reached · 0 confirmed · 2 to call · 1 cancelled or moved"
    with pytest.raises(InvalidInput, match="reason"):  # the cancel path's own rules
        conf.record(ctx, staff=practice.staff, appointment_id=thursday_follow_up(found),
                    outcome=Outcome.CANCELLED, reason=" ")


def thursday_follow_up(found: conf.ConfirmationList) -> int:
    return next(r.id for r in found.rows if r.appointment.visit_type_code == "follow-up")


def test_a_visit_moved_away_after_wants_move_is_counted_where_it_was(
        ctx: Context, practice: Practice) -> None:
    visit = thursday(ctx, practice)["follow-up"]
    conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome="wants-move")
    scheduling.reschedule(ctx, staff=practice.staff, appointment_id=visit.id,
                          start=at(TUE, 9), accept_warnings=scheduling.WARNING_CODES)

    thu = listed(ctx, practice)
    assert [r.id for r in thu.settled] == [visit.id]
    assert [r.id for r in thu.cancelled_or_moved] == [visit.id]
    tue = listed(ctx, practice, TUE)
    assert [(r.id, r.standing) for r in tue.rows] == [(visit.id, Standing.TO_CALL)]


def test_an_already_confirmed_visit_records_the_call_only(ctx: Context,
                                                          practice: Practice) -> None:
    visit = thursday(ctx, practice)["follow-up"]
    confirmed = scheduling.set_status(ctx, staff=practice.staff, appointment_id=visit.id,
                                      status=Status.CONFIRMED)
    assert next(r for r in listed(ctx, practice).rows
                if r.id == visit.id).standing is Standing.CONFIRMED  # confirmed elsewhere
    done = conf.record(ctx, staff=practice.staff, appointment_id=visit.id,
                       outcome="confirmed", expected_version=confirmed.version)
    assert done.version == confirmed.version
    assert outreach_rows(ctx) == [(visit.id, "confirmed", "2027-03-11")]


def test_visits_off_the_list_and_unknown_outcomes_are_refused(ctx: Context,
                                                              practice: Practice) -> None:
    made = thursday(ctx, practice)
    before = audit_count(ctx)
    for visit, outcome in (("cancelled", "no-answer"), ("hold", "cancelled"),
                           ("hold", "confirmed")):
        with pytest.raises(InvalidInput, match="not on the confirmation list"):
            conf.record(ctx, staff=practice.staff, appointment_id=made[visit].id,
                        outcome=outcome, reason="Feeling better")
    with pytest.raises(InvalidInput, match="outcome"):
        conf.record(ctx, staff=practice.staff, appointment_id=made["facet"].id,
                    outcome="maybe")
    with pytest.raises(InvalidInput, match="appointment"):
        conf.record(ctx, staff=practice.staff, appointment_id=99999, outcome="no-answer")
    assert outreach_rows(ctx) == []
    assert audit_count(ctx) == before


# --------------------------------------------------------------------------- who, and when


def test_a_visit_changed_meanwhile_is_refused_with_its_fresh_state(
        ctx: Context, practice: Practice) -> None:
    visit = thursday(ctx, practice)["facet"]
    scheduling.set_status(ctx, staff=practice.scheduler, appointment_id=visit.id,
                          status=Status.CONFIRMED)  # someone else, meanwhile
    for outcome in ("no-answer", "confirmed", "cancelled"):
        with pytest.raises(StaleAppointment) as stale:
            conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome=outcome,
                        expected_version=visit.version, reason="Feeling better")
        assert stale.value.current.status is Status.CONFIRMED
        assert "changed by someone else meanwhile" in str(stale.value)
    assert outreach_rows(ctx) == []


def test_the_permission_holds_in_the_service(ctx: Context, practice: Practice,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every role works the list; were it a manager's, a receptionist would be refused on
    every path and nothing written — and a disabled account always is."""
    visit = thursday(ctx, practice)["follow-up"]
    for username in (practice.staff, practice.scheduler, practice.manager, practice.admin):
        assert listed(ctx, practice).rows  # everybody may
        conf.confirmation_list(ctx, by=username, day=THU)
    monkeypatch.setitem(permissions.LOWEST, Permission.CONFIRMATIONS, Role.MANAGER)
    before = audit_count(ctx)
    with pytest.raises(NotAllowed, match="working the confirmation list needs a manager"):
        listed(ctx, practice)
    for outcome in Outcome:
        with pytest.raises(NotAllowed):
            conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome=outcome,
                        reason="Feeling better")
    assert audit_count(ctx) == before
    assert outreach_rows(ctx) == []
    assert scheduling.get_appointment(ctx, visit.id).status is Status.BOOKED
    conf.record(ctx, staff=practice.manager, appointment_id=visit.id, outcome="no-answer")

    def disable(session: Session) -> None:
        row = session.exec(select(Staff).where(Staff.username == practice.admin)).one()
        row.active = False
        session.add(row)

    run_write(ctx.engine, disable)
    with pytest.raises(InvalidInput, match="no active staff member"):
        conf.record(ctx, staff=practice.admin, appointment_id=visit.id, outcome="no-answer")


# --------------------------------------------------------------------------- the report


def test_the_report_lines_agree_with_the_list(ctx: Context, practice: Practice) -> None:
    made = thursday(ctx, practice)
    extra = book(ctx, practice, THU, 11, patient=practice.other_patient_id)
    conf.record(ctx, staff=practice.staff, appointment_id=made["facet"].id, outcome="confirmed")
    conf.record(ctx, staff=practice.staff, appointment_id=made["follow-up"].id,
                outcome="left-message")
    conf.record(ctx, staff=practice.staff, appointment_id=extra.id, outcome="no-answer")
    conf.record(ctx, staff=practice.staff, appointment_id=made["new-patient"].id,
                outcome="cancelled", reason="Feeling better")

    found = listed(ctx, practice)
    lines = {line.label: line for line in conf.report_lines(ctx, THU, practice.location_id)}
    with Session(ctx.engine) as session:  # the report's own session works the same
        assert conf.report_lines(session, THU, practice.location_id) == list(lines.values())
    everywhere = conf.report_lines(ctx, THU, None)

    def ids(label: str) -> set[int]:
        return set(lines[label].figure.ids)

    assert {line.worklist for line in lines.values()} == {"Confirmations"}
    assert ids("To confirm") == {r.id for r in found.rows} == {
        made["facet"].id, made["follow-up"].id, extra.id}
    assert ids("Confirmed") == {made["facet"].id}
    assert ids("Left a message") == {made["follow-up"].id}
    assert ids("No answer") == {extra.id}
    assert ids("Cancelled or moved") == {r.id for r in found.cancelled_or_moved} == {
        made["new-patient"].id}
    assert ids("Not tried yet") == set()
    assert lines["Confirmed"].figure.n == found.confirmed == 1
    assert lines["Confirmed"].figure.title == "Confirmations: confirmed, Thu 11 Mar 2027"
    assert [line.figure.ids for line in everywhere] == [
        line.figure.ids for line in lines.values()]
    assert conf.report_lines(ctx, FRI, practice.location_id)[0].figure.ids == (
        made["friday"].id,)


def test_the_days_figures_survive_its_check_ins_and_no_shows(ctx: Context, practice: Practice,
                                                              clock: FrozenClock) -> None:
    """Once Thursday's visits are checked in, completed or missed, they stay on its list and
    in its report — each saying its status, not "to call" — with the no-shows to set against
    the confirmed; and a visit already over takes no call's outcome any more."""
    made = thursday(ctx, practice)
    extra = book(ctx, practice, THU, 11, patient=practice.other_patient_id)
    conf.record(ctx, staff=practice.staff, appointment_id=made["facet"].id, outcome="confirmed")
    conf.record(ctx, staff=practice.staff, appointment_id=made["follow-up"].id,
                outcome="no-answer")
    conf.record(ctx, staff=practice.staff, appointment_id=made["new-patient"].id,
                outcome="wants-move")
    worked = {line.label: line.figure.ids
              for line in conf.report_lines(ctx, THU, practice.location_id)}

    clock.now = at(THU, 18)
    for visit, status in ((made["facet"], Status.CHECKED_IN), (made["facet"], Status.COMPLETED),
                          (made["follow-up"], Status.NO_SHOW), (extra, Status.CHECKED_IN)):
        scheduling.set_status(ctx, staff=practice.scheduler, appointment_id=visit.id,
                              status=status)
    found = listed(ctx, practice)
    lines = {line.label: line.figure.ids
             for line in conf.report_lines(ctx, THU, practice.location_id)}

    assert {r.id: r.standing for r in found.rows} == {
        made["facet"].id: Standing.CONFIRMED, made["follow-up"].id: Standing.NO_ANSWER,
        made["new-patient"].id: Standing.WANTS_MOVE, extra.id: Standing.CHECKED_IN}
    assert Standing.CHECKED_IN.label == "checked in"
    assert {label: set(ids) for label, ids in lines.items()} == {
        label: set(ids) for label, ids in worked.items()} | {
        "of them no-show": {made["follow-up"].id}, "Not tried yet": set()}
    assert set(lines["To confirm"]) == {r.id for r in found.rows}
    assert set(lines["Confirmed"]) == {made["facet"].id}
    assert lines["of them no-show"] == tuple(r.id for r in found.no_shows)
    assert found.progress == ("2 of 4 reached · 1 confirmed · 0 to call · "
                              "1 cancelled or moved · 1 no-show")
    for visit in (made["follow-up"], made["new-patient"], extra):  # over, nobody marked one
        for outcome in Outcome:
            with pytest.raises(InvalidInput, match="the visit has started"):
                conf.record(ctx, staff=practice.staff, appointment_id=visit.id,
                            outcome=outcome, reason="Forgot")
    assert scheduling.get_appointment(ctx, made["new-patient"].id).status is Status.BOOKED
    assert scheduling.get_appointment(ctx, made["follow-up"].id).status is Status.NO_SHOW


def test_the_progress_line_counts_a_wanted_move_as_the_report_does(
        ctx: Context, practice: Practice) -> None:
    visit = thursday(ctx, practice)["follow-up"]
    conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome="wants-move")
    found = listed(ctx, practice)
    moved = next(line for line in conf.report_lines(ctx, THU, practice.location_id)
                 if line.label == "Cancelled or moved")
    assert moved.figure.ids == (visit.id,)
    assert found.progress == "1 of 3 reached · 0 confirmed · 2 to call · 1 cancelled or moved"


def test_the_audit_log_tells_each_call_and_finds_it_under_the_patient(
        ctx: Context, practice: Practice) -> None:
    visit = thursday(ctx, practice)["facet"]
    conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome="no-answer")
    conf.record(ctx, staff=practice.staff, appointment_id=visit.id, outcome="confirmed")

    mine = audit.audit_events(ctx, by=practice.manager, patient_id=practice.patient_id,
                              action="outreach.")
    assert [e.summary for e in reversed(mine)] == [
        f"confirmation call about appointment {visit.id}: no-answer",
        f"confirmation call about appointment {visit.id}: confirmed"]
    assert audit.audit_events(ctx, by=practice.manager, action="outreach.",
                              patient_id=practice.other_patient_id) == []
