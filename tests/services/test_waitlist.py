"""The waitlist on SQLite and PostgreSQL: adding (checked, one entry per patient and visit
type), the list (expired wishes and visits nothing can beat drop off), matching a freed time
(only what really fits and what booking would pass, best match first), each offer's outcome,
accepting through the one booking path (a payer refusal comes back, a held visit moves), two
accepts racing for one time, removal, and the report's lines agreeing with the list.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa; Dr. Able and Pat Baker work Mon-Fri
08:00-12:00 and 13:00-17:00 at Test Clinic.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Location,
    Outreach,
    Patient,
    WaitlistEntry,
)
from frontdesk.domain.model import Status
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, SlotTaken
from frontdesk.services.pathway import PayerRulesBroken
from frontdesk.services.report.values import DrillKind
from frontdesk.services.worklists import waitlist as wl
from frontdesk.services.worklists.waitlist import OfferOutcome, OpenedTime
from tests.conftest import FrozenClock
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Tulsa wall-clock time in March 2027 as UTC (DST starts on the 14th)."""
    return datetime(2027, 3, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


def patient(ctx: Context, last: str, *, zip_code: str = "", payer: str = "Self-pay",
            seen: Practice | None = None) -> int:
    """A patient of our own; ``seen``: with a completed evaluation a year back (so any visit
    may be booked for them)."""

    def work(session: Session) -> int:
        row = Patient(first_name="Test", last_name=last, dob=date(1975, 1, 2),
                      phone="+19185550199", payer=payer, zip=zip_code,
                      created_at=datetime(2026, 1, 1, tzinfo=UTC))
        session.add(row)
        session.flush()
        assert row.id is not None
        if seen is not None:
            start = datetime(2026, 3, 3, 15, tzinfo=UTC) + timedelta(days=row.id)
            session.add(Appointment(
                patient_id=row.id, visit_type_id=1, provider_id=seen.baker,
                location_id=seen.location_id, room_id=seen.exam_rooms[0], starts_at=start,
                ends_at=start + timedelta(hours=1), block_start=start,
                block_end=start + timedelta(hours=1), status="completed", booked_by_id=1,
                booked_at=start, updated_at=start))
        return row.id

    return run_write(ctx.engine, work)


def follow_up(ctx: Context, p: Practice, start: datetime, patient_id: int, *,
              provider: int | None = None) -> scheduling.AppointmentView:
    return scheduling.book(ctx, staff=p.staff, patient_id=patient_id, visit_type="follow-up",
                           provider_id=provider or p.able, location_id=p.location_id,
                           start=start, accept_warnings=scheduling.WARNING_CODES)


def freed(ctx: Context, p: Practice, start: datetime) -> OpenedTime:
    """Book a follow-up for someone else at ``start`` and cancel it: the time it frees."""
    filler = patient(ctx, "Filler", seen=p)
    visit = follow_up(ctx, p, start, filler)
    scheduling.cancel(ctx, staff=p.staff, appointment_id=visit.id, reason="called off")
    return wl.opened_by(ctx, visit.id)


def set_zips(ctx: Context, p: Practice, *, location: str) -> None:
    def work(session: Session) -> None:
        place = session.get(Location, p.location_id)
        assert place is not None
        place.zip = location
        session.add(place)

    run_write(ctx.engine, work)


def outreach(ctx: Context) -> list[Outreach]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Outreach).order_by(col(Outreach.id))).all())


def entry_row(ctx: Context, entry_id: int) -> WaitlistEntry:
    with Session(ctx.engine) as session:
        row = session.get(WaitlistEntry, entry_id)
        assert row is not None
        return row


def actions(ctx: Context) -> list[str]:
    with Session(ctx.engine) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


# --------------------------------------------------------------------------- adding


def test_adding_checks_what_was_asked_and_a_second_wish_updates_the_first(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    p = practice
    with pytest.raises(InvalidInput, match="unknown visit type"):
        wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="nope")
    with pytest.raises(InvalidInput, match="no location with id 999"):
        wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
               location_ids=[999])
    with pytest.raises(InvalidInput, match="from 12:00 must be before to 09:00"):
        wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
               earliest=time(12), latest=time(9))
    with pytest.raises(InvalidInput, match="is past"):
        wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
               until=date(2027, 3, 9))
    with pytest.raises(InvalidInput, match="no active staff member"):
        wl.add(ctx, staff="nobody", patient_id=p.patient_id, visit_type="follow-up")

    first = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
                   weekdays=[0, 2])
    clock.advance(days=1)
    again = wl.add(ctx, staff=p.scheduler, patient_id=p.patient_id, visit_type="follow-up",
                   weekdays=[4], until=date(2027, 4, 2))

    assert not first.updated
    assert again.updated
    assert again.entry.id == first.entry.id
    assert again.entry.weekdays == (4,)
    assert again.entry.created_at == first.entry.created_at  # waiting since the first ask
    assert again.entry.wants_text == "Follow-up · any location · Fri · until Fri 2 Apr"
    assert actions(ctx)[-2:] == ["waitlist.add", "waitlist.update"]
    assert [e.id for e in wl.waiting(ctx, by=p.staff)] == [first.entry.id]


