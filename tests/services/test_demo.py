"""The demo practice on SQLite and PostgreSQL: it follows the rules the booking service enforces.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa, so the demo covers 10 February to 21 April
2027 (DST starts 14 March, inside it).
"""

from __future__ import annotations

import shutil
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from frontdesk.db import queries as q
from frontdesk.db.engine import make_engine
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Call,
    CallbackTask,
    Closure,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    ReliefReport,
    Room,
    Staff,
    Template,
    VisitType,
    WaitlistEntry,
)
from frontdesk.domain.availability import expand_template, subtract
from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.domain.model import BLOCKING_STATUSES, Interval, Status
from frontdesk.services import demo, scheduling
from frontdesk.services.catalog import DEFAULT_VISIT_TYPES
from frontdesk.services.context import Context
from frontdesk.services.demo.activity import RETURNING
from frontdesk.services.errors import InvalidInput
from frontdesk.services.scheduling import WARNING_CODES
from tests.conftest import FrozenClock
from tests.practice import build_practice

CHICAGO = ZoneInfo("America/Chicago")
TODAY = date(2027, 3, 10)
BLOCKING = [s.value for s in BLOCKING_STATUSES]


@pytest.fixture
def seeded(ctx: Context) -> demo.DemoSummary:
    return demo.seed_demo(ctx)


def in_window(appts: list[Any], seeded: demo.DemoSummary) -> list[Any]:
    """The visits of the demo's weeks (not the procedures done months before them)."""
    return [a for a in appts if local_day(a.starts_at) >= seeded.first_day]


def rows(ctx: Context, model: Any) -> list[Any]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(model)).all())


def count(ctx: Context, model: Any) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def local_day(moment: datetime) -> date:
    return moment.astimezone(CHICAGO).date()


def test_an_empty_database_has_no_data(ctx: Context) -> None:
    assert not demo.has_data(ctx)


