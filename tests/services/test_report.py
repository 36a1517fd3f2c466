"""The manager's daily report, on SQLite and PostgreSQL, against a hand-built day whose every
number was worked out by hand.

The report day is Wed 2027-03-10 (Tulsa, CST = UTC-6 until DST starts on Sun 2027-03-14). The
practice of tests/practice.py ("Test Clinic": Dr. Avery Able and Pat Baker, Mon-Fri 08:00-12:00
and 13:00-17:00) gets a second location, "Owasso Clinic", where Dr. Quinn Dale works Mon-Fri
09:00-13:00, a scheduler (``sched``), a manager (``mgr``), a Medicare patient (Riley Specimen)
and one more patient (Morgan Example). Everything else goes through the real services, with the
frozen clock moved so that booking, cancelling, call and report times land on the right days.

The fixture, in the order it happens (times local; ids named after what they are):

    Tue 02-23  09:00 mgr closes Able's 13:00-15:00 on 03-10 (time off)
               09:05 desk books B0   Baker follow-up       Jordan  03-10 08:00  (stays booked)
    Thu 02-25  09:00 desk books B1   Able follow-up        Casey   02-26 10:00  -> no-show
    Fri 02-26  11:00 B1 no-show
    Mon 03-01  09:00 desk books B2   Able facet-diagnostic Jordan  03-08 10:00  -> completed
               09:05 desk books B3   Able facet-diagnostic Casey   03-05 10:00  -> completed
               09:10 desk books B4   Baker new-patient     Morgan  03-10 09:00  -> cancelled
               09:15 desk books O3   Dale follow-up        Casey   03-08 09:00  -> no-show
    Wed 03-03  09:00 B4 cancelled (7 days ahead: not late)
               09:05 sched books B5  Able follow-up        Casey   03-04 09:00  -> late cancel
               09:10 sched books O1  Dale new-patient      Jordan  03-10 11:00  -> completed
    Thu 03-04  08:00 B5 cancelled (1 hour ahead: late)
    Fri 03-05  09:00 desk books B9   Baker med-management  Jordan  03-10 14:00  -> checked in
               09:05 desk books B11  Able follow-up        Jordan  03-10 16:00  -> no-show
               10:05/10:45 B3 checked in, completed (its callback falls due 03-06 10:00)
    Sat 03-06  10:00 relief report R1 for Casey closes B3's callback (closed earlier)
    Mon 03-08  08:00 desk books B6   Able facet-diagnostic Morgan  03-09 14:00  (callback due
                                                                               03-10 14:00)
               08:05 desk books B8   Baker follow-up       Casey   03-10 11:00  -> confirmed
               09:30 O3 no-show
               10:05/10:45 B2 checked in, completed (callback due 03-09 10:00: overdue on 03-10)
    Tue 03-09  09:00 sched books B7  Able facet-diagnostic Casey   03-10 10:00  -> completed
               09:05 desk books B10  Able follow-up        Morgan  03-10 15:00  -> late cancel
               16:00-16:05 call C0 (information): the day before, not counted
    Wed 03-10  09:00 desk holds H2   Able follow-up        Morgan  03-10 11:00  (lapses)
               09:00-09:12 call C1 desk/Casey: books O2 Dale follow-up Casey 03-10 12:00
               09:20 B8 confirmed
               09:30-09:38 call C2 sched/Jordan: books N1 Able rfa-consult Jordan 03-17 10:00
               09:50 B7 checked in
               10:00-10:05 call C4 desk/Morgan: cancels B10 (late), outcome callback: a "call
                     back" task for Morgan, due 03-11 09:00 (after the day)
               10:40 B7 completed
               10:55 O1 checked in
               11:00-11:08 call C3 desk/Riley: books OV Able facet-diagnostic Riley 03-18 10:00
                     at three levels (Medicare allows two): mgr overrides with a reason
               12:05 O1 completed
               13:55 B9 checked in
               14:30 desk holds H1   Baker follow-up       Jordan  03-10 16:00  (still held)
               16:00-16:05 call C5 desk/Casey: relief report R2 on B7 (diagnostic), information
               16:10 relief report R3 for Jordan on a therapeutic injection (not diagnostic)
               16:30 B11 no-show
               16:50 call C6 desk/Jordan started, still open (a draft saved at 16:52)
               17:00 the report is read
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import (
    AuditEvent,
    CallbackTask,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Room,
    Staff,
    Template,
    VisitType,
)
from frontdesk.domain.calls import CallOutcome, CallReason
from frontdesk.domain.model import ProviderKind, Region, Side, Status
from frontdesk.domain.pathway import Answers, Procedure
from frontdesk.services import scheduling as s
from frontdesk.services.callbacks import record_relief, set_callback
from frontdesk.services.calls import finish_call, save_draft, start_call
from frontdesk.services.catalog import DEFAULT_VISIT_TYPES
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.report import (
    STATUS_COLUMNS,
    TREND_DAYS,
    DailyReport,
    DrillKind,
    Figure,
    UseLine,
    daily_report,
    drill,
    ids_of,
)
from frontdesk.services.schedule_admin import add_closure
from tests.conftest import FrozenClock
from tests.practice import TEST_PASSWORDS, Practice, give_passwords

CHICAGO = ZoneInfo("America/Chicago")
DAY = date(2027, 3, 10)
WEEKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
DIAGNOSTIC = {"region": "lumbar", "levels": "L4-L5", "side": "left"}
PATIENT_SURNAMES = ("Testcase", "Sample", "Specimen", "Example")


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Tulsa wall-clock time in 2027, as UTC."""
    return datetime(2027, month, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


@dataclass(frozen=True)
class Fixture:
    """Ids of everything the hand-built day made (see the module docstring)."""

    owasso: int
    dale: int
    riley: int
    morgan: int
    b0: int
    b1: int
    b2: int
    b3: int
    b4: int
    b5: int
    b6: int
    b7: int
    b8: int
    b9: int
    b10: int
    b11: int
    o1: int
    o2: int
    o3: int
    n1: int
    ov: int
    h1: int
    h2: int
    c0: int
    c1: int
    c2: int
    c3: int
    c4: int
    c5: int
    c6: int
    r1: int
    r2: int
    r3: int
    cb_b2: int  # overdue on the day
    cb_b3: int  # closed on 03-06
    cb_b6: int  # due on the day
    cb_b7: int  # closed on the day by R2
    cb_ov: int  # due next week
    cb_c4: int  # the "call back" C4 ended with


def _extend_practice(ctx: Context, clock: FrozenClock) -> tuple[int, int, int, int]:
    """Owasso Clinic with Dr. Quinn Dale, the scheduler and manager, two more patients."""

    def work(session: Session) -> tuple[int, int, int, int]:
        place = Location(name="Owasso Clinic", address="2 Test Way, Owasso, OK 74055",
                         phone="+19185550200", timezone="America/Chicago")
        dale = Provider(name="Dr. Quinn Dale", kind=ProviderKind.PHYSICIAN.value)
        session.add_all([place, dale])
        session.flush()
        assert place.id is not None
        assert dale.id is not None
        session.add(Room(location_id=place.id, name="Owasso Exam", kind="exam"))
        codes = {d.code for d in DEFAULT_VISIT_TYPES if ProviderKind.PHYSICIAN in d.performers}
        for vt in session.exec(select(VisitType)).all():
            if vt.code in codes:
                session.add(ProviderVisitType(provider_id=dale.id, visit_type_id=vt.id or 0))
        session.add(Template(provider_id=dale.id, location_id=place.id, rrule=WEEKDAYS,
                             timezone="America/Chicago", start_time=time(9),
                             end_time=time(13), valid_from=date(2026, 1, 1)))
        riley = Patient(first_name="Riley", last_name="Specimen", dob=date(1948, 4, 9),
                        phone="+19185550144", payer="Medicare", created_at=clock())
        morgan = Patient(first_name="Morgan", last_name="Example", dob=date(1990, 1, 2),
                         phone="+19185550155", payer="BlueCross", created_at=clock())
        session.add_all([riley, morgan])
        session.flush()
        assert riley.id is not None
        assert morgan.id is not None
        return place.id, dale.id, riley.id, morgan.id

    return run_write(ctx.engine, work)


def _book(ctx: Context, staff: str, patient: int, code: str, provider: int, location: int,
          start: datetime, **kw: object) -> int:
    args: dict[str, object] = dict(staff=staff, patient_id=patient, visit_type=code,
                                   provider_id=provider, location_id=location, start=start)
    if code == "facet-diagnostic":
        args.update(DIAGNOSTIC)
    # a day as it happened: the desk read and accepted each warning about the patient's other
    # visits (the report is the point here; the warnings are tested in test_booking_guards)
    args["accept_warnings"] = s.WARNING_CODES
    args.update(kw)
    return s.book(ctx, **args).id  # type: ignore[arg-type]


def _status(ctx: Context, appointment_id: int, *statuses: Status) -> None:
    for status in statuses:
        s.set_status(ctx, staff="desk", appointment_id=appointment_id, status=status)


def _call(ctx: Context, staff: str, patient: int | None, reason: CallReason) -> tuple[int, int]:
    view = start_call(ctx, staff=staff)
    view = save_draft(ctx, staff=staff, call_id=view.id, expected_version=view.version,
                      patient_id=patient, reason=reason)
    return view.id, view.version


def _finish(ctx: Context, staff: str, call: tuple[int, int], outcome: CallOutcome,
            appointment_id: int | None = None, callback_due: datetime | None = None) -> int:
    return finish_call(ctx, staff=staff, call_id=call[0], expected_version=call[1],
                       outcome=outcome, appointment_id=appointment_id,
                       callback_due=callback_due,
                       callback_note="wants a morning visit" if callback_due else "").id


def _relief(ctx: Context, patient: int, procedure: Procedure, percent: int, hours: float,
            call_id: int | None = None) -> int:
    return record_relief(ctx, staff="desk", patient_id=patient, call_id=call_id,
                         answers=Answers(procedure=procedure, region=Region.LUMBAR,
                                         levels="L4-L5", side=Side.LEFT,
                                         percent_relief=percent, hours_lasted=hours,
                                         same_scale=True)).id


def _callback_from(ctx: Context, call_id: int) -> int:
    with Session(ctx.engine) as session:
        task_id = session.exec(select(CallbackTask.id).where(
            CallbackTask.call_id == call_id)).one()
    assert task_id is not None
    return task_id


def _callback_of(ctx: Context, appointment_id: int) -> int:
    with Session(ctx.engine) as session:
        task_id = session.exec(select(CallbackTask.id).where(
            CallbackTask.appointment_id == appointment_id)).one()
    assert task_id is not None
    return task_id


def build_day(ctx: Context, p: Practice, clock: FrozenClock) -> Fixture:
    owasso, dale, riley, morgan = _extend_practice(ctx, clock)
    give_passwords(ctx, "mgr")  # she signs the override below with her own password
    casey, jordan = p.patient_id, p.other_patient_id
    tc = p.location_id

    def at(month: int, day: int, hour: int, minute: int = 0) -> None:
        clock.now = local(month, day, hour, minute)

    at(2, 23, 9)
    add_closure(ctx, staff="mgr", kind="time_off", start=local(3, 10, 13), end=local(3, 10, 15),
                reason="Dentist", provider_id=p.able)
    at(2, 23, 9, 5)
    b0 = _book(ctx, "desk", jordan, "follow-up", p.baker, tc, local(3, 10, 8))
    at(2, 25, 9)
    b1 = _book(ctx, "desk", casey, "follow-up", p.able, tc, local(2, 26, 10))
    at(2, 26, 11)
    _status(ctx, b1, Status.NO_SHOW)
    at(3, 1, 9)
    b2 = _book(ctx, "desk", jordan, "facet-diagnostic", p.able, tc, local(3, 8, 10))
    at(3, 1, 9, 5)
    b3 = _book(ctx, "desk", casey, "facet-diagnostic", p.able, tc, local(3, 5, 10))
    at(3, 1, 9, 10)
    b4 = _book(ctx, "desk", morgan, "new-patient", p.baker, tc, local(3, 10, 9))
    at(3, 1, 9, 15)
    o3 = _book(ctx, "desk", casey, "follow-up", dale, owasso, local(3, 8, 9))
    at(3, 3, 9)
    assert not s.cancel(ctx, staff="desk", appointment_id=b4,
                        reason="Patient is travelling").late_cancel
    at(3, 3, 9, 5)
    b5 = _book(ctx, "sched", casey, "follow-up", p.able, tc, local(3, 4, 9))
    at(3, 3, 9, 10)
    o1 = _book(ctx, "sched", jordan, "new-patient", dale, owasso, local(3, 10, 11))
    at(3, 4, 8)
    assert s.cancel(ctx, staff="desk", appointment_id=b5, reason="Car trouble").late_cancel
    at(3, 5, 9)
    b9 = _book(ctx, "desk", jordan, "med-management", p.baker, tc, local(3, 10, 14))
    at(3, 5, 9, 5)
    b11 = _book(ctx, "desk", jordan, "follow-up", p.able, tc, local(3, 10, 16))
    at(3, 5, 10, 5)
    _status(ctx, b3, Status.CHECKED_IN)
    at(3, 5, 10, 45)
    _status(ctx, b3, Status.COMPLETED)
    at(3, 6, 10)
    r1 = _relief(ctx, casey, Procedure.FACET_DIAGNOSTIC, 85, 3)
    at(3, 8, 8)
    b6 = _book(ctx, "desk", morgan, "facet-diagnostic", p.able, tc, local(3, 9, 14),
               ordered_by_physician=True)  # her evaluation was cancelled; Dr. Able ordered it
    at(3, 8, 8, 5)
    b8 = _book(ctx, "desk", casey, "follow-up", p.baker, tc, local(3, 10, 11))
    at(3, 8, 9, 30)
    _status(ctx, o3, Status.NO_SHOW)
    at(3, 8, 10, 5)
    _status(ctx, b2, Status.CHECKED_IN)
    at(3, 8, 10, 45)
    _status(ctx, b2, Status.COMPLETED)
    at(3, 9, 9)
    b7 = _book(ctx, "sched", casey, "facet-diagnostic", p.able, tc, local(3, 10, 10))
    at(3, 9, 9, 5)
    b10 = _book(ctx, "desk", morgan, "follow-up", p.able, tc, local(3, 10, 15))
    at(3, 9, 16)
    c0_draft = _call(ctx, "desk", None, CallReason.OTHER)
    at(3, 9, 16, 5)
    c0 = _finish(ctx, "desk", c0_draft, CallOutcome.INFORMATION)
    # --- the report day
    at(3, 10, 9)
    h2 = _book(ctx, "desk", morgan, "follow-up", p.able, tc, local(3, 10, 11), hold=True)
    c1_draft = _call(ctx, "desk", casey, CallReason.ORDERED_VISIT)
    at(3, 10, 9, 10)  # H2's five minutes have passed: this booking lets it lapse
    o2 = _book(ctx, "desk", casey, "follow-up", dale, owasso, local(3, 10, 12))
    at(3, 10, 9, 12)
    c1 = _finish(ctx, "desk", c1_draft, CallOutcome.BOOKED, o2)
    at(3, 10, 9, 20)
    _status(ctx, b8, Status.CONFIRMED)
    at(3, 10, 9, 30)
    c2_draft = _call(ctx, "sched", jordan, CallReason.ORDERED_VISIT)
    at(3, 10, 9, 35)
    n1 = _book(ctx, "sched", jordan, "rfa-consult", p.able, tc, local(3, 17, 10))
    at(3, 10, 9, 38)
    c2 = _finish(ctx, "sched", c2_draft, CallOutcome.BOOKED, n1)
    at(3, 10, 9, 50)
    _status(ctx, b7, Status.CHECKED_IN)
    at(3, 10, 10)
    c4_draft = _call(ctx, "desk", morgan, CallReason.CHANGE_VISIT)
    at(3, 10, 10, 2)
    assert s.cancel(ctx, staff="desk", appointment_id=b10, reason="Feeling unwell").late_cancel
    at(3, 10, 10, 5)
    c4 = _finish(ctx, "desk", c4_draft, CallOutcome.CALLBACK, callback_due=local(3, 11, 9))
    at(3, 10, 10, 40)
    _status(ctx, b7, Status.COMPLETED)
    at(3, 10, 10, 55)
    _status(ctx, o1, Status.CHECKED_IN)
    at(3, 10, 11)
    c3_draft = _call(ctx, "desk", riley, CallReason.ORDERED_VISIT)
    at(3, 10, 11, 5)
    ov = _book(ctx, "desk", riley, "facet-diagnostic", p.able, tc, local(3, 18, 10),
               ordered_by_physician=True,  # the visit the physician ordered
               levels="L3-L4, L4-L5, L5-S1", override_by="mgr",
               override_password=TEST_PASSWORDS["mgr"],
               override_reason="Dr. Able asked for three levels")
    at(3, 10, 11, 8)
    c3 = _finish(ctx, "desk", c3_draft, CallOutcome.BOOKED, ov)
    at(3, 10, 12, 5)
    _status(ctx, o1, Status.COMPLETED)
    at(3, 10, 13, 55)
    _status(ctx, b9, Status.CHECKED_IN)
    at(3, 10, 14, 30)  # the last booking write of the day: nothing lets this hold lapse
    h1 = _book(ctx, "desk", morgan, "follow-up", p.baker, tc, local(3, 10, 16), hold=True)
    at(3, 10, 16)
    c5_draft = _call(ctx, "desk", casey, CallReason.INJECTION_REPORT)
    at(3, 10, 16, 2)
    r2 = _relief(ctx, casey, Procedure.FACET_DIAGNOSTIC, 80, 4, call_id=c5_draft[0])
    at(3, 10, 16, 5)
    c5 = _finish(ctx, "desk", c5_draft, CallOutcome.INFORMATION)
    at(3, 10, 16, 10)
    r3 = _relief(ctx, jordan, Procedure.FACET_THERAPEUTIC, 50, 48)
    at(3, 10, 16, 30)
    _status(ctx, b11, Status.NO_SHOW)
    at(3, 10, 16, 50)
    c6 = start_call(ctx, staff="desk")
    at(3, 10, 16, 52)
    save_draft(ctx, staff="desk", call_id=c6.id, expected_version=c6.version,
               patient_id=jordan, reason=CallReason.OTHER)
    at(3, 10, 17)
    return Fixture(
        owasso=owasso, dale=dale, riley=riley, morgan=morgan, b0=b0, b1=b1, b2=b2, b3=b3,
        b4=b4, b5=b5, b6=b6, b7=b7, b8=b8, b9=b9, b10=b10, b11=b11, o1=o1, o2=o2, o3=o3,
        n1=n1, ov=ov, h1=h1, h2=h2, c0=c0, c1=c1, c2=c2, c3=c3, c4=c4, c5=c5, c6=c6.id,
        r1=r1, r2=r2, r3=r3, cb_b2=_callback_of(ctx, b2), cb_b3=_callback_of(ctx, b3),
        cb_b6=_callback_of(ctx, b6), cb_b7=_callback_of(ctx, b7), cb_ov=_callback_of(ctx, ov),
        cb_c4=_callback_from(ctx, c4),
    )


@pytest.fixture
def fx(ctx: Context, practice: Practice, clock: FrozenClock) -> Fixture:
    return build_day(ctx, practice, clock)


@pytest.fixture
def report(ctx: Context, fx: Fixture) -> DailyReport:
    return daily_report(ctx, by="mgr", day=DAY)


def cells(report: DailyReport) -> dict[tuple[str, str], dict[str, tuple[int, ...]]]:
    """Each visit line's non-empty status cells: (location, code) -> {status: ids}."""
    return {(line.location, line.visit_code): {
        key: cell.ids for (key, _), cell in zip(STATUS_COLUMNS, line.cells, strict=True)
        if cell.ids} for line in report.visits}


def use(report: DailyReport) -> list[tuple[str, str | None, int, int, tuple[int, ...]]]:
    return [(u.location, u.provider, u.booked_min, u.template_min, u.visits.ids)
            for u in report.utilisation]


def trend(ctx: Context, report: DailyReport) -> dict[date, tuple[tuple[int, ...], ...]]:
    """The trend's days with anything on them: day -> (bookings, cancellations, no-shows),
    each as the ids its drill-down finds; the counts must agree with them."""
    found = {}
    for t in report.trend:
        ids = tuple(ids_of(ctx, f, by="mgr") for f in (t.bookings, t.cancellations, t.no_shows))
        assert tuple(len(i) for i in ids) == (t.bookings.n, t.cancellations.n, t.no_shows.n)
        if any(ids):
            found[t.day] = ids
    return found


# --------------------------------------------------------------------------- the fixture itself


def test_the_fixture_is_what_the_docstring_says(ctx: Context, fx: Fixture) -> None:
    assert s.get_appointment(ctx, fx.h1).status is Status.HELD
    assert s.get_appointment(ctx, fx.h2).status is Status.EXPIRED
    assert s.get_appointment(ctx, fx.b10).late_cancel
    assert not s.get_appointment(ctx, fx.b4).late_cancel
    with Session(ctx.engine) as session:
        tasks = {t.id: t for t in session.exec(select(CallbackTask)).all()}
    assert {i: tasks[i].status for i in (fx.cb_b2, fx.cb_b3, fx.cb_b6, fx.cb_b7, fx.cb_ov,
                                         fx.cb_c4)} == {
        fx.cb_b2: "open", fx.cb_b3: "done", fx.cb_b6: "open", fx.cb_b7: "done",
        fx.cb_ov: "open", fx.cb_c4: "open"}
    c4 = tasks[fx.cb_c4]
    assert (c4.kind, c4.patient_id, c4.appointment_id, c4.note) == (
        "call-back", fx.morgan, None, "wants a morning visit")
    assert c4.due_at.replace(tzinfo=UTC) == local(3, 11, 9)
    assert len(tasks) == 6


# --------------------------------------------------------------------------- the whole day


def test_header(report: DailyReport, clock: FrozenClock) -> None:
    assert report.day == DAY
    assert report.location is None
    assert report.timezone == "America/Chicago"
    assert report.as_of == clock.now == datetime(2027, 3, 10, 23, 0, tzinfo=UTC)  # 17:00 CST


def test_appointments_on_the_day_by_location_visit_and_status(
    report: DailyReport, fx: Fixture
) -> None:
    # H1 (held) and H2 (lapsed hold) are on the day but left out.
    assert cells(report) == {
        ("Owasso Clinic", "follow-up"): {"booked": (fx.o2,)},
        ("Owasso Clinic", "new-patient"): {"completed": (fx.o1,)},
        ("Test Clinic", "facet-diagnostic"): {"completed": (fx.b7,)},
        ("Test Clinic", "follow-up"): {"booked": (fx.b0,), "confirmed": (fx.b8,),
                                       "late_cancel": (fx.b10,), "no_show": (fx.b11,)},
        ("Test Clinic", "med-management"): {"checked_in": (fx.b9,)},
        ("Test Clinic", "new-patient"): {"cancelled": (fx.b4,)},
    }
    assert [(v.location, v.visit_code, v.total.ids) for v in report.visits] == [
        ("Owasso Clinic", "follow-up", (fx.o2,)),
        ("Owasso Clinic", "new-patient", (fx.o1,)),
        ("Test Clinic", "facet-diagnostic", (fx.b7,)),
        ("Test Clinic", "follow-up", tuple(sorted((fx.b0, fx.b8, fx.b10, fx.b11)))),
        ("Test Clinic", "med-management", (fx.b9,)),
        ("Test Clinic", "new-patient", (fx.b4,)),
    ]
    assert report.visits[2].visit_name == (
        "Diagnostic facet joint injection (medial branch block)")
    assert all(len(v.cells) == len(STATUS_COLUMNS) == 7 for v in report.visits)
    # column totals: 2 booked, 1 confirmed, 1 checked in, 2 completed, 1 cancelled,
    # 1 late cancel, 1 no-show = 9 appointments
    assert {key: report.status_total(key).n for key, _ in STATUS_COLUMNS} == {
        "booked": 2, "confirmed": 1, "checked_in": 1, "completed": 2, "cancelled": 1,
        "late_cancel": 1, "no_show": 1}
    assert report.status_total("booked").ids == (fx.o2, fx.b0)
    assert report.status_total("completed").ids == (fx.o1, fx.b7)
    assert report.visits_total.n == 9
    assert fx.h1 not in report.visits_total.ids
    assert fx.h2 not in report.visits_total.ids


def test_bookings_made_on_the_day_by_staff_member(report: DailyReport, fx: Fixture) -> None:
    # made 03-10: O2 (desk), N1 (sched), OV (desk); H1 and H2 were holds, left out
    assert [(b.staff_username, b.staff_name, b.location, b.visit_code, b.made.ids)
            for b in report.bookings] == [
        ("desk", "Dana Desk", "Owasso Clinic", "follow-up", (fx.o2,)),
        ("desk", "Dana Desk", "Test Clinic", "facet-diagnostic", (fx.ov,)),
        ("sched", "Sam Sched", "Test Clinic", "rfa-consult", (fx.n1,)),
    ]
    assert report.bookings[2].visit_name == "Radiofrequency ablation consult"
    assert report.bookings_total.n == 3


def test_calls_logged_on_the_day_by_outcome(report: DailyReport, fx: Fixture) -> None:
    calls = report.calls
    # in the order they ended: C1 09:12, C2 09:38, C4 10:05, C3 11:08, C5 16:05; C0 was logged
    # the day before; C6 is still open
    assert calls.logged.ids == (fx.c1, fx.c2, fx.c4, fx.c3, fx.c5)
    assert [(line.outcome, line.label, line.calls.ids) for line in calls.lines] == [
        ("booked", "Booked", (fx.c1, fx.c2, fx.c3)),
        ("moved", "Moved a visit", ()),
        ("cancelled", "Cancelled a visit", ()),
        ("callback", "Callback scheduled", (fx.c4,)),
        ("information", "Information only", (fx.c5,)),
        ("declined", "Declined", ()),
        ("transferred", "Transferred to the clinical team", ()),
    ]
    assert calls.booked.ids == (fx.c1, fx.c2, fx.c3)
    assert calls.booked_share == 0.6  # 3 booked / 5 logged
    assert calls.still_open.ids == (fx.c6,)
    assert fx.c0 not in calls.logged.ids


def test_funnel(report: DailyReport, fx: Fixture) -> None:
    f = report.funnel
    assert f.diagnostic_done.ids == (fx.b7,)  # B2 and B3 were done on earlier days
    assert f.relief_reports.ids == (fx.r2,)  # R1 was 03-06; R3 is on a therapeutic injection
    assert f.rfa_consults_booked.ids == (fx.n1,)
    # outstanding at 17:00: B2's (due 03-09 10:00) and B6's (due 03-10 14:00), by due time;
    # B3's was closed on 03-06, B7's closed at 16:02 today, OV's falls due on 03-19
    assert f.callbacks_outstanding.ids == (fx.cb_b2, fx.cb_b6)
    assert f.callbacks_overdue.ids == (fx.cb_b2,)
    assert {f.diagnostic_done.kind, f.rfa_consults_booked.kind} == {DrillKind.APPOINTMENTS}
    assert f.relief_reports.kind is DrillKind.RELIEF_REPORTS
    assert f.callbacks_outstanding.kind is f.callbacks_overdue.kind is DrillKind.CALLBACKS
    # by kind: every kind named, C4's "call back" not due until tomorrow
    assert [(kind, figure.ids) for kind, figure in f.callbacks_by_kind] == [
        ("relief-report", (fx.cb_b2, fx.cb_b6)), ("call-back", ())]


def test_utilisation_per_provider_and_location(report: DailyReport, fx: Fixture) -> None:
    # Owasso, Dale: template 09:00-13:00 = 240 min; O1 new-patient 60 + O2 follow-up 20 = 80
    # Test Clinic, Able: 08:00-12:00 + 13:00-17:00 = 480, less the 13:00-15:00 time off = 360;
    #   kept time: B7 diagnostic 30 (completed) + B11 follow-up 20 (no-show) = 50
    #   (B10 late cancel and the lapsed hold H2 do not count)
    # Test Clinic, Baker: 480; B0 20 (booked) + B8 20 (confirmed) + B9 20 (checked in) = 60
    #   (B4 cancelled and the hold H1 do not count)
    # Test Clinic total: 50 + 60 = 110 over 360 + 480 = 840
    assert use(report) == [
        ("Owasso Clinic", None, 80, 240, (fx.o1, fx.o2)),
        ("Owasso Clinic", "Dr. Quinn Dale", 80, 240, (fx.o1, fx.o2)),
        ("Test Clinic", None, 110, 840, tuple(sorted((fx.b0, fx.b7, fx.b8, fx.b9, fx.b11)))),
        ("Test Clinic", "Dr. Avery Able", 50, 360, (fx.b7, fx.b11)),
        ("Test Clinic", "Pat Baker, PA-C", 60, 480, (fx.b0, fx.b8, fx.b9)),
    ]
    ratios = [u.ratio for u in report.utilisation]
    assert ratios == [pytest.approx(1 / 3), pytest.approx(1 / 3), pytest.approx(110 / 840),
                      pytest.approx(50 / 360), pytest.approx(60 / 480)]
    assert ratios[4] == 0.125
    assert UseLine("x", None, 5, 0, Figure(DrillKind.APPOINTMENTS, (), "")).ratio is None


def test_payer_override_on_the_day(report: DailyReport, fx: Fixture) -> None:
    [line] = report.overrides
    assert line.at == datetime(2027, 3, 10, 17, 5, tzinfo=UTC)  # 11:05 CST
    assert (line.authorised_by, line.authorised_username) == ("Mona Manager", "mgr")
    assert line.booked_by == "Dana Desk"
    assert line.reason == "Dr. Able asked for three levels"
    assert line.rules == ("levels",)
    assert line.payers == ("Medicare (Novitas)",)
    assert (line.location, line.visit_code) == ("Test Clinic", "facet-diagnostic")
    assert line.visit_name == "Diagnostic facet joint injection (medial branch block)"
    assert line.appointment.ids == (fx.ov,)
    assert line.appointment.kind is DrillKind.APPOINTMENTS


def test_trend_is_fourteen_days_ending_on_the_day(
    ctx: Context, report: DailyReport, fx: Fixture
) -> None:
    assert TREND_DAYS == 14
    assert [t.day for t in report.trend] == [date(2027, 2, 25) + timedelta(days=n)
                                            for n in range(14)]
    assert report.trend[-1].day == DAY
    # bookings by the day they were made (B0 was made 02-23, before the fortnight; the holds
    # are left out); cancellations and no-shows by the day of the visit
    assert trend(ctx, report) == {
        date(2027, 2, 25): ((fx.b1,), (), ()),
        date(2027, 2, 26): ((), (), (fx.b1,)),
        date(2027, 3, 1): ((fx.b2, fx.b3, fx.b4, fx.o3), (), ()),
        date(2027, 3, 3): ((fx.b5, fx.o1), (), ()),
        date(2027, 3, 4): ((), (fx.b5,), ()),
        date(2027, 3, 5): ((fx.b9, fx.b11), (), ()),
        date(2027, 3, 8): ((fx.b6, fx.b8), (), (fx.o3,)),
        date(2027, 3, 9): ((fx.b7, fx.b10), (), ()),
        date(2027, 3, 10): ((fx.o2, fx.n1, fx.ov), (fx.b4, fx.b10), (fx.b11,)),
    }
    counts = [(t.bookings.n, t.cancellations.n, t.no_shows.n) for t in report.trend]
    assert counts == [
        (1, 0, 0), (0, 0, 1), (0, 0, 0), (0, 0, 0),  # 02-25 .. 02-28
        (4, 0, 0), (0, 0, 0), (2, 0, 0), (0, 1, 0),  # 03-01 .. 03-04
        (2, 0, 0), (0, 0, 0), (0, 0, 0), (2, 0, 1),  # 03-05 .. 03-08
        (2, 0, 0), (3, 2, 1),  # 03-09, 03-10
    ]


def test_an_earlier_day_is_read_as_of_its_end(ctx: Context, fx: Fixture) -> None:
    before = daily_report(ctx, by="mgr", day=date(2027, 3, 9))
    assert before.as_of == datetime(2027, 3, 10, 6, 0, tzinfo=UTC)  # midnight CST
    # at the end of 03-09 only B2's callback (due 03-09 10:00) was due, and not from earlier
    assert before.funnel.callbacks_outstanding.ids == (fx.cb_b2,)
    assert before.funnel.callbacks_overdue.ids == ()
    assert before.calls.logged.ids == (fx.c0,)
    assert before.calls.still_open.ids == ()
    # by staff member: desk's B10 (follow-up), then sched's B7 (facet-diagnostic)
    assert before.bookings_total.ids == (fx.b10, fx.b7)
    # 03-09: B6 (Morgan's diagnostic 14:00) is still booked; nothing was done or reported
    assert cells(before) == {("Test Clinic", "facet-diagnostic"): {"booked": (fx.b6,)}}
    assert before.funnel.diagnostic_done.ids == ()
    assert before.overrides == ()
    assert before.trend[-1].day == date(2027, 3, 9)


def test_a_callback_closed_after_the_day_was_outstanding_on_it(
    ctx: Context, fx: Fixture, clock: FrozenClock
) -> None:
    # B2's callback (due 03-09 10:00) is closed on 03-11 and B6's cancelled: read back, 03-10
    # still had both outstanding at its end, at Test Clinic, and none at Owasso
    clock.now = local(3, 11, 9)
    set_callback(ctx, staff="desk", callback_id=fx.cb_b2, status="done")
    set_callback(ctx, staff="desk", callback_id=fx.cb_b6, status="cancelled")
    for place in (None, "Test Clinic"):
        f = daily_report(ctx, by="mgr", day=DAY, location=place).funnel
        assert f.callbacks_outstanding.ids == (fx.cb_b2, fx.cb_b6)
        assert f.callbacks_overdue.ids == (fx.cb_b2,)
    owasso = daily_report(ctx, by="mgr", day=DAY, location="Owasso Clinic").funnel
    assert owasso.callbacks_outstanding.ids == ()
    # and the day they were closed on has only C4's "call back" (due 03-11 09:00) left
    assert daily_report(ctx, by="mgr", day=date(2027, 3, 11)).funnel.callbacks_outstanding.ids \
        == (fx.cb_c4,)


def test_a_future_day_is_read_as_of_its_start(ctx: Context, fx: Fixture) -> None:
    ahead = daily_report(ctx, by="mgr", day=date(2027, 3, 17))
    assert ahead.as_of == datetime(2027, 3, 17, 5, 0, tzinfo=UTC)  # midnight CDT
    assert cells(ahead) == {("Test Clinic", "rfa-consult"): {"booked": (fx.n1,)}}
    # at 03-17's midnight B2's and B6's callbacks and C4's "call back" are still open and were
    # due before it; OV's falls due on 03-19
    assert ahead.funnel.callbacks_outstanding.ids == (fx.cb_b2, fx.cb_b6, fx.cb_c4)
    assert ahead.funnel.callbacks_overdue.ids == (fx.cb_b2, fx.cb_b6, fx.cb_c4)
    by_kind = dict(ahead.funnel.callbacks_by_kind)
    assert (by_kind["relief-report"].ids, by_kind["call-back"].ids) == (
        (fx.cb_b2, fx.cb_b6), (fx.cb_c4,))
    table = drill(ctx, by_kind["call-back"], by="mgr")
    assert table.title == "Callbacks outstanding: call back"
    assert [(r[1], r[2], r[3]) for r in table.rows] == [
        ("Morgan Example", "call back: wants a morning visit", "open")]
    assert ahead.calls.logged.ids == ()
    assert ahead.bookings == ()


# --------------------------------------------------------------------------- location filter


def test_one_location_and_calls_stay_practice_wide(
    ctx: Context, fx: Fixture, report: DailyReport
) -> None:
    tc = daily_report(ctx, by="mgr", day=DAY, location="Test Clinic")
    assert tc.location == "Test Clinic"
    assert {loc for loc, _ in cells(tc)} == {"Test Clinic"}
    assert tc.visits_total.n == 7  # 9 less Owasso's O1 and O2
    assert [b.made.ids for b in tc.bookings] == [(fx.ov,), (fx.n1,)]
    assert tc.calls == report.calls  # calls are not tied to a location
    assert tc.funnel == report.funnel  # everything in the funnel is at Test Clinic
    assert use(tc) == use(report)[2:]
    assert tc.overrides == report.overrides
    assert trend(ctx, tc) == {
        date(2027, 2, 25): ((fx.b1,), (), ()),
        date(2027, 2, 26): ((), (), (fx.b1,)),
        date(2027, 3, 1): ((fx.b2, fx.b3, fx.b4), (), ()),
        date(2027, 3, 3): ((fx.b5,), (), ()),
        date(2027, 3, 4): ((), (fx.b5,), ()),
        date(2027, 3, 5): ((fx.b9, fx.b11), (), ()),
        date(2027, 3, 8): ((fx.b6, fx.b8), (), ()),
        date(2027, 3, 9): ((fx.b7, fx.b10), (), ()),
        date(2027, 3, 10): ((fx.n1, fx.ov), (fx.b4, fx.b10), (fx.b11,)),
    }


def test_a_location_by_a_unique_part_of_its_name(
    ctx: Context, fx: Fixture, report: DailyReport
) -> None:
    ow = daily_report(ctx, by="mgr", day=DAY, location="  owASSo ")
    assert ow.location == "Owasso Clinic"
    assert cells(ow) == {("Owasso Clinic", "follow-up"): {"booked": (fx.o2,)},
                         ("Owasso Clinic", "new-patient"): {"completed": (fx.o1,)}}
    assert [(b.staff_username, b.made.ids) for b in ow.bookings] == [("desk", (fx.o2,))]
    assert ow.calls == report.calls
    assert ow.calls.logged.n == 5
    f = ow.funnel
    assert (f.diagnostic_done.ids, f.relief_reports.ids, f.rfa_consults_booked.ids,
            f.callbacks_outstanding.ids, f.callbacks_overdue.ids) == ((), (), (), (), ())
    assert use(ow) == [("Owasso Clinic", None, 80, 240, (fx.o1, fx.o2)),
                       ("Owasso Clinic", "Dr. Quinn Dale", 80, 240, (fx.o1, fx.o2))]
    assert ow.overrides == ()
    assert trend(ctx, ow) == {
        date(2027, 3, 1): ((fx.o3,), (), ()),
        date(2027, 3, 3): ((fx.o1,), (), ()),
        date(2027, 3, 8): ((), (), (fx.o3,)),
        date(2027, 3, 10): ((fx.o2,), (), ()),
    }


def test_an_unknown_location_names_the_known_ones(ctx: Context, fx: Fixture) -> None:
    with pytest.raises(InvalidInput) as err:
        daily_report(ctx, by="mgr", day=DAY, location="Broken Arrow")
    assert err.value.field == "location"
    assert err.value.message == (
        "no location 'Broken Arrow'; choose one of Owasso Clinic, Test Clinic")


def test_an_ambiguous_location_asks_for_the_full_name(ctx: Context, fx: Fixture) -> None:
    with pytest.raises(InvalidInput) as err:
        daily_report(ctx, by="mgr", day=DAY, location="clinic")
    assert err.value.field == "location"
    assert err.value.message == "'clinic' could be Owasso Clinic or Test Clinic; give the full name"


def test_a_blank_location_is_unknown_not_everything(ctx: Context, fx: Fixture) -> None:
    with pytest.raises(InvalidInput, match="no location"):
        daily_report(ctx, by="mgr", day=DAY, location="  ")


# --------------------------------------------------------------------------- drill-down


def test_the_report_names_no_patient(report: DailyReport) -> None:
    text = repr(report)
    for name in (*PATIENT_SURNAMES, "Casey", "Jordan", "Riley", "Morgan"):
        assert name not in text


def test_drill_appointments(ctx: Context, report: DailyReport, fx: Fixture) -> None:
    [follow_ups] = [v for v in report.visits
                    if (v.location, v.visit_code) == ("Test Clinic", "follow-up")]
    table = drill(ctx, follow_ups.total, by="mgr")
    assert table.title == "Follow-up at Test Clinic"
    assert table.headers == ("When", "Patient", "Visit", "Provider", "Location", "Status",
                             "Booked by", "Booked at")
    assert table.rows == (
        ("Wed 03/10 08:00", "Jordan Sample", "Follow-up", "Pat Baker, PA-C", "Test Clinic",
         "booked", "desk", "Tue 02/23 09:05"),
        ("Wed 03/10 11:00", "Casey Testcase", "Follow-up", "Pat Baker, PA-C", "Test Clinic",
         "confirmed", "desk", "Mon 03/08 08:05"),
        ("Wed 03/10 15:00", "Morgan Example", "Follow-up", "Dr. Avery Able", "Test Clinic",
         "late cancel", "desk", "Tue 03/09 09:05"),
        ("Wed 03/10 16:00", "Jordan Sample", "Follow-up", "Dr. Avery Able", "Test Clinic",
         "no-show", "desk", "Fri 03/05 09:05"),
    )
    assert table.appointment_ids == (fx.b0, fx.b8, fx.b10, fx.b11)
    made = drill(ctx, report.bookings_total, by="mgr")
    assert made.appointment_ids == (fx.o2, fx.n1, fx.ov)  # by visit time: 03-10, 03-17, 03-18
    assert [r[1] for r in made.rows] == ["Casey Testcase", "Jordan Sample", "Riley Specimen"]
    assert [r[6] for r in made.rows] == ["desk", "sched", "desk"]
    cancelled = drill(ctx, report.status_total("cancelled"), by="mgr")
    assert [(r[0], r[1], r[5]) for r in cancelled.rows] == [
        ("Wed 03/10 09:00", "Morgan Example", "cancelled")]


def test_drill_calls(ctx: Context, report: DailyReport, fx: Fixture) -> None:
    table = drill(ctx, report.calls.logged, by="mgr")
    assert table.title == "Calls logged"
    assert table.headers == ("Started", "Caller", "Reason", "Outcome", "Length", "Taken by")
    # by start time: C1 09:00, C2 09:30, C4 10:00, C3 11:00, C5 16:00
    assert table.rows == (
        ("Wed 03/10 09:00", "Casey Testcase", "Book a visit the physician ordered", "Booked",
         "12 min", "Dana Desk"),
        ("Wed 03/10 09:30", "Jordan Sample", "Book a visit the physician ordered", "Booked",
         "8 min", "Sam Sched"),
        ("Wed 03/10 10:00", "Morgan Example", "Reschedule or cancel a visit",
         "Callback scheduled", "5 min", "Dana Desk"),
        ("Wed 03/10 11:00", "Riley Specimen", "Book a visit the physician ordered", "Booked",
         "8 min", "Dana Desk"),
        ("Wed 03/10 16:00", "Casey Testcase", "Report after an injection", "Information only",
         "5 min", "Dana Desk"),
    )
    assert table.appointment_ids == (fx.o2, fx.n1, None, fx.ov, None)
    still_open = drill(ctx, report.calls.still_open, by="mgr")
    assert still_open.rows == (
        ("Wed 03/10 16:50", "Jordan Sample", "Something else", "still open", "2 min",
         "Dana Desk"),)
    assert still_open.appointment_ids == (None,)


def test_drill_callbacks(ctx: Context, report: DailyReport, fx: Fixture) -> None:
    table = drill(ctx, report.funnel.callbacks_outstanding, by="mgr")
    assert table.title == "Callbacks outstanding"
    assert table.headers == ("Due", "Patient", "For", "Now", "Closed at", "Closed by")
    assert table.rows == (
        ("Tue 03/09 10:00", "Jordan Sample", "relief report", "open", "", ""),
        ("Wed 03/10 14:00", "Morgan Example", "relief report", "open", "", ""),
    )
    assert table.appointment_ids == (fx.b2, fx.b6)
    closed = drill(ctx, Figure(DrillKind.CALLBACKS, (fx.cb_b7, fx.cb_b3), "closed"), by="mgr")
    assert closed.rows == (  # by due time, whatever order the ids came in
        ("Sat 03/06 10:00", "Casey Testcase", "relief report", "done", "Sat 03/06 10:00",
         "Dana Desk"),
        ("Thu 03/11 10:00", "Casey Testcase", "relief report", "done", "Wed 03/10 16:02",
         "Dana Desk"),
    )


def test_drill_relief_reports(ctx: Context, report: DailyReport, fx: Fixture) -> None:
    table = drill(ctx, report.funnel.relief_reports, by="mgr")
    assert table.title == "Relief reports collected"
    assert table.headers == ("Taken", "Patient", "Where", "Relief", "Lasted", "Taken by")
    assert table.rows == (
        ("Wed 03/10 16:02", "Casey Testcase", "lumbar L4-L5 left", "80%", "4 h", "Dana Desk"),)
    assert table.appointment_ids == (fx.b7,)
    both = drill(ctx, Figure(DrillKind.RELIEF_REPORTS, (fx.r3, fx.r1), "all"), by="mgr")
    assert [(r[0], r[1], r[3], r[4]) for r in both.rows] == [
        ("Sat 03/06 10:00", "Casey Testcase", "85%", "3 h"),
        ("Wed 03/10 16:10", "Jordan Sample", "50%", "48 h")]
    assert both.appointment_ids == (fx.b3, None)


def test_drill_an_empty_figure(ctx: Context, report: DailyReport) -> None:
    for figure in (report.calls.lines[3].calls, report.funnel.callbacks_overdue,
                   report.status_total("checked_in")):
        table = drill(ctx, Figure(figure.kind, (), figure.title), by="mgr")
        assert (table.rows, table.appointment_ids) == ((), ())
        assert table.title == figure.title


def test_a_drill_down_is_audited_as_a_listing_never_with_the_rows(
        ctx: Context, report: DailyReport) -> None:
    """DESIGN §4: a read of patient details leaves who, which list and how many rows, in the
    same transaction as the read; no name, no note."""
    before = _listings(ctx)
    table = drill(ctx, report.funnel.callbacks_outstanding, by="mgr")
    drill(ctx, Figure(DrillKind.CALLS, (), "Nothing"), by="mgr")
    added = _listings(ctx)[len(before):]
    assert [(who, entity_id, after) for who, entity_id, after, _ in added] == [
        ("mgr", None, {"command": "report drill: Callbacks outstanding", "rows": len(table.rows)}),
        ("mgr", None, {"command": "report drill: Nothing", "rows": 0})]
    assert len(table.rows) == 2
    assert all(channel == ctx.origin.channel for *_, channel in added)


def test_a_drill_down_refused_leaves_no_audit(ctx: Context, report: DailyReport) -> None:
    before = _listings(ctx)
    with pytest.raises(NotAllowed):
        drill(ctx, report.funnel.callbacks_outstanding, by="desk")
    assert _listings(ctx) == before


def _listings(ctx: Context) -> list[tuple[str, int | None, object, str | None]]:
    with Session(ctx.engine) as session:
        return [(username, e.entity_id, e.after, e.channel) for e, username in session.exec(
            select(AuditEvent, Staff.username).join(Staff, col(Staff.id) == AuditEvent.staff_id)
            .where(AuditEvent.action == "patient.list").order_by(col(AuditEvent.id)))]


# --------------------------------------------------------------------------- empty and DST days


def test_a_day_with_nothing_on_it(ctx: Context, practice: Practice) -> None:
    saturday = daily_report(ctx, by="mgr", day=date(2027, 3, 6))
    assert saturday.visits == ()
    assert saturday.bookings == ()
    assert saturday.overrides == ()
    assert saturday.utilisation == ()  # nobody works on Saturdays
    assert saturday.calls.logged.ids == saturday.calls.still_open.ids == ()
    assert [line.calls.n for line in saturday.calls.lines] == [0] * 7
    assert saturday.calls.booked_share is None
    f = saturday.funnel
    assert (f.diagnostic_done.n, f.relief_reports.n, f.rfa_consults_booked.n,
            f.callbacks_outstanding.n, f.callbacks_overdue.n) == (0, 0, 0, 0, 0)
    assert len(saturday.trend) == 14
    assert trend(ctx, saturday) == {}
    assert saturday.visits_total.n == saturday.bookings_total.n == 0
    assert saturday.status_total("no_show").ids == ()
    # a working day with nothing booked: full templates, no booked minutes
    empty = daily_report(ctx, by="mgr", day=DAY)
    assert use(empty) == [("Test Clinic", None, 0, 960, ()),  # 480 + 480
                          ("Test Clinic", "Dr. Avery Able", 0, 480, ()),
                          ("Test Clinic", "Pat Baker, PA-C", 0, 480, ())]
    assert [u.ratio for u in empty.utilisation] == [0.0, 0.0, 0.0]
    assert empty.visits == ()
    assert trend(ctx, empty) == {}


def test_dst_day_keeps_visits_on_their_own_days(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    """Sun 2027-03-14 has 23 hours (02:00 CST jumps to 03:00 CDT): 06:00 UTC to 05:00 UTC."""

    def work(session: Session) -> None:
        session.add(Template(provider_id=practice.able, location_id=practice.location_id,
                             rrule="FREQ=WEEKLY;BYDAY=SA,SU", timezone="America/Chicago",
                             start_time=time(0), end_time=time(23, 59),
                             valid_from=date(2026, 1, 1)))
        session.add(Template(provider_id=practice.able, location_id=practice.location_id,
                             rrule="FREQ=WEEKLY;BYDAY=MO", timezone="America/Chicago",
                             start_time=time(0), end_time=time(1), valid_from=date(2026, 1, 1)))

    run_write(ctx.engine, work)
    p = practice

    def follow_up(start: datetime) -> int:
        return _book(ctx, "desk", p.patient_id, "follow-up", p.able, p.location_id, start)

    sat_late = follow_up(local(3, 13, 23, 30))  # 05:30 UTC on 03-14, still Saturday locally
    sun_early = follow_up(local(3, 14, 0, 30))  # 06:30 UTC, CST
    sun_late = follow_up(local(3, 14, 23, 30))  # 04:30 UTC on 03-15, CDT
    mon_early = follow_up(local(3, 15, 0, 30))  # 05:30 UTC on 03-15: Monday, not Sunday
    clock.now = local(3, 16, 9)
    for appt in (sat_late, sun_early, sun_late, mon_early):
        _status(ctx, appt, Status.NO_SHOW)

    def on(day: date) -> tuple[int, ...]:
        return daily_report(ctx, by="mgr", day=day).visits_total.ids

    assert on(date(2027, 3, 13)) == (sat_late,)
    assert on(date(2027, 3, 14)) == (sun_early, sun_late)
    assert on(date(2027, 3, 15)) == (mon_early,)
    sunday = daily_report(ctx, by="mgr", day=date(2027, 3, 14))
    # template 00:00 CST to 23:59 CDT: 23 h 59 min of wall clock less the lost hour = 1379 min;
    # booked: two 20-minute no-shows = 40
    assert use(sunday) == [("Test Clinic", None, 40, 1379, (sun_early, sun_late)),
                           ("Test Clinic", "Dr. Avery Able", 40, 1379, (sun_early, sun_late))]
    monday = daily_report(ctx, by="mgr", day=date(2027, 3, 15))
    trend_days = {t.day: ids_of(ctx, t.no_shows, by="mgr") for t in monday.trend if t.no_shows.n}
    assert trend_days == {date(2027, 3, 13): (sat_late,),
                          date(2027, 3, 14): (sun_early, sun_late),
                          date(2027, 3, 15): (mon_early,)}
    # the bookings were all made on Wed 03-10 at 09:00, inside Monday's fortnight
    assert {t.day: t.bookings.n for t in monday.trend if t.bookings.n} == {date(2027, 3, 10): 4}
    # Monday's template: 00:00-01:00 = 60, plus 08:00-12:00 and 13:00-17:00 = 540
    assert use(monday)[1][2:4] == (20, 540)


# --------------------------------------------------------------------------- holds


def test_a_cancelled_hold_is_still_a_hold(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    """``scheduling.cancel`` accepts a hold (held -> cancelled is allowed; the CLI's ``cancel``
    takes any id): the caller let the time go, nothing was ever booked. The report must leave
    it out like any other hold, not count a booking made and a late cancel."""
    p = practice
    held = _book(ctx, "desk", p.patient_id, "follow-up", p.able, p.location_id,
                 local(3, 10, 14), hold=True)
    clock.advance(minutes=2)
    gone = s.cancel(ctx, staff="desk", appointment_id=held, reason="Caller changed their mind")
    assert gone.status is Status.CANCELLED
    day = daily_report(ctx, by="mgr", day=DAY)
    assert day.bookings == ()
    assert day.visits == ()
    assert trend(ctx, day) == {}
    assert [u.booked_min for u in day.utilisation] == [0, 0, 0]


# --------------------------------------------------------------------------- outcomes of changes


def test_calls_that_moved_or_cancelled_a_visit_are_counted_as_such_not_as_booked(
    ctx: Context, practice: Practice, clock: FrozenClock
) -> None:
    from frontdesk.services.report import export

    clock.now = local(3, 9, 9)
    appts = [_book(ctx, "desk", practice.patient_id, "follow-up", practice.able,
                   practice.location_id, local(3, 12, hour)) for hour in (9, 10, 11)]
    clock.now = local(3, 10, 9)
    booked = _call(ctx, "desk", practice.patient_id, CallReason.ORDERED_VISIT)
    booked_id = _finish(ctx, "desk", booked, CallOutcome.BOOKED, appts[0])
    moving = _call(ctx, "desk", practice.patient_id, CallReason.CHANGE_VISIT)
    s.reschedule(ctx, staff="desk", appointment_id=appts[1], start=local(3, 12, 14),
                 accept_warnings=["duplicate", "same-day"])
    moved_id = _finish(ctx, "desk", moving, CallOutcome.MOVED, appts[1])
    cancelling = _call(ctx, "desk", practice.patient_id, CallReason.CHANGE_VISIT)
    s.cancel(ctx, staff="desk", appointment_id=appts[2], reason="Feeling better")
    cancelled_id = _finish(ctx, "desk", cancelling, CallOutcome.CANCELLED, appts[2])
    calls = daily_report(ctx, by="mgr", day=DAY).calls
    by_outcome = {line.outcome: line.calls.ids for line in calls.lines}
    assert (by_outcome["booked"], by_outcome["moved"], by_outcome["cancelled"]) == (
        (booked_id,), (moved_id,), (cancelled_id,))
    assert calls.booked_share == pytest.approx(1 / 3)  # the move is not a booking
    report = daily_report(ctx, by="mgr", day=DAY)
    doc = export.as_dict(report)
    assert {k: doc["calls"]["by_outcome"][k] for k in ("booked", "moved", "cancelled")} == {
        "booked": 1, "moved": 1, "cancelled": 1}
    assert doc["calls"]["booked_share"] == 0.333
    rows = [r.split(",") for r in export.to_csv(report).splitlines()]
    counted = {r[6]: r[8] for r in rows if r[1] == "calls" and r[7] == "count"}
    assert (counted["booked"], counted["moved"], counted["cancelled"], counted["all"]) == (
        "1", "1", "1", "3")
    listed = drill(ctx, calls.logged, by="mgr")
    assert [r[3] for r in listed.rows] == ["Booked", "Moved a visit", "Cancelled a visit"]