def test_a_held_visit_is_asked_for_by_its_own_visit_type_and_details(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    held = follow_up(ctx, p, local(24, 10), p.patient_id)
    with pytest.raises(InvalidInput, match="no visit"):
        wl.add(ctx, staff=p.staff, patient_id=p.other_patient_id, appointment_id=held.id)

    added = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, appointment_id=held.id)

    assert added.entry.visit_type_code == "follow-up"
    assert added.entry.held is not None
    assert added.entry.held.id == held.id


def test_expired_wishes_and_visits_nothing_can_beat_drop_off_the_list(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    p = practice
    soon = follow_up(ctx, p, local(10, 10, 30), p.patient_id)  # inside the hour's notice soon
    keeps = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, appointment_id=soon.id)
    ends = wl.add(ctx, staff=p.staff, patient_id=p.other_patient_id, visit_type="follow-up",
                  until=date(2027, 3, 11))
    assert {e.id for e in wl.waiting(ctx, by=p.staff)} == {keeps.entry.id, ends.entry.id}

    clock.advance(minutes=45)  # 09:45: the 10:30 visit is within the minimum notice
    assert [e.id for e in wl.waiting(ctx, by=p.staff)] == [ends.entry.id]
    clock.advance(days=2)  # Fri 12th: their wish stood until Thursday
    assert wl.waiting(ctx, by=p.staff) == []


# --------------------------------------------------------------------------- matching