def test_demo_practice_has_its_locations_people_and_rooms(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    assert demo.has_data(ctx)
    locations = rows(ctx, Location)
    assert [loc.name for loc in locations] == [
        "Tulsa Midtown", "Tulsa South", "Broken Arrow", "Owasso", "Bartlesville"]
    assert all(loc.timezone == "America/Chicago" for loc in locations)
    assert all(loc.phone.startswith("+191855501") for loc in locations)
    assert all(loc.address.endswith(tuple(f"OK 74{n:03d}" for n in range(1000)))
               for loc in locations)
    kinds = Counter(p.kind for p in rows(ctx, Provider))
    assert kinds == {"physician": 5, "app": 3, "therapist": 2}
    assert {(s.username, s.role) for s in rows(ctx, Staff)} == {
        ("rita", "receptionist"), ("sam", "scheduler"), ("maria", "manager"), ("adam", "admin")}
    assert count(ctx, Patient) == seeded.patients == 200 + RETURNING
    rooms = rows(ctx, Room)
    by_place: dict[int, Counter[str]] = defaultdict(Counter)
    for room in rooms:
        by_place[room.location_id][room.kind] += 1
        assert room.fluoroscopy == (room.kind == "procedure")
    assert all(2 <= c["exam"] <= 3 for c in by_place.values())
    assert sum(1 for c in by_place.values() if c["procedure"]) == 3
    assert 1 <= sum(1 for c in by_place.values() if c["massage"]) < 5
    assert seeded.locations == 5
    assert seeded.providers == 10
    assert seeded.rooms == len(rooms)


def test_providers_perform_what_the_catalog_says(ctx: Context, seeded: demo.DemoSummary) -> None:
    kinds = {p.id: p.kind for p in rows(ctx, Provider)}
    codes = {vt.id: vt.code for vt in rows(ctx, VisitType)}
    performs: dict[int, set[str]] = defaultdict(set)
    for link in rows(ctx, ProviderVisitType):
        performs[link.provider_id].add(codes[link.visit_type_id])
    for pid, kind in kinds.items():
        assert performs[pid] == {d.code for d in DEFAULT_VISIT_TYPES if kind in d.performers}


def test_providers_rotate_but_are_never_in_two_places_at_once(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    templates = rows(ctx, Template)
    assert all(t.timezone == "America/Chicago" and t.valid_from < seeded.first_day
               for t in templates)
    assert {(t.start_time.hour, t.end_time.hour) for t in templates} == {(8, 12), (13, 17)}
    with Session(ctx.engine) as session:
        specs = q.templates_for(session, [p.id or 0 for p in rows(ctx, Provider)])
    week = Interval(datetime(2027, 3, 15, 5, tzinfo=UTC), datetime(2027, 3, 20, 5, tzinfo=UTC))
    spans: dict[int, list[tuple[Interval, int]]] = defaultdict(list)
    for spec in specs:
        spans[spec.provider_id] += [(s, spec.location_id) for s in expand_template(spec, week)]
    for worked in spans.values():
        assert len({loc for _, loc in worked}) >= 2  # rotates between locations
        ordered = sorted(worked, key=lambda x: x[0].start)
        for (a, _), (b, _) in zip(ordered, ordered[1:], strict=False):
            assert a.end <= b.start


def test_appointments_cover_past_and_future_with_every_status(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    every = rows(ctx, Appointment)
    assert len(every) == seeded.appointments
    appts = in_window(every, seeded)
    assert 3000 <= len(appts) <= 6000
    days = {local_day(a.starts_at) for a in appts}
    assert min(days) < TODAY < max(days)
    assert min(days) >= TODAY - timedelta(days=28)
    assert max(days) <= TODAY + timedelta(days=42)
    statuses = Counter(a.status for a in appts)
    assert set(statuses) == {"booked", "confirmed", "checked_in", "completed", "cancelled",
                             "no_show"}
    past = [a for a in appts if a.ends_at <= datetime(2027, 3, 10, 15, tzinfo=UTC)]
    share = Counter(a.status for a in past)
    assert share["completed"] / len(past) > 0.8
    assert 0.03 < share["no_show"] / len(past) < 0.08
    assert 0.05 < share["cancelled"] / len(past) < 0.11
    assert all(local_day(a.starts_at) == TODAY for a in appts if a.status == "checked_in")
    assert all(a.starts_at > FrozenClock().now for a in appts if a.status in ("booked",
                                                                               "confirmed"))


def test_appointment_details_are_consistent(ctx: Context, seeded: demo.DemoSummary) -> None:
    procedures = {vt.id: vt.code for vt in rows(ctx, VisitType) if vt.is_procedure}
    staff = {s.id: s.username for s in rows(ctx, Staff)}
    now = FrozenClock().now
    cancels = 0
    for a in rows(ctx, Appointment):
        assert a.starts_at.tzinfo is not None
        assert a.booked_at.tzinfo is not None
        assert a.booked_at < a.starts_at
        assert a.booked_at <= now
        assert a.updated_at <= now
        assert a.booked_at <= a.updated_at
        assert a.version == 1
        assert staff[a.booked_by_id] in ("rita", "sam")
        if a.visit_type_id in procedures:
            assert a.region in ("lumbar", "cervical", "thoracic")
            assert a.side
            assert (a.levels is None) == (procedures[a.visit_type_id] == "trigger-point")
        else:
            assert a.region is a.levels is a.side is None
        if a.status == "cancelled":
            cancels += 1
            assert a.cancel_reason
            assert a.late_cancel == (a.starts_at - a.updated_at < timedelta(hours=24))
        else:
            assert a.cancel_reason is None
            assert not a.late_cancel
    late = sum(1 for a in rows(ctx, Appointment) if a.late_cancel)
    assert 0 < late < cancels


def test_no_provider_or_room_is_double_booked(ctx: Context, seeded: demo.DemoSummary) -> None:
    statuses = ", ".join(f"'{s}'" for s in BLOCKING)
    for column in ("provider_id", "room_id"):
        clashes = text(
            f"SELECT count(*) FROM appointment a JOIN appointment b "
            f"ON a.{column} = b.{column} AND a.id < b.id "
            f"AND a.block_start < b.block_end AND b.block_start < a.block_end "
            f"WHERE a.status IN ({statuses}) AND b.status IN ({statuses})"
        )
        with ctx.engine.connect() as connection:
            assert connection.execute(clashes).scalar_one() == 0


def test_every_visit_is_inside_its_template_and_outside_closures(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    appts = in_window(rows(ctx, Appointment), seeded)
    window = Interval(min(a.block_start for a in appts) - timedelta(days=1),
                      max(a.block_end for a in appts) + timedelta(days=1))
    with Session(ctx.engine) as session:
        specs = q.templates_for(session, [p.id or 0 for p in rows(ctx, Provider)])
        closures = q.closures_between(session, window.start, window.end)
    assert {c.kind for c in rows(ctx, Closure)} == {"holiday", "time_off"}
    working: dict[tuple[int, int], list[Interval]] = defaultdict(list)
    for spec in specs:
        working[spec.provider_id, spec.location_id] += expand_template(spec, window)
    for spans in working.values():
        spans.sort(key=lambda s: s.start)
    for a in appts:
        spans = working[a.provider_id, a.location_id]
        i = bisect_right([s.start for s in spans], a.starts_at) - 1
        assert i >= 0
        assert spans[i].start <= a.starts_at
        assert a.ends_at <= spans[i].end
        visit = Interval(a.starts_at, a.ends_at)
        assert not any(
            visit.overlaps(Interval(c.start, c.end)) for c in closures
            if c.provider_id in (None, a.provider_id) and c.location_id in (None, a.location_id)
        )


def test_about_two_thirds_of_template_time_is_booked(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    appts = [a for a in rows(ctx, Appointment) if a.status in BLOCKING]
    start = datetime(2027, 2, 10, 6, tzinfo=UTC)
    window = Interval(start, datetime(2027, 4, 22, 5, tzinfo=UTC))
    with Session(ctx.engine) as session:
        specs = q.templates_for(session, [p.id or 0 for p in rows(ctx, Provider)])
        closures = q.closures_between(session, window.start, window.end)
    open_seconds = 0.0
    for spec in specs:
        holes = [Interval(c.start, c.end) for c in closures
                 if c.provider_id in (None, spec.provider_id)]
        open_seconds += sum((s.end - s.start).total_seconds()
                            for s in subtract(expand_template(spec, window), holes))
    booked = sum((a.block_end - a.block_start).total_seconds() for a in appts)
    assert 0.58 <= booked / open_seconds <= 0.75


def test_find_slots_offers_every_visit_type(ctx: Context, seeded: demo.DemoSummary) -> None:
    now = FrozenClock().now
    for d in DEFAULT_VISIT_TYPES:
        slots = scheduling.find_slots(ctx, visit_type=d.code, limit=5)
        assert len(slots) == 5, d.code
        assert all(s.start >= now + timedelta(minutes=60) for s in slots)


def test_a_found_slot_can_be_booked_by_the_demo_receptionist(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    slot = scheduling.find_slots(ctx, visit_type="facet-diagnostic", limit=1)[0]
    patient = rows(ctx, Patient)[0]
    booked = scheduling.book(ctx, staff="rita", patient_id=patient.id or 0,
                             visit_type="facet-diagnostic", provider_id=slot.provider_id,
                             location_id=slot.location_id, start=slot.start, region="lumbar",
                             levels="L4-L5", side="left", accept_warnings=WARNING_CODES)
    assert booked.status is Status.BOOKED
    assert booked.start == slot.start


def test_patients_are_synthetic_with_valid_unique_phones(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    patients = rows(ctx, Patient)
    phones = [p.phone for p in patients]
    assert len(set(phones)) == len(phones)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    assert all(p.startswith(("+1918555", "+1539555")) for p in phones)
    assert all(date(1940, 1, 1) <= p.dob <= date(2005, 12, 31) for p in patients)
    assert {p.payer for p in patients} == {
        "Medicare", "Medicare Advantage", "SoonerCare", "BlueCross BlueShield of Oklahoma",
        "Aetna", "Self-pay"}
    assert {p.payer_key for p in patients} == {  # every demo patient has a plan
        "medicare", "medicare-advantage", "soonercare", "bcbs-ok", "aetna", "self-pay"}
    assert all(p.preferred_location_id is not None for p in patients)
    assert all(p.created_at < datetime(2027, 1, 1, tzinfo=UTC) for p in patients)


def test_closures_include_holidays_and_some_time_off(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    closures = rows(ctx, Closure)
    holidays = {local_day(c.starts_at): c.reason for c in closures if c.kind == "holiday"}
    assert holidays[date(2027, 2, 15)] == "Washington's Birthday"
    assert holidays[date(2027, 11, 26)] == "Day after Thanksgiving"
    time_off = [c for c in closures if c.kind == "time_off"]
    assert len(time_off) >= 2
    assert all(c.provider_id is not None for c in time_off)
    assert seeded.closures == len(closures)
    presidents_day = date(2027, 2, 15)
    assert not [a for a in rows(ctx, Appointment) if local_day(a.starts_at) == presidents_day]


def test_seeding_writes_one_audit_event(ctx: Context, seeded: demo.DemoSummary) -> None:
    events = [e for e in rows(ctx, AuditEvent) if e.action != "payer.override"]
    assert [(e.action, e.entity) for e in events] == [("demo.seed", "practice")]
    assert events[0].after is not None
    assert events[0].after["appointments"] == seeded.appointments


# --------------------------------------------------------------------------- desk activity


def since() -> datetime:
    return FrozenClock().now - timedelta(days=21)


def test_most_visits_booked_lately_have_the_call_that_booked_them(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    appts = {a.id: a for a in rows(ctx, Appointment)}
    codes = {vt.id: vt.code for vt in rows(ctx, VisitType)}
    booking = [c for c in rows(ctx, Call) if c.outcome == CallOutcome.BOOKED]
    assert booking
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for c in booking:
        a = appts[c.appointment_id]
        assert c.started_at < a.booked_at <= c.ended_at
        assert (c.staff_id, c.patient_id) == (a.booked_by_id, a.patient_id)
        assert (c.status, c.answers, c.note, c.version) == ("closed", {}, "", 1)
        assert c.updated_at == c.ended_at
        assert c.started_at.microsecond == c.ended_at.microsecond == 0
        reasons[codes[a.visit_type_id]][c.reason or ""] += 1
    assert set(reasons["new-patient"]) == {CallReason.NEW_PROBLEM}
    assert set(reasons["facet-diagnostic"]) == set(reasons["rfa"]) == {CallReason.ORDERED_VISIT}
    therapeutic = reasons["facet-therapeutic"]
    assert therapeutic.most_common(1)[0][0] == CallReason.INJECTION_REPORT
    assert len({c.appointment_id for c in booking}) == len(booking)
    lately = [a for a in appts.values() if since() + timedelta(minutes=9) <= a.booked_at]
    assert 0.6 < len(booking) / len(lately) < 0.8


def test_the_desk_also_takes_calls_that_book_nothing_on_weekdays(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    calls = rows(ctx, Call)
    others = [c for c in calls if c.outcome != CallOutcome.BOOKED]
    outcomes = Counter(c.outcome for c in others)
    assert len(outcomes) >= 3
    assert outcomes.most_common(1)[0][0] == CallOutcome.INFORMATION
    assert set(outcomes) <= {o.value for o in CallOutcome} - {"booked"}
    assert 0.15 < len(others) / len(calls) < 0.35
    staff = {s.id: s.username for s in rows(ctx, Staff)}
    assert Counter(staff[c.staff_id] for c in others).most_common(1)[0][0] == "rita"
    for c in others:
        assert c.appointment_id is None
        assert c.reason in (CallReason.TREATMENT_QUESTION, CallReason.OTHER,
                            CallReason.CHANGE_VISIT)
        assert c.ended_at is not None
        start, end = c.started_at.astimezone(CHICAGO), c.ended_at.astimezone(CHICAGO)
        assert start.weekday() < 5
        assert 8 <= start.hour < 17
        assert timedelta(minutes=1) <= end - start <= timedelta(minutes=8)


def test_each_call_that_scheduled_a_callback_left_its_call_back_task(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    """As the intake screen does: the report's "Callback scheduled" calls and its call backs
    agree; the last day's are still open, the older ones worked by whoever took the call."""
    calls = {c.id: c for c in rows(ctx, Call) if c.outcome == CallOutcome.CALLBACK}
    tasks = [t for t in rows(ctx, CallbackTask) if t.kind == "call-back"]
    assert calls
    assert sorted(t.call_id for t in tasks) == sorted(calls)
    now = FrozenClock().now
    for task in tasks:
        call = calls[task.call_id]
        assert task.patient_id == call.patient_id
        assert call.ended_at is not None
        assert call.ended_at < task.due_at <= call.ended_at + timedelta(hours=3)
        if call.ended_at < now - timedelta(days=1):
            assert (task.status, task.done_by_id) == ("done", call.staff_id)
        else:
            assert (task.status, task.done_at) == ("open", None)


def test_calls_are_all_closed_and_in_the_last_three_weeks(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    calls = sorted(rows(ctx, Call), key=lambda c: c.id)
    now = FrozenClock().now
    assert all(c.status == "closed" and c.ended_at is not None for c in calls)
    assert all(since() <= c.started_at < c.ended_at <= now for c in calls)
    assert [c.started_at for c in calls] == sorted(c.started_at for c in calls)


def test_a_few_procedures_booked_lately_overrode_a_payer_rule(
    ctx: Context, seeded: demo.DemoSummary
) -> None:
    appts = {a.id: a for a in rows(ctx, Appointment)}
    codes = {vt.id: vt.code for vt in rows(ctx, VisitType)}
    catalogue = ctx.settings.catalogue
    payers = {p.id: catalogue.resolve(p.payer_key, p.payer) for p in rows(ctx, Patient)}
    staff = {s.id: s.username for s in rows(ctx, Staff)}
    procedures = ("facet-diagnostic", "facet-therapeutic", "rfa")
    overrides = [e for e in rows(ctx, AuditEvent) if e.action == "payer.override"]
    assert overrides
    for e in overrides:
        a = appts[e.entity_id]
        assert e.entity == "appointment"
        assert e.before is None
        assert e.after is not None
        assert set(e.after) == {"visit_type", "rules", "payers", "reason"}
        assert e.after["visit_type"] == codes[a.visit_type_id] in procedures
        assert len(e.after["rules"]) == 1
        assert set(e.after["rules"]) <= {"limit", "levels", "blocks", "repeat"}
        rules = payers[a.patient_id].rules  # the patient's plan has payer rules: its label
        assert rules is not None
        assert e.after["payers"] == [rules.label]
        assert e.after["reason"]
        assert e.at == a.booked_at
        assert since() <= e.at < FrozenClock().now
        assert staff[e.staff_id] in ("sam", "maria")
    lately = [a for a in appts.values()
              if codes[a.visit_type_id] in procedures and since() <= a.booked_at]
    assert len(overrides) <= 0.1 * len(lately)


def test_seeding_twice_is_refused(ctx: Context, seeded: demo.DemoSummary) -> None:
    events = count(ctx, AuditEvent)
    with pytest.raises(InvalidInput, match="already has a practice") as raised:
        demo.seed_demo(ctx)
    assert raised.value.field == "db"
    assert count(ctx, Appointment) == seeded.appointments
    assert count(ctx, AuditEvent) == events
    assert count(ctx, Call) > 0


def test_seeding_a_database_with_a_location_is_refused(ctx: Context) -> None:
    build_practice(ctx)
    with pytest.raises(InvalidInput):
        demo.seed_demo(ctx)
    assert count(ctx, Location) == 1


@pytest.fixture
def other_sqlite(migrated_sqlite: Path, tmp_path: Path, clock: FrozenClock) -> Iterator[Context]:
    path = tmp_path / "other.db"
    shutil.copy(migrated_sqlite, path)
    engine = make_engine(path)
    yield Context(engine=engine, clock=clock)
    engine.dispose()


def fingerprint(ctx: Context) -> list[tuple[Any, ...]]:
    with Session(ctx.engine) as session:
        appts = session.exec(select(Appointment).order_by(col(Appointment.id))).all()
        people = session.exec(select(Patient).order_by(col(Patient.id))).all()
        calls = session.exec(select(Call).order_by(col(Call.id))).all()
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [
            *((a.id, a.patient_id, a.visit_type_id, a.provider_id, a.room_id, a.starts_at,
               a.status, a.levels, a.booked_at, a.updated_at, a.cancel_reason) for a in appts),
            *((p.id, p.first_name, p.last_name, p.dob, p.phone, p.payer) for p in people),
            *((c.id, c.staff_id, c.patient_id, c.started_at, c.ended_at, c.reason, c.outcome,
               c.appointment_id) for c in calls),
            *((e.id, e.at, e.staff_id, e.action, e.entity_id, e.after) for e in events),
        ]


def test_bookings_are_made_in_desk_hours_before_the_visit_and_never_pile_up(
    ctx: Context,
) -> None:
    """Even visits booked months ahead (further than the 45 days a booking is usually made
    before the visit) were booked on weekdays between 08:00 and 17:30, before now, and no day
    made several times the usual number of bookings (a pile-up once distorted the trend)."""
    demo.build_practice(ctx, providers=3, patients=60, days_back=14, days_ahead=120)
    now = ctx.now()
    made: Counter[date] = Counter()
    for appt in rows(ctx, Appointment):
        booked = appt.booked_at.astimezone(CHICAGO)
        assert booked.weekday() < 5, appt.id
        assert time(8) <= booked.time() <= time(17, 30), appt.id
        assert appt.booked_at < min(appt.starts_at, now), appt.id
        made[booked.date()] += 1
    busy = sorted(made.values())
    assert busy[-1] <= 4 * busy[len(busy) // 2], made.most_common(3)


def test_seed_is_deterministic(ctx: Context, other_sqlite: Context) -> None:
    first = demo.seed_demo(ctx, seed=11)
    second = demo.seed_demo(other_sqlite, seed=11)
    assert first == second
    assert fingerprint(ctx) == fingerprint(other_sqlite)


def test_a_different_seed_gives_a_different_small_practice(
    ctx: Context, other_sqlite: Context
) -> None:
    one = demo.build_practice(ctx, seed=12, providers=3, patients=20, days_back=3, days_ahead=3)
    two = demo.build_practice(other_sqlite, seed=13, providers=3, patients=20, days_back=3,
                              days_ahead=3)
    assert one.providers == two.providers == 3
    assert one.patients == 20
    assert fingerprint(ctx) != fingerprint(other_sqlite)


def test_sizes_are_checked(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="fill"):
        demo.build_practice(ctx, fill=1.5)
    with pytest.raises(InvalidInput, match="locations"):
        demo.build_practice(ctx, locations=0)
    assert not demo.has_data(ctx)


def test_demo_patients_have_a_home_zip_and_some_consent_to_reminders(
        ctx: Context, seeded: demo.DemoSummary) -> None:
    from frontdesk.domain.geo import coordinates

    patients = rows(ctx, Patient)
    assert all(coordinates(p.zip) is not None for p in patients)  # the nearest location works
    texting = [p for p in patients if p.sms_consent]
    mailing = [p for p in patients if p.email_consent]
    assert 0.4 < len(texting) / len(patients) < 0.8
    assert 0.3 < len(mailing) / len(patients) < 0.7
    assert all(p.mobile == p.phone for p in texting)
    assert all(p.email.endswith("@example.com") for p in mailing)


def test_patients_last_seen_months_ago_bring_repeats_to_the_recalls(
        ctx: Context, seeded: demo.DemoSummary) -> None:
    from frontdesk.domain.recalls import RecallKind
    from frontdesk.services.worklists.recalls import recalls

    earlier = [a for a in rows(ctx, Appointment) if local_day(a.starts_at) < seeded.first_day]
    assert len(earlier) == RETURNING * 3  # each after two diagnostic blocks
    assert {a.status for a in earlier} == {"completed"}
    reports = rows(ctx, ReliefReport)
    assert {a.id for a in earlier} <= {r.appointment_id for r in reports}
    returning = {a.patient_id for a in earlier}
    assert len(returning) == RETURNING
    assert not [a for a in in_window(rows(ctx, Appointment), seeded)
                if a.patient_id in returning]
    due = [r for r in recalls(ctx, by="rita") if r.kind is RecallKind.REPEAT]
    assert len(due) >= RETURNING // 2


def test_a_few_patients_booked_weeks_ahead_wait_for_an_earlier_time(
        ctx: Context, seeded: demo.DemoSummary) -> None:
    from frontdesk.services.worklists.waitlist import waiting

    entries = rows(ctx, WaitlistEntry)
    assert 1 <= len(entries) <= 6
    assert len({e.patient_id for e in entries}) == len(entries)
    visits = {a.id: a for a in rows(ctx, Appointment)}
    for e in entries:
        held = visits[e.appointment_id]
        assert held.patient_id == e.patient_id
        assert held.status in ("booked", "confirmed")
        assert e.until is not None
        assert e.until < local_day(held.starts_at)
    assert len(waiting(ctx, by="rita")) == len(entries)
