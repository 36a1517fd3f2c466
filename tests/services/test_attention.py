"""The needs-attention list on SQLite and PostgreSQL: visits inside closures or time off,
visits outside their provider's hours, holds about to lapse, callbacks overdue — and what is
fine stays off it. The calendar's marks name the same visits.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa; Dr. Able and Pat Baker work Mon-Fri
08:00-12:00 and 13:00-17:00 at Test Clinic.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.models import Appointment, AuditEvent, CallbackTask
from frontdesk.domain.model import Status
from frontdesk.services import attention, scheduling
from frontdesk.services import schedule_admin as admin
from frontdesk.services.attention import Action, Kind, needs_attention, visit_marks
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Tulsa wall-clock time in March 2027 as UTC (DST starts on the 14th)."""
    return datetime(2027, 3, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


def book(ctx: Context, p: Practice, start: datetime, *, provider: int | None = None,
         patient: int | None = None, hold: bool = False) -> AppointmentView:
    return scheduling.book(ctx, staff=p.scheduler, patient_id=patient or p.patient_id,
                           visit_type="follow-up", provider_id=provider or p.able,
                           location_id=p.location_id, start=start, hold=hold,
                           accept_warnings=scheduling.WARNING_CODES)


def listed(ctx: Context, p: Practice, **kw: object) -> dict[int, attention.Item]:
    items = needs_attention(ctx, by=p.scheduler, **kw)  # type: ignore[arg-type]
    return {i.appointment.id: i for i in items if i.appointment is not None}


def test_a_visit_inside_time_off_saved_anyway_is_listed_with_its_move(
    ctx: Context, practice: Practice
) -> None:
    kept = book(ctx, practice, local(11, 10))
    fine = book(ctx, practice, local(12, 10))
    admin.add_closure(ctx, staff=practice.scheduler, kind="time_off", start=local(11, 0),
                      end=local(12, 0), reason="Vacation", provider_id=practice.able,
                      confirm_stranded=True)

    found = listed(ctx, practice)

    assert list(found) == [kept.id]  # Friday's visit is fine: not listed
    item = found[kept.id]
    assert item.kind is Kind.CLOSED
    assert item.action is Action.MOVE
    assert item.why == "inside Dr. Avery Able's time off (Vacation)"
    assert item.headline == "Time off: Vacation"
    assert item.at == kept.start
    assert "move the visit" in item.action_text
    assert fine.id not in found


def test_holidays_and_location_closures_name_themselves(ctx: Context,
                                                       practice: Practice) -> None:
    on_holiday = book(ctx, practice, local(11, 10))
    at_closed_clinic = book(ctx, practice, local(12, 14), provider=practice.baker)
    admin.add_closure(ctx, staff=practice.scheduler, kind="holiday", start=local(11, 0),
                      end=local(12, 0), reason="Founders Day", confirm_stranded=True)
    admin.add_closure(ctx, staff=practice.scheduler, kind="location", start=local(12, 13),
                      end=local(12, 17), reason="Water leak", location_id=practice.location_id,
                      confirm_stranded=True)

    found = listed(ctx, practice)

    assert found[on_holiday.id].why == "inside a holiday (Founders Day)"
    assert found[at_closed_clinic.id].why == "inside a location closure (Water leak)"
    assert {i.kind for i in found.values()} == {Kind.CLOSED}


def test_a_visit_left_outside_new_hours_is_listed_but_not_cancelled_ones(
    ctx: Context, practice: Practice
) -> None:
    late = book(ctx, practice, local(11, 11))
    cancelled = book(ctx, practice, local(11, 11, 30), provider=practice.baker,
                     patient=practice.other_patient_id)
    scheduling.cancel(ctx, staff=practice.scheduler, appointment_id=cancelled.id,
                      reason="Patient asked")
    morning = next(r for r in admin.provider_week(ctx, practice.able) if r.start_time == time(8))
    admin.save_template(ctx, staff=practice.scheduler, provider_id=practice.able,
                        template_id=morning.id, weekdays=[0, 1, 2, 3, 4], start_time=time(8),
                        end_time=time(10), location_id=practice.location_id,
                        valid_from=morning.valid_from, confirm_stranded=True)

    found = listed(ctx, practice)

    assert list(found) == [late.id]
    assert found[late.id].kind is Kind.OFF_HOURS
    assert found[late.id].why == "outside Dr. Avery Able's working hours"
    assert found[late.id].headline == "Outside the provider's hours"


def test_only_visits_ahead_within_the_horizon_and_at_the_location_asked(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    started = book(ctx, practice, local(10, 10))
    ahead = book(ctx, practice, local(12, 10))
    admin.add_closure(ctx, staff=practice.scheduler, kind="time_off", start=local(10, 0),
                      end=local(13, 0), reason="Sick", provider_id=practice.able,
                      confirm_stranded=True)
    clock.advance(hours=1, minutes=30)  # 10:30: the 10:00 visit has begun

    assert list(listed(ctx, practice)) == [ahead.id]
    assert listed(ctx, practice, horizon_days=1) == {}
    assert list(listed(ctx, practice, location_id=practice.location_id)) == [ahead.id]
    assert listed(ctx, practice, location_id=practice.location_id + 99) == {}
    assert started.id not in listed(ctx, practice)


def test_a_hold_about_to_lapse_is_listed_first_and_a_fresh_one_is_not(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    hold = book(ctx, practice, local(11, 10), hold=True)
    assert listed(ctx, practice) == {}  # just made: minutes to go
    assert hold.hold_expires_at is not None
    clock.now = hold.hold_expires_at - timedelta(minutes=1)

    items = needs_attention(ctx, by=practice.scheduler)

    assert [(i.kind, i.action) for i in items] == [(Kind.HOLD, Action.HOLD)]
    assert items[0].why == "hold lapses in 1 min, held by sched"
    assert items[0].headline == "Hold lapses in 1 min"
    clock.now = hold.hold_expires_at + timedelta(minutes=1)
    assert needs_attention(ctx, by=practice.scheduler) == []  # lapsed: nothing to do


def test_a_hold_kept_longer_is_off_the_list_and_audited_and_a_lapsed_one_is_not_kept(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    hold = book(ctx, practice, local(11, 10), hold=True)
    assert hold.hold_expires_at is not None
    clock.now = hold.hold_expires_at - timedelta(minutes=1)

    kept = scheduling.extend_hold(ctx, staff=practice.scheduler, appointment_id=hold.id)

    assert kept.hold_expires_at == clock.now + timedelta(minutes=5)  # another hold time
    assert kept.status is Status.HELD
    assert needs_attention(ctx, by=practice.scheduler) == []
    with Session(ctx.engine) as session:
        event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert (event.action, event.entity_id) == ("appointment.extend_hold", hold.id)
    assert event.after is not None
    assert event.after["hold_expires_at"] == kept.hold_expires_at.isoformat()
    clock.now = kept.hold_expires_at + timedelta(seconds=1)
    with pytest.raises(InvalidInput, match="lapsed"):
        scheduling.extend_hold(ctx, staff=practice.scheduler, appointment_id=hold.id)
    booked = book(ctx, practice, local(12, 10))
    with pytest.raises(InvalidInput, match="not a hold"):
        scheduling.extend_hold(ctx, staff=practice.scheduler, appointment_id=booked.id)


def test_a_hold_is_kept_three_hold_times_at_most(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    """However often "keep" is pressed, a 5-minute hold lasts 15 minutes from when it was made
    at most: the time is the practice's, and other callers may want it."""
    hold = book(ctx, practice, local(11, 10), hold=True)
    made = clock.now
    for minutes in (4, 8):
        clock.now = made + timedelta(minutes=minutes)
        kept = scheduling.extend_hold(ctx, staff=practice.scheduler, appointment_id=hold.id)
    assert kept.hold_expires_at == made + timedelta(minutes=13)
    clock.now = made + timedelta(minutes=12)
    kept = scheduling.extend_hold(ctx, staff=practice.scheduler, appointment_id=hold.id)
    assert kept.hold_expires_at == made + timedelta(minutes=15)  # capped, not 17
    clock.now = made + timedelta(minutes=14)
    with pytest.raises(InvalidInput, match=r"kept as long as a hold may be \(15 min\)"):
        scheduling.extend_hold(ctx, staff=practice.scheduler, appointment_id=hold.id)


def test_another_persons_hold_is_kept_or_released_only_by_a_scheduler(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    theirs = book(ctx, practice, local(11, 10), hold=True)  # the scheduler's caller
    for change in (scheduling.extend_hold, scheduling.release_hold):
        with pytest.raises(NotAllowed, match="changing another person's hold needs a "
                                             "scheduler"):
            change(ctx, staff=practice.staff, appointment_id=theirs.id)
    assert scheduling.release_hold(ctx, staff=practice.manager,
                                   appointment_id=theirs.id).status is Status.EXPIRED


def test_a_hold_inside_time_off_saved_since_is_not_booked(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    """The scheduler saves time off over a caller's hold ("saves anyway"); the receptionist's
    Enter then is refused with why, while the caller is still there to be offered another."""
    hold = book(ctx, practice, local(11, 10), hold=True)
    admin.add_closure(ctx, staff=practice.scheduler, kind="time_off", start=local(11, 0),
                      end=local(12, 0), reason="Conference", provider_id=practice.able,
                      confirm_stranded=True)
    with pytest.raises(InvalidInput, match=r"that time is now inside .* time off "
                                           r"\(Conference\); offer another time"):
        scheduling.confirm_hold(ctx, staff=practice.staff, appointment_id=hold.id,
                                accept_warnings=scheduling.WARNING_CODES)
    assert scheduling.get_appointment(ctx, hold.id).status is Status.HELD


def test_an_overdue_callback_is_listed_with_its_call_back(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    block = scheduling.book(ctx, staff=practice.staff, patient_id=practice.patient_id,
                            visit_type="facet-diagnostic", provider_id=practice.able,
                            location_id=practice.location_id, start=local(11, 10),
                            region="lumbar", levels="L4-L5", side="left")
    clock.now = block.start + timedelta(hours=12)  # done; the callback is due after 24 h
    assert [i for i in needs_attention(ctx, by=practice.scheduler)
            if i.kind is Kind.CALLBACK] == []
    clock.now = block.start + timedelta(hours=27)

    items = needs_attention(ctx, by=practice.scheduler)

    [item] = [i for i in items if i.kind is Kind.CALLBACK]
    assert item.action is Action.CALL_BACK
    assert item.callback is not None
    assert item.callback.appointment_id == block.id
    assert item.why == "relief report callback overdue by 3 h"
    assert item.headline == "Callback overdue by 3 h"
    assert needs_attention(ctx, by=practice.scheduler,
                           location_id=practice.location_id + 99) == []


def test_the_location_is_chosen_before_the_callbacks_are_cut_short(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    """A location's list asks the database for its own callbacks (and call backs, which follow
    no visit) before the limit: another place's older ones cannot crowd them out."""
    from frontdesk.services.callbacks import callbacks_due

    block = scheduling.book(ctx, staff=practice.staff, patient_id=practice.patient_id,
                            visit_type="facet-diagnostic", provider_id=practice.able,
                            location_id=practice.location_id, start=local(11, 10),
                            region="lumbar", levels="L4-L5", side="left")
    clock.now = block.start + timedelta(hours=30)  # the relief callback: 6 h overdue
    with Session(ctx.engine) as session:
        session.add(CallbackTask(patient_id=practice.other_patient_id, kind="call-back",
                                 due_at=clock.now - timedelta(hours=1), created_at=clock.now,
                                 note="wants a call about parking"))
        session.commit()
    elsewhere = practice.location_id + 99
    [only] = callbacks_due(ctx, within_hours=0, limit=1, location_id=elsewhere)
    assert only.kind == "call-back"
    assert [i.callback.kind for i in needs_attention(ctx, by=practice.scheduler,
                                                     location_id=elsewhere)
            if i.callback is not None] == ["call-back"]
    assert [c.appointment_id for c in callbacks_due(ctx, within_hours=0, limit=1)] == [block.id]


def test_only_schedulers_and_above_see_the_list(ctx: Context, practice: Practice) -> None:
    with pytest.raises(NotAllowed, match="^the needs-attention list needs a scheduler"):
        needs_attention(ctx, by=practice.staff)
    assert needs_attention(ctx, by=practice.manager) == []


def test_the_calendar_marks_the_same_visits_in_a_word(ctx: Context,
                                                     practice: Practice) -> None:
    off = book(ctx, practice, local(11, 10))
    fine = book(ctx, practice, local(11, 10), provider=practice.baker,
                patient=practice.other_patient_id)
    admin.add_closure(ctx, staff=practice.scheduler, kind="time_off", start=local(11, 0),
                      end=local(12, 0), reason="Vacation", provider_id=practice.able,
                      confirm_stranded=True)
    day = scheduling.appointments_on(ctx, day=local(11, 10).astimezone(CHICAGO).date())

    assert visit_marks(ctx, day) == {off.id: "time off"}
    assert fine.id not in visit_marks(ctx, day)
    assert visit_marks(ctx, []) == {}


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_release_and_a_booking_of_the_same_hold_at_once_agree(
    ctx: Context, practice: Practice, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler releases a hold from the list at the moment its receptionist books it:
    one of the two wins and the other is told so; never "booked" over a released row."""
    hold = scheduling.book(ctx, staff=practice.staff, patient_id=practice.patient_id,
                           visit_type="follow-up", provider_id=practice.able,
                           location_id=practice.location_id, start=local(11, 10), hold=True,
                           accept_warnings=scheduling.WARNING_CODES)
    clock.advance(minutes=4)
    reached, go = threading.Event(), threading.Event()
    real = q.add_audit

    def paused(session: Session, **kw: Any) -> Any:  # the release, between read and write
        if kw.get("action") == "appointment.release_hold":
            reached.set()
            assert go.wait(20)
        return real(session, **kw)

    monkeypatch.setattr(q, "add_audit", paused)
    said: dict[str, object] = {}

    def run(name: str, change: Callable[[], AppointmentView]) -> threading.Thread:
        def work() -> None:
            try:
                said[name] = change().status
            except InvalidInput as refused:
                said[name] = refused.message
        thread = threading.Thread(target=work)
        thread.start()
        return thread

    release = run("release", lambda: scheduling.release_hold(
        ctx, staff=practice.scheduler, appointment_id=hold.id))
    assert reached.wait(20)
    booking = run("book", lambda: scheduling.confirm_hold(
        ctx, staff=practice.staff, appointment_id=hold.id,
        accept_warnings=scheduling.WARNING_CODES))
    booking.join(0.5)
    assert booking.is_alive()  # the booking waits for the release's lock
    go.set()
    release.join(30)
    booking.join(30)
    assert said == {"release": Status.EXPIRED, "book": "is not a hold"}
    with Session(ctx.engine) as session:
        row = session.get(Appointment, hold.id)
        assert row is not None
        assert row.status == Status.EXPIRED.value