def test_a_freed_time_lists_the_waiting_it_suits_best_match_first(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    p = practice
    set_zips(ctx, p, location="74101")
    near = patient(ctx, "Near", zip_code="74103", seen=p)  # Tulsa: a mile or two
    far = patient(ctx, "Far", zip_code="73102", seen=p)  # Oklahoma City
    unknown = patient(ctx, "Unknown", seen=p)
    holding = patient(ctx, "Holding", seen=p)
    held = follow_up(ctx, p, local(31, 10), holding)
    # created in this order, a minute apart: far waited longest, then unknown, then near
    for who in (far, unknown, near):
        wl.add(ctx, staff=p.staff, patient_id=who, visit_type="follow-up")
        clock.advance(minutes=1)
    wl.add(ctx, staff=p.staff, patient_id=holding, appointment_id=held.id)
    # not suited: another weekday, another clock time, a wish ended before, a visit earlier
    wl.add(ctx, staff=p.staff, patient_id=patient(ctx, "Monday", seen=p),
           visit_type="follow-up", weekdays=[0])
    wl.add(ctx, staff=p.staff, patient_id=patient(ctx, "Afternoon", seen=p),
           visit_type="follow-up", earliest=time(13))
    wl.add(ctx, staff=p.staff, patient_id=patient(ctx, "Tuesday", seen=p),
           visit_type="follow-up", until=date(2027, 3, 10))
    early = patient(ctx, "Early", seen=p)
    wl.add(ctx, staff=p.staff, patient_id=early,
           appointment_id=follow_up(ctx, p, local(10, 14), early).id)
    busy = patient(ctx, "Busy", seen=p)  # already has a visit at that very time
    follow_up(ctx, p, local(11, 10), busy, provider=p.baker)
    wl.add(ctx, staff=p.staff, patient_id=busy, visit_type="follow-up")
    wl.add(ctx, staff=p.staff, patient_id=patient(ctx, "Massage", seen=p),
           visit_type="massage")  # does not fit Dr. Able's time

    opened = freed(ctx, p, local(11, 10))  # Thu 11th 10:00-10:20 with Dr. Able
    found = wl.match(ctx, by=p.staff, opened=opened)

    names = [m.entry.patient_short for m in found]
    assert names == ["Far, T.", "Unknown, T.", "Near, T.", "Holding, T."]
    assert all(m.start == local(11, 10) and m.provider_id == p.able for m in found)
    assert found[0].reason.startswith("no visit yet · waiting since today")
    assert found[0].miles is not None
    assert found[0].miles > 80
    assert found[1].miles is None
    assert found[3].reason.startswith("20 days sooner than Wed 31 Mar")


def test_rank_orders_need_then_waiting_then_distance(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    p = practice
    a = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    b = wl.add(ctx, staff=p.staff, patient_id=p.other_patient_id, visit_type="follow-up").entry
    base = wl.Match(a, local(11, 10), local(11, 10, 20), p.able, "Able", p.location_id, "TC",
                    "America/Chicago", None, None, "")
    same_time_b = [
        base.__class__(**{**_fields(base), "entry": b, "miles": 3.0}),
        base.__class__(**{**_fields(base), "miles": 9.0}),
    ]
    # a and b were added in the same second: nearer first; unknown distance last
    assert [m.miles for m in wl.rank(same_time_b)] == [3.0, 9.0]
    unknown = base.__class__(**{**_fields(base), "entry": b, "miles": None})
    assert wl.rank([unknown, same_time_b[1]])[0].miles == 9.0
    # a held visit brought forward 20 days beats one brought forward 2; no visit beats both
    gains = [base.__class__(**{**_fields(base), "gain": timedelta(days=d)}) for d in (2, 20)]
    assert [m.gain for m in wl.rank([*gains, base])] == [None, timedelta(days=20),
                                                         timedelta(days=2)]


def _fields(m: wl.Match) -> dict[str, Any]:
    return {f: getattr(m, f) for f in m.__dataclass_fields__}


def test_a_payer_rule_that_refuses_hides_the_candidate_and_refuses_the_booking(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    medicare = patient(ctx, "Medicare", payer="Medicare", seen=p)
    block: dict[str, Any] = {"region": "lumbar", "levels": "L4-L5", "side": "left"}
    scheduling.book(ctx, staff=p.staff, patient_id=medicare, visit_type="facet-diagnostic",
                    provider_id=p.able, location_id=p.location_id, start=local(11, 10),
                    **block)
    entry = wl.add(ctx, staff=p.staff, patient_id=medicare, visit_type="facet-diagnostic",
                   **block).entry
    other = scheduling.book(ctx, staff=p.staff, patient_id=p.patient_id,
                            visit_type="facet-diagnostic", provider_id=p.able,
                            location_id=p.location_id, start=local(12, 10), **block)
    scheduling.cancel(ctx, staff=p.staff, appointment_id=other.id, reason="called off")

    assert wl.match(ctx, by=p.staff, opened=wl.opened_by(ctx, other.id)) == []
    with pytest.raises(PayerRulesBroken):
        wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(12, 10),
                  provider_id=p.able, location_id=p.location_id,
                  accept_warnings=scheduling.WARNING_CODES)

    assert entry_row(ctx, entry.id).status == "waiting"
    assert outreach(ctx) == []


# --------------------------------------------------------------------------- outcomes


@pytest.mark.parametrize("outcome", [OfferOutcome.DECLINED, OfferOutcome.NO_ANSWER,
                                     OfferOutcome.LEFT_MESSAGE])
def test_an_offer_not_taken_is_recorded_and_the_entry_keeps_waiting(
    ctx: Context, practice: Practice, outcome: OfferOutcome
) -> None:
    p = practice
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry

    wl.record_offer(ctx, staff=p.staff, entry_id=entry.id, outcome=outcome,
                    start=local(11, 10), provider_id=p.able, location_id=p.location_id)

    (row,) = outreach(ctx)
    assert (row.worklist, row.outcome, row.waitlist_id) == ("waitlist", outcome.value, entry.id)
    assert row.subject == f"2027-03-11T16:00Z/p{p.able}/l{p.location_id}"
    assert actions(ctx)[-1] == "waitlist.offer"
    assert [e.id for e in wl.waiting(ctx, by=p.staff)] == [entry.id]
    with pytest.raises(InvalidInput, match="accept"):
        wl.record_offer(ctx, staff=p.staff, entry_id=entry.id, outcome="booked",
                        start=local(11, 10), provider_id=p.able, location_id=p.location_id)


def test_accepting_books_through_the_booking_path_and_closes_the_entry(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    opened = freed(ctx, p, local(11, 10))
    (offer,) = wl.match(ctx, by=p.staff, opened=opened)

    booked = wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=offer.start,
                       provider_id=offer.provider_id, location_id=offer.location_id,
                       expected_version=entry.version)

    assert booked.status is Status.BOOKED
    assert booked.patient_id == p.patient_id
    row = entry_row(ctx, entry.id)
    assert (row.status, row.booked_appointment_id) == ("booked", booked.id)
    assert row.closed_at is not None
    assert row.closed_by_id is not None
    (reached,) = outreach(ctx)
    assert (reached.outcome, reached.appointment_id) == ("booked", booked.id)
    assert actions(ctx)[-3:] == ["appointment.book", "waitlist.offer", "waitlist.book"]
    assert wl.waiting(ctx, by=p.staff) == []
    assert wl.match(ctx, by=p.staff, opened=opened) == []
    with pytest.raises(InvalidInput, match="booked already"):
        wl.remove(ctx, staff=p.staff, entry_id=entry.id, reason="done")


def test_accepting_for_a_held_visit_moves_it_earlier(ctx: Context, practice: Practice) -> None:
    p = practice
    held = follow_up(ctx, p, local(31, 10), p.patient_id)
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, appointment_id=held.id).entry

    moved = wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(11, 10),
                      provider_id=p.baker, location_id=p.location_id)

    assert moved.id == held.id
    assert moved.start == local(11, 10)
    assert entry_row(ctx, entry.id).booked_appointment_id == held.id
    assert "appointment.reschedule" in actions(ctx)


