"""Template and closure editing on SQLite and PostgreSQL: each write one transaction with its
audit event; a change that would strand booked visits is refused unless confirmed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from frontdesk.db import queries
from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, Closure, Provider, Template
from frontdesk.domain.model import Status
from frontdesk.services import schedule_admin as admin
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import Practice

# The frozen clock is Wed 2027-03-10 09:00 Chicago (15:00 UTC).
THU_TEN = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)  # Thu 10:00 local (CST)
THU = (datetime(2027, 3, 11, 6, 0, tzinfo=UTC), datetime(2027, 3, 12, 6, 0, tzinfo=UTC))
WEEKDAYS = [0, 1, 2, 3, 4]


def count(ctx: Context, model: type) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def audit(ctx: Context) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def templates(ctx: Context, provider_id: int) -> list[tuple[str, time, time]]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(Template).where(Template.provider_id == provider_id)
                            .order_by(Template.id)).all()
        return [(t.rrule, t.start_time, t.end_time) for t in rows]


def morning_row(ctx: Context, provider_id: int) -> admin.TemplateRow:
    return next(r for r in admin.provider_week(ctx, provider_id) if r.start_time == time(8))


def book_thursday(ctx: Context, p: Practice, *, provider: int | None = None,
                  hold: bool = False) -> AppointmentView:
    """Thursday 10:00: Testcase with Dr. Able, Sample with anyone else (one patient cannot be
    in two visits at once); a test booking the same again has read the warnings."""
    patient = p.patient_id if (provider or p.able) == p.able else p.other_patient_id
    return scheduling.book(ctx, staff=p.scheduler, patient_id=patient, visit_type="follow-up",
                           provider_id=provider or p.able, location_id=p.location_id,
                           start=THU_TEN, hold=hold, accept_warnings=scheduling.WARNING_CODES)


def edit_morning(ctx: Context, p: Practice, *, end: time, confirm: bool = False
                 ) -> admin.Saved[admin.TemplateRow]:
    row = morning_row(ctx, p.able)
    return admin.save_template(ctx, staff=p.scheduler, provider_id=p.able, template_id=row.id,
                               weekdays=WEEKDAYS, start_time=time(8), end_time=end,
                               location_id=p.location_id, valid_from=row.valid_from,
                               confirm_stranded=confirm)


# --------------------------------------------------------------------------- reading


def test_a_providers_week_reads_as_weekdays_hours_and_place(
    ctx: Context, practice: Practice
) -> None:
    rows = admin.provider_week(ctx, practice.able)
    assert [(r.days_text, r.hours_text, r.location_name) for r in rows] == [
        ("Mon Tue Wed Thu Fri", "08:00–12:00", "Test Clinic"),
        ("Mon Tue Wed Thu Fri", "13:00–17:00", "Test Clinic"),
    ]
    assert rows[0].weekdays == (0, 1, 2, 3, 4)
    assert rows[0].valid_from == date(2026, 1, 1)
    assert rows[0].valid_until is None
    assert admin.provider_week(ctx, practice.cole) == []


def test_an_unknown_provider_has_no_week(ctx: Context, practice: Practice) -> None:
    with pytest.raises(InvalidInput) as err:
        admin.provider_week(ctx, 9999)
    assert err.value.field == "provider"


@pytest.mark.parametrize(
    ("rule", "days", "plain"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", (0, 2, 4), True),
        ("RRULE:FREQ=WEEKLY;BYDAY=SU,SA", (5, 6), True),
        ("FREQ=WEEKLY", (4,), True),  # no BYDAY: the weekday it starts on (a Friday)
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", (1,), False),
    ],
)
def test_weekly_rules_read_as_weekdays(rule: str, days: tuple[int, ...], plain: bool) -> None:
    assert admin.rule_weekdays(rule, date(2027, 1, 1)) == days
    assert admin.is_plain_rule(rule) is plain


def test_new_rules_are_written_the_way_the_practice_writes_them() -> None:
    assert admin.weekly_rule([4, 0, 2, 0]) == "FREQ=WEEKLY;BYDAY=MO,WE,FR"
    assert admin.weekdays_text([4, 0, 2]) == "Mon Wed Fri"


# --------------------------------------------------------------------------- templates


def test_adding_a_template_writes_the_row_and_its_audit_event(
    ctx: Context, practice: Practice
) -> None:
    saved = admin.save_template(ctx, staff="sched", provider_id=practice.cole, template_id=None,
                                weekdays=[2, 4], start_time=time(9), end_time=time(15),
                                location_id=practice.location_id, valid_from=date(2027, 3, 10))
    assert saved.stranded == ()
    assert (saved.row.days_text, saved.row.hours_text) == ("Wed Fri", "09:00–15:00")
    assert templates(ctx, practice.cole) == [("FREQ=WEEKLY;BYDAY=WE,FR", time(9), time(15))]
    [event] = audit(ctx)
    assert (event.action, event.entity, event.entity_id) == ("template.add", "template",
                                                             saved.row.id)
    assert event.after is not None
    assert event.after["rrule"] == "FREQ=WEEKLY;BYDAY=WE,FR"
    slots = scheduling.find_slots(ctx, visit_type="massage", limit=1)
    assert slots[0].provider_id == practice.cole  # bookable at once
    assert slots[0].local_start.hour == 10  # today, after the hour's minimum notice


def test_editing_hours_without_bookings_in_the_way_saves_at_once(
    ctx: Context, practice: Practice
) -> None:
    book_thursday(ctx, practice)  # 10:00-10:20, still inside 08:00-11:00
    saved = edit_morning(ctx, practice, end=time(11))
    assert saved.stranded == ()
    assert (saved.row.hours_text, saved.row.id) == ("08:00–11:00",
                                                    morning_row(ctx, practice.able).id)
    event = audit(ctx)[-1]
    assert event.action == "template.edit"
    assert event.before is not None
    assert event.before["end_time"] == "12:00:00"
    assert event.after is not None
    assert event.after["end_time"] == "11:00:00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"end_time": time(9)}, "end_time"),
        ({"end_time": time(8)}, "end_time"),
        ({"location_id": 9999}, "location"),
        ({"provider_id": 9999}, "provider"),
        ({"valid_until": date(2025, 1, 1)}, "valid_until"),
        ({"staff": "nobody"}, "as"),
        ({"template_id": 9999}, "template"),
    ],
)
def test_bad_template_input_names_the_field_and_writes_nothing(
    ctx: Context, practice: Practice, changes: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = dict(staff="sched", provider_id=practice.cole, template_id=None,
                                weekdays=[0], start_time=time(9), end_time=time(12),
                                location_id=practice.location_id, valid_from=date(2027, 1, 1))
    args.update(changes)
    with pytest.raises(InvalidInput) as err:
        admin.save_template(ctx, **args)
    assert err.value.field == field
    assert count(ctx, Template) == 4
    assert count(ctx, AuditEvent) == 0


def test_an_inactive_provider_gets_no_new_hours(ctx: Context, practice: Practice) -> None:
    def retire(session: Session) -> None:
        provider = session.get(Provider, practice.cole)
        assert provider is not None
        provider.active = False

    run_write(ctx.engine, retire)
    with pytest.raises(InvalidInput, match="not active") as err:
        admin.save_template(ctx, staff="sched", provider_id=practice.cole, template_id=None,
                            weekdays=[0], start_time=time(9), end_time=time(12),
                            location_id=practice.location_id, valid_from=date(2027, 1, 1))
    assert err.value.field == "provider"


def test_a_provider_cannot_have_two_rows_on_the_same_weekday_and_hours(
    ctx: Context, practice: Practice
) -> None:
    with pytest.raises(InvalidInput, match="overlaps the Wed 08:00–12:00 hours at Test Clinic"):
        admin.save_template(ctx, staff="sched", provider_id=practice.able, template_id=None,
                            weekdays=[2, 5], start_time=time(11), end_time=time(12, 30),
                            location_id=practice.location_id, valid_from=date(2027, 1, 1))
    # Saturday mornings do not clash; nor do hours after a row's last day
    admin.save_template(ctx, staff="sched", provider_id=practice.able, template_id=None,
                        weekdays=[5], start_time=time(8), end_time=time(12),
                        location_id=practice.location_id, valid_from=date(2027, 1, 1))
    assert count(ctx, Template) == 5


def test_an_edit_that_strands_a_booked_visit_lists_it_and_writes_nothing(
    ctx: Context, practice: Practice
) -> None:
    appt = book_thursday(ctx, practice)
    events = count(ctx, AuditEvent)
    with pytest.raises(admin.WouldStrand) as err:
        edit_morning(ctx, practice, end=time(10))
    assert [a.id for a in err.value.appointments] == [appt.id]
    assert err.value.appointments[0].patient_short == "Testcase, C."
    assert "Testcase" not in str(err.value)  # no patient details in the message
    assert morning_row(ctx, practice.able).end_time == time(12)
    assert count(ctx, AuditEvent) == events


def test_a_confirmed_edit_saves_and_leaves_the_visit_booked(
    ctx: Context, practice: Practice
) -> None:
    appt = book_thursday(ctx, practice)
    saved = edit_morning(ctx, practice, end=time(10), confirm=True)
    assert [a.id for a in saved.stranded] == [appt.id]
    assert morning_row(ctx, practice.able).end_time == time(10)
    assert scheduling.get_appointment(ctx, appt.id).status is Status.BOOKED
    event = audit(ctx)[-1]
    assert event.action == "template.edit"
    assert event.after is not None
    assert event.after["stranded_appointment_ids"] == [appt.id]


def test_other_providers_visits_cancelled_visits_and_lapsed_holds_are_not_stranded(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    other = book_thursday(ctx, practice, provider=practice.baker)
    cancelled = book_thursday(ctx, practice)
    scheduling.cancel(ctx, staff="sched", appointment_id=cancelled.id, reason="feeling better")
    book_thursday(ctx, practice, hold=True)
    clock.advance(minutes=10)  # the hold lapses
    saved = edit_morning(ctx, practice, end=time(10))
    assert saved.stranded == ()
    assert scheduling.get_appointment(ctx, other.id).status is Status.BOOKED


def test_a_live_hold_counts_as_booked(ctx: Context, practice: Practice) -> None:
    hold = book_thursday(ctx, practice, hold=True)
    with pytest.raises(admin.WouldStrand) as err:
        edit_morning(ctx, practice, end=time(10))
    assert [a.id for a in err.value.appointments] == [hold.id]


def test_visits_that_already_happened_are_not_stranded(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    book_thursday(ctx, practice)
    clock.advance(days=1, hours=2)  # Thursday 11:00: the visit is over
    assert edit_morning(ctx, practice, end=time(9)).stranded == ()


def test_removing_a_template_that_strands_needs_confirming(
    ctx: Context, practice: Practice
) -> None:
    appt = book_thursday(ctx, practice)
    row = morning_row(ctx, practice.able)
    with pytest.raises(admin.WouldStrand):
        admin.remove_template(ctx, staff="sched", template_id=row.id)
    assert count(ctx, Template) == 4
    saved = admin.remove_template(ctx, staff="sched", template_id=row.id, confirm_stranded=True)
    assert [a.id for a in saved.stranded] == [appt.id]
    assert count(ctx, Template) == 3
    event = audit(ctx)[-1]
    assert (event.action, event.entity_id) == ("template.remove", row.id)
    assert event.before is not None
    assert event.before["start_time"] == "08:00:00"


def test_the_audit_event_shares_the_templates_transaction(
    ctx: Context, practice: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(queries, "add_audit", broken)
    with pytest.raises(RuntimeError):
        admin.save_template(ctx, staff="sched", provider_id=practice.cole, template_id=None,
                            weekdays=[0], start_time=time(9), end_time=time(12),
                            location_id=practice.location_id, valid_from=date(2027, 1, 1))
    with pytest.raises(RuntimeError):
        admin.add_closure(ctx, staff="sched", kind="holiday", start=THU[0], end=THU[1],
                          reason="Staff day")
    assert count(ctx, Template) == 4
    assert count(ctx, Closure) == 0


# --------------------------------------------------------------------------- closures


def test_time_off_over_a_booked_visit_is_refused_until_confirmed(
    ctx: Context, practice: Practice
) -> None:
    appt = book_thursday(ctx, practice)
    with pytest.raises(admin.WouldStrand) as err:
        admin.add_closure(ctx, staff="sched", kind="time_off", start=THU[0], end=THU[1],
                          reason="Conference", provider_id=practice.able)
    assert [a.id for a in err.value.appointments] == [appt.id]
    assert count(ctx, Closure) == 0
    saved = admin.add_closure(ctx, staff="sched", kind="time_off", start=THU[0], end=THU[1],
                              reason="Conference", provider_id=practice.able,
                              confirm_stranded=True)
    assert [a.id for a in saved.stranded] == [appt.id]
    assert (saved.row.kind, saved.row.scope, saved.row.reason) == (
        "time_off", "Dr. Avery Able", "Conference")
    assert saved.row.start == THU[0]
    assert saved.row.start.tzinfo is not None
    event = audit(ctx)[-1]
    assert (event.action, event.entity, event.entity_id) == ("closure.add", "closure",
                                                             saved.row.id)
    assert scheduling.get_appointment(ctx, appt.id).status is Status.BOOKED


def test_time_off_strands_only_that_providers_visits(ctx: Context, practice: Practice) -> None:
    book_thursday(ctx, practice)
    saved = admin.add_closure(ctx, staff="sched", kind="time_off", start=THU[0], end=THU[1],
                              reason="Vacation", provider_id=practice.baker)
    assert saved.stranded == ()
    assert count(ctx, Closure) == 1


def test_a_practice_holiday_strands_everyones_visits(ctx: Context, practice: Practice) -> None:
    ids = {book_thursday(ctx, practice).id,
           book_thursday(ctx, practice, provider=practice.baker).id}
    with pytest.raises(admin.WouldStrand) as err:
        admin.add_closure(ctx, staff="sched", kind="holiday", start=THU[0], end=THU[1],
                          reason="Ice storm")
    assert {a.id for a in err.value.appointments} == ids
    assert str(err.value) == ("2 booked visits would fall outside working hours; "
                              "confirm to save anyway")


def test_a_location_closure_in_the_afternoon_leaves_morning_visits_alone(
    ctx: Context, practice: Practice
) -> None:
    book_thursday(ctx, practice)
    saved = admin.add_closure(ctx, staff="sched", kind="location",
                              start=THU_TEN + timedelta(hours=3), end=THU[1],
                              reason="Floor cleaning", location_id=practice.location_id)
    assert saved.stranded == ()
    assert saved.row.scope == "Test Clinic"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 121}, "reason"),
        ({"kind": "party"}, "kind"),
        ({"end": THU[0]}, "end"),
        ({"end": THU[0] - timedelta(hours=1)}, "end"),
        ({"start": THU[0].replace(tzinfo=None)}, "start"),
        ({"kind": "holiday", "provider_id": 1}, "kind"),
        ({"provider_id": None}, "provider"),
        ({"provider_id": 9999}, "provider"),
        ({"location_id": 9999}, "location"),
        ({"kind": "location", "provider_id": None}, "location"),
        ({"staff": "nobody"}, "as"),
    ],
)
def test_bad_closure_input_names_the_field_and_writes_nothing(
    ctx: Context, practice: Practice, changes: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = dict(staff="sched", kind="time_off", start=THU[0], end=THU[1],
                                reason="Vacation", provider_id=practice.able)
    args.update(changes)
    with pytest.raises(InvalidInput) as err:
        admin.add_closure(ctx, **args)
    assert err.value.field == field
    assert count(ctx, Closure) == 0
    assert count(ctx, AuditEvent) == 0


def test_removing_a_closure_deletes_it_with_an_audit_event(
    ctx: Context, practice: Practice
) -> None:
    saved = admin.add_closure(ctx, staff="sched", kind="holiday", start=THU[0], end=THU[1],
                              reason="Staff day")
    gone = admin.remove_closure(ctx, staff="sched", closure_id=saved.row.id)
    assert gone == saved.row
    assert count(ctx, Closure) == 0
    event = audit(ctx)[-1]
    assert (event.action, event.entity_id) == ("closure.remove", saved.row.id)
    assert event.before is not None
    assert event.before["reason"] == "Staff day"
    with pytest.raises(InvalidInput) as err:
        admin.remove_closure(ctx, staff="sched", closure_id=saved.row.id)
    assert err.value.field == "closure"


def test_the_editor_lists_a_providers_closures_and_the_practices(
    ctx: Context, practice: Practice
) -> None:
    for kind, who, reason in (("holiday", None, "Staff day"), ("time_off", practice.able, "CME"),
                              ("time_off", practice.baker, "Vacation")):
        admin.add_closure(ctx, staff="sched", kind=kind, start=THU[0], end=THU[1],
                          reason=reason, provider_id=who)
    window = {"start": THU[0] - timedelta(days=1), "end": THU[1] + timedelta(days=1)}
    mine = admin.closures_between(ctx, provider_id=practice.able, **window)
    assert sorted((c.reason, c.scope) for c in mine) == [
        ("CME", "Dr. Avery Able"), ("Staff day", "Whole practice")]
    assert len(admin.closures_between(ctx, **window)) == 3
    assert admin.closures_between(ctx, start=THU[1], end=THU[1] + timedelta(days=7)) == []


def test_removing_time_off_cannot_strand_and_leaves_visits_booked(
    ctx: Context, practice: Practice
) -> None:
    saved = admin.add_closure(ctx, staff="sched", kind="time_off", start=THU[0], end=THU[1],
                              reason="CME", provider_id=practice.able)
    admin.remove_closure(ctx, staff="sched", closure_id=saved.row.id)
    appt = book_thursday(ctx, practice)  # bookable again
    with Session(ctx.engine) as session:
        row = session.get(Appointment, appt.id)
        assert row is not None
        assert row.status == Status.BOOKED.value


def test_stranding_reads_hours_in_local_time_across_the_spring_change(
    ctx: Context, practice: Practice
) -> None:
    monday = scheduling.book(ctx, staff="sched", patient_id=practice.patient_id,
                             visit_type="follow-up", provider_id=practice.able,
                             location_id=practice.location_id,
                             start=datetime(2027, 3, 15, 15, 0, tzinfo=UTC))  # 10:00 CDT
    assert edit_morning(ctx, practice, end=time(10, 30)).stranded == ()
    with pytest.raises(admin.WouldStrand) as err:
        edit_morning(ctx, practice, end=time(10, 15))
    assert [a.id for a in err.value.appointments] == [monday.id]
