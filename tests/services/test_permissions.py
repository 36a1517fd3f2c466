"""Every role against every service action, on SQLite and PostgreSQL: the table below is the
whole answer, cell by cell. A refusal is NotAllowed with a message naming who may do it, and
writes nothing; an allowed action goes through.

Each role acts on its own fresh target (its own day, patient, account…), prepared by the admin
beforehand, so one role's success never decides the next role's cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from frontdesk.db.models import Appointment, CallbackTask
from frontdesk.domain.calls import CallOutcome
from frontdesk.domain.model import Region, Side, Status
from frontdesk.domain.pathway import Answers, Procedure
from frontdesk.services import (
    accounts,
    audit,
    callbacks,
    calls,
    directory,
    holidays,
    payers,
    report,
    schedule_admin,
    scheduling,
)
from frontdesk.services.accounts import passwords
from frontdesk.services.context import Context
from frontdesk.services.errors import NotAllowed
from frontdesk.services.patients import edit, merge
from frontdesk.services.report import DrillKind, Figure
from frontdesk.services.scheduling import WARNING_CODES
from frontdesk.services.views import AppointmentView
from frontdesk.services.worklists import confirmations
from tests.practice import Practice

MATRIX = """
                          receptionist  scheduler  manager  admin
book a visit              yes           yes        yes      yes
hold a slot               yes           yes        yes      yes
confirm a hold            yes           yes        yes      yes
release a hold            yes           yes        yes      yes
release another's hold    no            yes        yes      yes
keep a hold longer        yes           yes        yes      yes
keep another's hold       no            yes        yes      yes
move a visit              yes           yes        yes      yes
cancel a visit            yes           yes        yes      yes
confirm a visit           yes           yes        yes      yes
add a patient             yes           yes        yes      yes
set a patient's payer     yes           yes        yes      yes
edit a patient            yes           yes        yes      yes
open a patient's record   yes           yes        yes      yes
start a call              yes           yes        yes      yes
save a call               yes           yes        yes      yes
finish a call             yes           yes        yes      yes
record relief             yes           yes        yes      yes
close a callback          yes           yes        yes      yes
read the confirmation list yes          yes        yes      yes
record a confirmation call yes          yes        yes      yes
override a payer rule     no            yes        yes      yes
add working hours         no            yes        yes      yes
remove working hours      no            yes        yes      yes
add a closure             no            yes        yes      yes
remove a closure          no            yes        yes      yes
install holidays          no            yes        yes      yes
read the daily report     no            no         yes      yes
drill into the report     no            no         yes      yes
read the audit log        no            no         yes      yes
map payer texts to plans  no            no         yes      yes
merge two patient records no            no         yes      yes
add a staff account       no            no         no       yes
disable a staff account   no            no         no       yes
reset a password          no            no         no       yes
"""

ROLES = ("receptionist", "scheduler", "manager", "admin")
CHICAGO = ZoneInfo("America/Chicago")
RELIEF = Answers(procedure=Procedure.FACET_DIAGNOSTIC, region=Region.LUMBAR, levels="L4-L5",
                 side=Side.LEFT, percent_relief=85, hours_lasted=3, same_scale=True)


def expected() -> dict[str, dict[str, bool]]:
    lines = [line for line in MATRIX.strip().splitlines()[1:] if line.strip()]
    table: dict[str, dict[str, bool]] = {}
    for line in lines:
        *words, r, s, m, a = line.split()
        table[" ".join(words)] = dict(zip(ROLES, (v == "yes" for v in (r, s, m, a)),
                                          strict=True))
    return table


@dataclass(frozen=True)
class Cell:
    """One role's turn: ``who`` acts; ``n`` (0-3) keeps its targets apart from the others'."""

    ctx: Context
    p: Practice
    who: str
    n: int

    @property
    def admin(self) -> str:
        return self.p.admin

    def at(self, hour: int, *, weeks: int = 0) -> datetime:
        """A working hour on this role's own weekday (Mon 15 March 2027 + n)."""
        day = date(2027, 3, 15) + timedelta(days=self.n, weeks=weeks)
        return datetime.combine(day, time(hour), CHICAGO).astimezone(UTC)

    def booked(self, *, hold: bool = False, patient: int | None = None,
               hour: int = 10, weeks: int = 0, ordered: bool = False) -> AppointmentView:
        return scheduling.book(
            self.ctx, staff=self.admin, patient_id=patient or self.p.patient_id,
            visit_type="facet-diagnostic", provider_id=self.p.able,
            location_id=self.p.location_id, start=self.at(hour, weeks=weeks),
            region="lumbar", levels="L4-L5", side="left", hold=hold,
            # one patient's blocks, on each role's own day: the warnings are read and accepted
            ordered_by_physician=ordered, accept_warnings=WARNING_CODES)

    def book(self, **kwargs: Any) -> AppointmentView:
        args: dict[str, Any] = dict(
            staff=self.who, patient_id=self.p.patient_id, visit_type="facet-diagnostic",
            provider_id=self.p.able, location_id=self.p.location_id, start=self.at(10),
            region="lumbar", levels="L4-L5", side="left", accept_warnings=WARNING_CODES)
        return scheduling.book(self.ctx, **(args | kwargs))