def test_a_booking_warning_comes_back_and_leaves_the_entry_waiting(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    follow_up(ctx, p, local(11, 14), p.patient_id)  # the same day, in the afternoon
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    with pytest.raises(scheduling.BookingNeedsConfirmation):
        wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(11, 10),
                  provider_id=p.able, location_id=p.location_id)
    assert entry_row(ctx, entry.id).status == "waiting"
    booked = wl.accept(ctx, staff=p.staff, entry_id=entry.id, start=local(11, 10),
                       provider_id=p.able, location_id=p.location_id,
                       accept_warnings=["same-day", "duplicate"])
    assert entry_row(ctx, entry.id).booked_appointment_id == booked.id


def test_two_accepts_for_one_time_one_books_the_other_stays_waiting(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    first = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="rfa-consult").entry
    second = wl.add(ctx, staff=p.scheduler, patient_id=p.other_patient_id,
                    visit_type="rfa-consult").entry
    gate = threading.Barrier(2)
    results: dict[int, object] = {}

    def take(entry_id: int, staff: str) -> None:
        gate.wait()
        try:
            results[entry_id] = wl.accept(ctx, staff=staff, entry_id=entry_id,
                                          start=local(11, 10), provider_id=p.able,
                                          location_id=p.location_id)
        except Exception as exc:  # noqa: BLE001 - the loser's error is the result
            results[entry_id] = exc

    threads = [threading.Thread(target=take, args=(e.id, s))
               for e, s in ((first, p.staff), (second, p.scheduler))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    won = [i for i, r in results.items() if isinstance(r, scheduling.AppointmentView)]
    lost = [i for i, r in results.items() if isinstance(r, SlotTaken)]
    assert len(won) == 1, results
    assert len(lost) == 1, results
    assert entry_row(ctx, won[0]).status == "booked"
    assert entry_row(ctx, lost[0]).status == "waiting"
    assert [e.id for e in wl.waiting(ctx, by=p.staff)] == lost
    assert [r.outcome for r in outreach(ctx)] == ["booked"]


def test_removal_needs_a_reason_and_anyone_at_the_desk_may_remove(
    ctx: Context, practice: Practice
) -> None:
    p = practice
    entry = wl.add(ctx, staff=p.scheduler, patient_id=p.patient_id, visit_type="follow-up").entry
    with pytest.raises(InvalidInput, match="say why"):
        wl.remove(ctx, staff=p.staff, entry_id=entry.id, reason="  ")
    with pytest.raises(InvalidInput, match="changed meanwhile"):
        wl.remove(ctx, staff=p.staff, entry_id=entry.id, reason="x",
                  expected_version=entry.version + 1)

    gone = wl.remove(ctx, staff=p.staff, entry_id=entry.id, reason="found a time elsewhere")

    assert gone.status is wl.EntryStatus.REMOVED
    assert "removed: found a time elsewhere" in gone.note
    assert wl.waiting(ctx, by=p.staff) == []


def test_report_lines_agree_with_the_list(ctx: Context, practice: Practice) -> None:
    p = practice
    taken = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    waits = wl.add(ctx, staff=p.staff, patient_id=p.other_patient_id,
                   visit_type="follow-up").entry
    wl.record_offer(ctx, staff=p.staff, entry_id=waits.id, outcome=OfferOutcome.NO_ANSWER,
                    start=local(11, 10), provider_id=p.able, location_id=p.location_id)
    booked = wl.accept(ctx, staff=p.staff, entry_id=taken.id, start=local(11, 10),
                       provider_id=p.able, location_id=p.location_id, refill=True)

    lines = {line.label: line.figure for line in
             wl.report_lines(ctx, by=p.manager, day=date(2027, 3, 10))}

    assert lines["Slots refilled"].kind is DrillKind.APPOINTMENTS
    assert lines["Slots refilled"].ids == (booked.id,)
    assert lines["Still waiting"].ids == tuple(e.id for e in wl.waiting(ctx, by=p.staff))
    assert lines["Still waiting"].ids == (waits.id,)
    assert lines["Offers made"].n == 2
    other_day = {line.label: line.figure.n for line in
                 wl.report_lines(ctx, by=p.manager, day=date(2027, 3, 9))}
    assert other_day == {"Slots refilled": 0, "Still waiting": 1, "Offers made": 0}


def test_slots_for_an_entry_suit_its_wishes(ctx: Context, practice: Practice) -> None:
    p = practice
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
                   weekdays=[3], earliest=time(13), latest=time(15)).entry

    found = wl.slots_for(ctx, by=p.staff, entry_id=entry.id, limit=5)

    assert found
    for m in found:
        start = m.local_start
        assert start.weekday() == 3
        assert time(13) <= start.time() <= time(14, 40)
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_slots_for_an_entry_offer_each_time_once(ctx: Context, practice: Practice,
                                                 clock: FrozenClock) -> None:
    # a Sunday noon: the first day's search runs on into Monday morning, which the next
    # day's search reads again
    clock.now = datetime(2027, 3, 14, 18, tzinfo=UTC)
    p = practice
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    found = wl.slots_for(ctx, by=p.staff, entry_id=entry.id, limit=8)
    assert found
    times = [(m.start, m.provider_id, m.location_id) for m in found]
    assert len(times) == len(set(times))



