"""A tiny hand-built practice for tests: small enough to reason about every slot.

One location ("Test Clinic", America/Chicago) with two exam rooms and one procedure suite; Dr.
Able (physician) and Pat Baker (APP) work Mon-Fri 08:00-12:00 and 13:00-17:00; Tess Cole
(therapist) has no template. Both patients were seen once a year before the tests' clock (a
completed new-patient evaluation on Mon 2 March 2026), so a test may book them any visit; a
test about a first visit makes a patient of its own. Staff, one per role: ``desk``
(receptionist), ``sched`` (scheduler), ``mgr`` (manager) and ``boss`` (admin), without
passwords; :func:`give_passwords` gives them ``TEST_PASSWORDS[username]`` (hashed at a cheap
argon2 cost, ``TEST_HASHER``: the test suite's seam for speed; production uses the defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import (
    Appointment,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Room,
    Staff,
    Template,
)
from frontdesk.domain.model import ProviderKind
from frontdesk.services.catalog import DEFAULT_VISIT_TYPES, install_visit_types
from frontdesk.services.context import Context

CHICAGO = "America/Chicago"
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
TEST_PASSWORDS = {name: f"{name}-test-password" for name in ("desk", "sched", "mgr", "boss")}
_HASHES: dict[str, str] = {}


def test_hash(username: str) -> str:
    """The cheap hash of a test account's password, made once per process."""
    if username not in _HASHES:
        _HASHES[username] = TEST_HASHER.hash(TEST_PASSWORDS[username])
    return _HASHES[username]


@dataclass(frozen=True)
class Practice:
    location_id: int
    exam_rooms: tuple[int, int]
    procedure_room: int
    able: int
    baker: int
    cole: int
    patient_id: int
    other_patient_id: int
    staff: str = "desk"  # the receptionist
    scheduler: str = "sched"
    manager: str = "mgr"
    admin: str = "boss"


def build_practice(ctx: Context, *, weekday_rule: str = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                   valid_from: date = date(2026, 1, 1)) -> Practice:
    def work(session: Session) -> Practice:
        vts = install_visit_types(session)
        loc = Location(name="Test Clinic", address="1 Test Way, Tulsa, OK 74101",
                       phone="+19185550100", timezone=CHICAGO)
        session.add(loc)
        session.flush()
        assert loc.id is not None
        exam1 = Room(location_id=loc.id, name="Exam 1", kind="exam")
        exam2 = Room(location_id=loc.id, name="Exam 2", kind="exam")
        suite = Room(location_id=loc.id, name="Procedure Suite", kind="procedure",
                     fluoroscopy=True)
        massage = Room(location_id=loc.id, name="Massage", kind="massage")
        able = Provider(name="Dr. Avery Able", kind=ProviderKind.PHYSICIAN.value)
        baker = Provider(name="Pat Baker, PA-C", kind=ProviderKind.APP.value)
        cole = Provider(name="Tess Cole, LMT", kind=ProviderKind.THERAPIST.value)
        session.add_all([exam1, exam2, suite, massage, able, baker, cole])
        session.flush()
        for provider in (able, baker, cole):
            for d in DEFAULT_VISIT_TYPES:
                if ProviderKind(provider.kind) in d.performers:
                    session.add(ProviderVisitType(provider_id=provider.id,
                                                  visit_type_id=vts[d.code].id))
        for provider in (able, baker):
            assert provider.id is not None
            for start, end in ((time(8), time(12)), (time(13), time(17))):
                session.add(Template(provider_id=provider.id, location_id=loc.id,
                                     rrule=weekday_rule, timezone=CHICAGO, start_time=start,
                                     end_time=end, valid_from=valid_from))
        desk = Staff(name="Dana Desk", username="desk", role="receptionist")
        session.add_all([
            desk,
            Staff(name="Sam Sched", username="sched", role="scheduler"),
            Staff(name="Mona Manager", username="mgr", role="manager"),
            Staff(name="Bo Boss", username="boss", role="admin"),
        ])
        created = datetime(2026, 1, 1, tzinfo=UTC)
        p1 = Patient(first_name="Casey", last_name="Testcase", dob=date(1970, 5, 17),
                     phone="+19185550111", preferred_location_id=loc.id, payer="Self-pay",
                     created_at=created)
        p2 = Patient(first_name="Jordan", last_name="Sample", dob=date(1982, 11, 2),
                     phone="+19185550122", payer="Cash", created_at=created)
        session.add_all([p1, p2])
        session.flush()
        evaluation = vts["new-patient"]
        for hour, patient in ((15, p1), (16, p2)):  # 09:00 and 10:00 in Tulsa, a year before
            start = datetime(2026, 3, 2, hour, tzinfo=UTC)
            end = start + timedelta(minutes=evaluation.duration_min)
            session.add(Appointment(
                patient_id=patient.id or 0, visit_type_id=evaluation.id or 0,
                provider_id=baker.id or 0, location_id=loc.id, room_id=exam1.id or 0,
                starts_at=start, ends_at=end, block_start=start, block_end=end,
                status="completed", booked_by_id=desk.id or 0, booked_at=created,
                updated_at=end))
        session.flush()
        ids = [x.id for x in (loc, exam1, exam2, suite, able, baker, cole, p1, p2)]
        assert all(i is not None for i in ids)
        return Practice(
            location_id=loc.id, exam_rooms=(exam1.id or 0, exam2.id or 0),
            procedure_room=suite.id or 0, able=able.id or 0, baker=baker.id or 0,
            cole=cole.id or 0, patient_id=p1.id or 0, other_patient_id=p2.id or 0,
        )

    return run_write(ctx.engine, work)


def give_passwords(ctx: Context, *usernames: str) -> None:
    """Set ``TEST_PASSWORDS`` for these staff accounts (all four when none is named)."""
    wanted = usernames or tuple(TEST_PASSWORDS)

    def work(session: Session) -> None:
        for row in session.exec(select(Staff).where(col(Staff.username).in_(wanted))):
            row.password_hash = test_hash(row.username)
            session.add(row)

    run_write(ctx.engine, work)


#: The appointments :func:`build_practice` writes (the patients' first evaluations, a year back).
SEEN_VISITS = 2
#: Where a test's spine procedure is done, unless the test says otherwise.
SPINE: dict[str, object] = {"region": "lumbar", "levels": "L4-L5", "side": "bilateral"}
PROCEDURES = frozenset({"facet-diagnostic", "facet-therapeutic", "rfa", "trigger-point"})