Act = Callable[[], object]


def _book(c: Cell) -> Act:
    return lambda: c.book()


def _hold(c: Cell) -> Act:
    return lambda: c.book(hold=True)


def _confirm_hold(c: Cell) -> Act:
    held = c.booked(hold=True)
    return lambda: scheduling.confirm_hold(c.ctx, staff=c.who, appointment_id=held.id)


def _release_hold(c: Cell) -> Act:
    held = c.book(hold=True)  # one's own hold
    return lambda: scheduling.release_hold(c.ctx, staff=c.who, appointment_id=held.id)


def _release_others_hold(c: Cell) -> Act:
    held = c.booked(hold=True)  # the admin's: the needs-attention list's case
    return lambda: scheduling.release_hold(c.ctx, staff=c.who, appointment_id=held.id)


def _keep_hold(c: Cell) -> Act:
    held = c.book(hold=True)
    return lambda: scheduling.extend_hold(c.ctx, staff=c.who, appointment_id=held.id)


def _keep_others_hold(c: Cell) -> Act:
    held = c.booked(hold=True)
    return lambda: scheduling.extend_hold(c.ctx, staff=c.who, appointment_id=held.id)


def _move(c: Cell) -> Act:
    appt = c.booked()
    return lambda: scheduling.reschedule(c.ctx, staff=c.who, appointment_id=appt.id,
                                         start=c.at(14), accept_warnings=WARNING_CODES)


def _cancel(c: Cell) -> Act:
    appt = c.booked()
    return lambda: scheduling.cancel(c.ctx, staff=c.who, appointment_id=appt.id,
                                     reason="Caller is unwell")


def _confirm(c: Cell) -> Act:
    appt = c.booked()
    return lambda: scheduling.set_status(c.ctx, staff=c.who, appointment_id=appt.id,
                                         status=Status.CONFIRMED)


def _confirmation_list(c: Cell) -> Act:
    c.booked()
    return lambda: confirmations.confirmation_list(c.ctx, by=c.who, day=c.at(10).date())


def _record_confirmation(c: Cell) -> Act:
    appt = c.booked()
    return lambda: confirmations.record(c.ctx, staff=c.who, appointment_id=appt.id,
                                        outcome="left-message")


def _add_patient(c: Cell) -> Act:
    # each role adds the same person: the ones after the first are told it may be a duplicate
    return lambda: directory.add_patient(c.ctx, staff=c.who, name="Quinn Placeholder",
                                         dob=date(1975, 6, 1), phone=f"918-555-01{20 + c.n}",
                                         confirmed_new=True)


def _edit_patient(c: Cell) -> Act:
    return lambda: edit.edit_patient(c.ctx, staff=c.who, patient_id=c.p.other_patient_id,
                                     version=None, email=f"jordan{c.n}@example.com",
                                     alerts=("driver",))


def _merge_patients(c: Cell) -> Act:
    twin = directory.add_patient(c.ctx, staff=c.admin, name="Jordan Sample",
                                 dob=date(1982, 11, 2), phone=f"918-555-01{50 + c.n}",
                                 confirmed_new=True)
    return lambda: merge.merge_patients(c.ctx, staff=c.who, keep_id=c.p.other_patient_id,
                                        other_id=twin.id)