def test_hours_opened_in_the_editor_are_matched_to_who_can_come_then(
    ctx: Context, practice: Practice
) -> None:
    from frontdesk.services import schedule_admin

    p = practice
    saturday = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up",
                      weekdays=[5]).entry
    wl.add(ctx, staff=p.staff, patient_id=p.other_patient_id, visit_type="follow-up",
           weekdays=[0])  # Mondays only: the new Saturday hours do not suit them
    before = wl.hours_of(ctx, p.able)
    assert wl.opened_since(ctx, before) == []  # nothing changed yet
    schedule_admin.save_template(ctx, staff=p.scheduler, provider_id=p.able, template_id=None,
                                 weekdays=[5], start_time=time(9), end_time=time(12),
                                 location_id=p.location_id, valid_from=date(2027, 3, 10))

    opened = wl.opened_since(ctx, before)

    assert opened[0] == OpenedTime(p.able, p.location_id, local(13, 9), local(13, 12))
    assert len(opened) == 4  # four Saturdays in the next 28 days
    found = wl.match_opened(ctx, by=p.staff, opened=opened)
    assert [(m.entry.id, m.start) for m in found] == [(saturday.id, local(13, 9))]


def test_two_accepts_of_one_entry_book_it_once(ctx: Context, practice: Practice) -> None:
    p = practice
    entry = wl.add(ctx, staff=p.staff, patient_id=p.patient_id, visit_type="follow-up").entry
    gate = threading.Barrier(2)
    results: list[object] = []

    def take(provider: int, staff: str) -> None:
        gate.wait()
        try:
            results.append(wl.accept(ctx, staff=staff, entry_id=entry.id, start=local(11, 10),
                                     provider_id=provider, location_id=p.location_id))
        except Exception as exc:  # noqa: BLE001 - the loser's error is the result
            results.append(exc)

    threads = [threading.Thread(target=take, args=args)
               for args in ((p.able, p.staff), (p.baker, p.scheduler))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    booked = [r for r in results if isinstance(r, scheduling.AppointmentView)]
    refused = [r for r in results if not isinstance(r, scheduling.AppointmentView)]
    assert len(booked) == 1, results
    # refused by the entry (booked meanwhile), or by the patient's own visit then
    assert isinstance(refused[0], InvalidInput), results
    with Session(ctx.engine) as session:
        mine = session.exec(select(Appointment).where(
            Appointment.patient_id == p.patient_id, Appointment.status == "booked")).all()
    assert [a.id for a in mine] == [booked[0].id]
    assert entry_row(ctx, entry.id).booked_appointment_id == booked[0].id