def _set_payer(c: Cell) -> Act:
    return lambda: payers.set_payer(c.ctx, staff=c.who, patient_id=c.p.patient_id,
                                    payer="Aetna", member_id="W123")


def _map_payers(c: Cell) -> Act:
    return lambda: payers.map_payers(c.ctx, staff=c.who)


def _open_record(c: Cell) -> Act:
    appt = c.booked()
    return lambda: directory.record_opened(c.ctx, staff=c.who, appointment_id=appt.id)


def _start_call(c: Cell) -> Act:
    return lambda: calls.start_call(c.ctx, staff=c.who)


def _save_call(c: Cell) -> Act:
    call = calls.start_call(c.ctx, staff=c.admin)
    return lambda: calls.save_draft(c.ctx, staff=c.who, call_id=call.id,
                                    expected_version=call.version, patient_id=c.p.patient_id)


def _finish_call(c: Cell) -> Act:
    call = calls.start_call(c.ctx, staff=c.admin)
    return lambda: calls.finish_call(c.ctx, staff=c.who, call_id=call.id,
                                     expected_version=call.version, outcome=CallOutcome.INFORMATION)


def _record_relief(c: Cell) -> Act:
    return lambda: callbacks.record_relief(c.ctx, staff=c.who, patient_id=c.p.patient_id,
                                           answers=RELIEF)


def _close_callback(c: Cell) -> Act:
    appt = c.booked()  # a diagnostic block: its relief-report callback comes with it
    with Session(c.ctx.engine) as session:
        task = session.exec(select(CallbackTask).where(
            CallbackTask.appointment_id == appt.id)).one()
    return lambda: callbacks.set_callback(c.ctx, staff=c.who, callback_id=task.id or 0,
                                          status="done", note="Reached the patient")


def _override(c: Cell) -> Act:
    riley = directory.add_patient(c.ctx, staff=c.admin, name="Riley Specimen",
                                  dob=date(1948, 4, 9), phone=f"918-555-01{40 + c.n}",
                                  payer="Medicare", confirmed_new=True)
    # a new patient's blocks, ordered by the physician; a second block with no relief on
    # record breaks a rule
    c.booked(patient=riley.id, hour=9, ordered=True)
    return lambda: c.book(patient_id=riley.id, start=c.at(9, weeks=1),
                          override_reason="Dr. Able reviewed the first block",
                          ordered_by_physician=True)


def _add_hours(c: Cell) -> Act:
    return lambda: schedule_admin.save_template(
        c.ctx, staff=c.who, provider_id=c.p.cole, template_id=None, weekdays=[c.n],
        start_time=time(8), end_time=time(12), location_id=c.p.location_id,
        valid_from=date(2027, 4, 1))


def _remove_hours(c: Cell) -> Act:
    saved = schedule_admin.save_template(
        c.ctx, staff=c.admin, provider_id=c.p.cole, template_id=None, weekdays=[c.n],
        start_time=time(8), end_time=time(12), location_id=c.p.location_id,
        valid_from=date(2027, 4, 1))
    assert saved.row is not None
    row = saved.row
    return lambda: schedule_admin.remove_template(c.ctx, staff=c.who, template_id=row.id)


def _closure(c: Cell, who: str) -> Any:
    return schedule_admin.add_closure(c.ctx, staff=who, kind="time_off", start=c.at(8),
                                      end=c.at(17), reason="Vacation", provider_id=c.p.cole)


def _add_closure(c: Cell) -> Act:
    return lambda: _closure(c, c.who)


def _remove_closure(c: Cell) -> Act:
    saved = _closure(c, c.admin)
    return lambda: schedule_admin.remove_closure(c.ctx, staff=c.who, closure_id=saved.row.id)


def _install_holidays(c: Cell) -> Act:
    return lambda: holidays.add_practice_holidays(c.ctx, staff=c.who, years=[2030 + c.n])


def _daily_report(c: Cell) -> Act:
    return lambda: report.daily_report(c.ctx, by=c.who, day=date(2027, 3, 10))


def _drill(c: Cell) -> Act:
    appt = c.booked()
    figure = Figure(DrillKind.APPOINTMENTS, (appt.id,), "Bookings made")
    return lambda: report.drill(c.ctx, figure, by=c.who)


def _audit_log(c: Cell) -> Act:
    return lambda: audit.audit_events(c.ctx, by=c.who)


def _new_account(c: Cell, who: str, username: str) -> Any:
    return accounts.add_staff(c.ctx, by=who, username=username, name="Nat Newcomer",
                              role="receptionist", password="long enough pw")


def _add_staff(c: Cell) -> Act:
    return lambda: _new_account(c, c.who, f"new{c.n}")


def _disable_staff(c: Cell) -> Act:
    _new_account(c, c.admin, f"old{c.n}")
    return lambda: accounts.disable_staff(c.ctx, by=c.who, username=f"old{c.n}")


def _reset_password(c: Cell) -> Act:
    _new_account(c, c.admin, f"forgot{c.n}")
    return lambda: accounts.reset_password(c.ctx, by=c.who, username=f"forgot{c.n}",
                                           password="a fresh long one")


ACTIONS: dict[str, Callable[[Cell], Act]] = {
    "book a visit": _book,
    "hold a slot": _hold,
    "confirm a hold": _confirm_hold,
    "release a hold": _release_hold,
    "release another's hold": _release_others_hold,
    "keep a hold longer": _keep_hold,
    "keep another's hold": _keep_others_hold,
    "move a visit": _move,
    "cancel a visit": _cancel,
    "confirm a visit": _confirm,
    "add a patient": _add_patient,
    "set a patient's payer": _set_payer,
    "edit a patient": _edit_patient,
    "open a patient's record": _open_record,
    "start a call": _start_call,
    "save a call": _save_call,
    "finish a call": _finish_call,
    "record relief": _record_relief,
    "close a callback": _close_callback,
    "read the confirmation list": _confirmation_list,
    "record a confirmation call": _record_confirmation,
    "override a payer rule": _override,
    "add working hours": _add_hours,
    "remove working hours": _remove_hours,
    "add a closure": _add_closure,
    "remove a closure": _remove_closure,
    "install holidays": _install_holidays,
    "read the daily report": _daily_report,
    "drill into the report": _drill,
    "read the audit log": _audit_log,
    "map payer texts to plans": _map_payers,
    "merge two patient records": _merge_patients,
    "add a staff account": _add_staff,
    "disable a staff account": _disable_staff,
    "reset a password": _reset_password,
}

TABLES = ("appointment", "audit_event", "patient", "call", "relief_report", "callback_task",
          "template", "closure", "staff")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "PASSWORD_HASHER",
                         PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def snapshot(ctx: Context) -> dict[str, Any]:
    """Row counts, every appointment's state and every account's: any write changes it."""
    with Session(ctx.engine) as session:
        found: dict[str, Any] = {
            t: session.exec(text(f"SELECT count(*) FROM {t}")).one()[0]  # type: ignore[call-overload]
            for t in TABLES}
        found["appointments"] = [tuple(r) for r in session.exec(
            select(Appointment.id, Appointment.status, Appointment.version,
                   Appointment.starts_at).order_by(col(Appointment.id)))]
        found["callbacks"] = session.exec(
            select(func.count()).select_from(CallbackTask)
            .where(CallbackTask.status == "open")).one()
        found["accounts"] = [tuple(r) for r in session.exec(text(
            "SELECT username, active, password_hash FROM staff ORDER BY id"))]  # type: ignore[call-overload]
    return found


def username(p: Practice, role: str) -> str:
    return {"receptionist": p.staff, "scheduler": p.scheduler, "manager": p.manager,
            "admin": p.admin}[role]


def needs(allowed: dict[str, bool]) -> str:
    """What the refusal says, from the table: "needs a manager or admin"."""
    names = [r for r in ROLES if allowed[r]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"needs {'an' if listed[0] in 'aeiou' else 'a'} {listed}"


def test_the_table_names_every_action_once() -> None:
    assert list(expected()) == list(ACTIONS)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_matrix(ctx: Context, practice: Practice, action: str) -> None:
    row = expected()[action]
    for n, role in enumerate(ROLES):
        cell = Cell(ctx, practice, username(practice, role), n)
        act = ACTIONS[action](cell)
        before = snapshot(ctx)
        if row[role]:
            act()
        else:
            with pytest.raises(NotAllowed) as refused:
                act()
            assert needs(row) in str(refused.value), (action, role)
            assert snapshot(ctx) == before, (action, role)
