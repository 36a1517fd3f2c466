"""The light way (services.light: plain sqlite3, no database stack) answers exactly as the full
services do, on the same database; and it steps aside wherever it cannot answer for sure."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from frontdesk.db.light import open_reader, utc
from frontdesk.db.models import Appointment, Staff, VisitType
from frontdesk.domain.settings import Settings, SignInSettings
from frontdesk.services import directory, scheduling
from frontdesk.services.accounts import os_user_account, os_user_staff
from frontdesk.services.context import Context
from frontdesk.services.demo.activity import RETURNING
from frontdesk.services.errors import Busy, InvalidInput
from frontdesk.services.light import Light, open_light
from frontdesk.services.light.appointments import appointments_on
from frontdesk.services.light.patients import find_patients
from frontdesk.services.light.slots import find_slots
from frontdesk.services.origin import Origin
from frontdesk.services.patients.merge import merge_patients
from tests.conftest import FrozenClock

MAPPED = Settings(signin=replace(SignInSettings(), os_users={"desk-os": "rita"}))
ORIGIN = Origin("cli", "desk-os")


@pytest.fixture
def light(demo_url: str, clock: FrozenClock) -> Iterator[Light]:
    found = open_light(demo_url, settings=MAPPED, clock=clock, origin=ORIGIN)
    assert found is not None
    yield found
    found.close()


@pytest.fixture
def full(demo: Context) -> Context:
    return replace(demo, settings=MAPPED, origin=ORIGIN)


def audit_rows(path: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT at, staff_id, action, entity, entity_id, before, after, channel, os_user "
            "FROM audit_event WHERE action = 'patient.list' ORDER BY id").fetchall()


def test_one_days_appointments_are_the_full_ways_to_the_last_field(
        light: Light, full: Context) -> None:
    first = date(2027, 3, 10) - timedelta(days=20)
    seen = 0
    for offset in range(50):
        day = first + timedelta(days=offset)
        expected = scheduling.appointments_on(full, day=day)
        assert appointments_on(light, day=day) == expected, day
        seen += len(expected)
    assert seen > 500  # the demo's busy weeks, not empty days


def test_the_mapped_account_is_the_full_ways_and_so_is_a_disabled_or_locked_one(
        light: Light, full: Context, clock: FrozenClock) -> None:
    found = light.mapped_staff()
    assert found is not None
    assert found == os_user_account(full)
    assert found.username == "rita"
    with Session(full.engine) as session:
        rita = session.exec(select(Staff).where(Staff.username == "rita")).one()
        rita.locked_until = clock.now + timedelta(minutes=5)
        session.add(rita)
        session.commit()
        assert light.mapped_staff() is None
        assert os_user_account(full) is None
        rita.locked_until = clock.now - timedelta(minutes=5)  # the lock has run out
        session.add(rita)
        session.commit()
        assert light.mapped_staff() == os_user_account(full) == found
        rita.active = False
        session.add(rita)
        session.commit()
    assert light.mapped_staff() is None
    assert os_user_account(full) is None
    other = replace(light, origin=Origin("cli", "someone-else"))
    assert other.mapped_staff() is None


def test_the_listing_is_audited_as_the_full_way_audits_it(
        light: Light, full: Context, demo_url: str) -> None:
    directory.record_listed(full, staff="rita", command="appointments", rows=7)
    light.record_listed(staff="rita", command="appointments", rows=7)
    directory.record_listed(full, staff="rita", command="show", rows=1, patient_id=3)
    light.record_listed(staff="rita", command="show", rows=1, patient_id=3)
    rows = audit_rows(demo_url)
    assert len(rows) == 4
    assert rows[0] == rows[1]
    assert rows[2] == rows[3]
    assert rows[0][5:] == ("null", '{"command": "appointments", "rows": 7}', "cli", "desk-os")


def test_a_listing_by_someone_no_longer_active_is_refused_and_writes_nothing(
        light: Light, full: Context, demo_url: str) -> None:
    with Session(full.engine) as session:
        rita = session.exec(select(Staff).where(Staff.username == "rita")).one()
        rita.active = False
        session.add(rita)
        session.commit()
    with pytest.raises(InvalidInput, match="no active staff member"):
        light.record_listed(staff="rita", command="appointments", rows=1)
    assert audit_rows(demo_url) == []
    with pytest.raises(sqlite3.OperationalError):  # and the connection is read-only again
        light.reader.rows("DELETE FROM staff")


def test_the_light_way_steps_aside_where_it_cannot_answer_for_sure(
        demo_url: str, tmp_path: Path, clock: FrozenClock) -> None:
    def opens(target: str) -> bool:
        found = open_light(target, settings=MAPPED, clock=clock, origin=ORIGIN)
        if found is not None:
            found.close()
        return found is not None

    assert opens(demo_url)
    assert opens(f"sqlite:///{demo_url}")
    assert not opens(str(tmp_path / "missing.db"))  # the full way creates and migrates it
    assert not (tmp_path / "missing.db").exists()
    assert not opens(":memory:")
    assert not opens("postgresql+psycopg://postgres@127.0.0.1:5432/test")
    assert not opens(f"sqlite:///{demo_url}?mode=ro")
    assert not opens(f"{demo_url}?timeout=5")  # the full way reads an option there: it answers
    behind = tmp_path / "behind.db"
    shutil.copy(demo_url, behind)
    with sqlite3.connect(behind) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0008'")
    assert not opens(str(behind))  # the full way upgrades it first
    garbage = tmp_path / "notes.db"
    garbage.write_text("not a database")
    assert not opens(str(garbage))  # the full way says what is wrong


def test_the_light_way_loads_no_database_stack(demo_url: str) -> None:
    probe = (
        "import sys\n"
        "from datetime import date\n"
        "from frontdesk.domain.settings import Settings\n"
        "from frontdesk.services.light import open_light\n"
        "from frontdesk.services.light.appointments import appointments_on\n"
        "from frontdesk.services.origin import Origin\n"
        "from frontdesk.cli.runtime import _utc_now\n"
        f"light = open_light({demo_url!r}, settings=Settings(), clock=_utc_now, "
        "origin=Origin('cli', 'x'))\n"
        "print(len(appointments_on(light, day=date(2027, 3, 11))))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'psycopg'}))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    count, loaded = done.stdout.split("\n")[:2]
    assert int(count) > 0
    assert loaded == "[]"


def signins(path: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT staff_id, action, entity, entity_id, before, after, channel, os_user "
            "FROM audit_event WHERE action LIKE 'staff.%' ORDER BY id").fetchall()


def test_the_ssh_sign_in_is_the_full_ways_with_the_same_audit_event(
        demo_url: str, full: Context, clock: FrozenClock) -> None:
    ssh = Origin("ssh", "desk-os")
    light = open_light(demo_url, settings=MAPPED, clock=clock, origin=ssh)
    assert light is not None
    try:
        person = light.sign_in_by_ssh()
        assert person is not None
        assert person == os_user_staff(replace(full, origin=ssh))
        first, second = signins(demo_url)
        assert first == second
        assert first[5:] == ('{"via": "ssh", "os_user": "desk-os"}', "ssh", "desk-os")
        assert replace(light, origin=Origin("cli", "desk-os")).sign_in_by_ssh() is None
        assert replace(light, origin=Origin("ssh", "someone")).sign_in_by_ssh() is None
        with Session(full.engine) as session:
            rita = session.exec(select(Staff).where(Staff.username == "rita")).one()
            rita.locked_until = clock.now + timedelta(minutes=5)
            session.add(rita)
            session.commit()
        assert light.sign_in_by_ssh() is None
        assert os_user_staff(replace(full, origin=ssh)) is None
        assert len(signins(demo_url)) == 2  # refusals write nothing, either way
    finally:
        light.close()


# --------------------------------------------------------------------------- patients find

NAMES = ("ash", "Ash", "ASHGROVE", "lorna", "lorna ashgrove", "Ashgrove, Lorna", "ashgrove,lorna",
         "  roy  ", "a", "b", "bert", "bert t", "thistle", "sue thistlewood", "o'n", "zoë",
         "ÄLM", "älm", "almq", "%", "_", "a_b", "a%", "\\", "\\%", ",", ", ,", "x", "xyz",
         "robert'); drop table patient;--")
NEAR = ("ashgrov lorna", "lorna ashgorve", "thistelwood", "birchfeild alan", "emberlyn",
        "cedarhlt roy", "sorelby", "wrenfeld", "Ashgrve", "yarowby, vern", "rushwatr")
PHONES = ("918-555-3152", "(918) 555-3152", "+1 918 555 3152", "1.918.555.3152", "9185553152",
          "555-3152", "5553152", "539-555-2860", "(539) 555-6891", "5395556891",
          "918 555 0199", "+19185550199", "918-555-0000", "55531", "555 31")
BORN = ("1968-12-21", "12/21/1968", "1968-12-1", "1990-7-3", "7/3/1990", "07/03/1990",
        "1987-04-04", "1992-11-05", "2/30/1990", "1990-02-30", "13/1/1990", "1800-01-01")


@pytest.fixture
def varied(full: Context, demo_url: str) -> Context:
    """The demo with what it lacks: a merge made by the service (Lorna Ashgrove 160 into 50,
    which takes its number as her mobile), one written directly (Roy Cedarholt 167 into 8,
    whose number then finds only 8), a mobile, alerts, consent and the other details, a payer
    off the catalogue, and names SQLite's lower() leaves alone (not ASCII)."""
    merge_patients(full, staff="maria", keep_id=50, other_id=160, force=True)
    with sqlite3.connect(demo_url) as connection:
        connection.execute("UPDATE patient SET merged_into_id = 8 WHERE id = 167")
        connection.execute(
            "UPDATE patient SET mobile = '+19185550199', sms_consent = 1, "
            "email = 'sue@example.com', address = '9 Sample St', city = 'Tulsa', state = 'OK', "
            "zip = '74103', alerts = '[\"interpreter\", \"driver\"]', alert_note = 'Left ear', "
            "external_id = 'OLD-39', payer = 'Acme Health', payer_key = NULL, version = 4 "
            "WHERE id = 39")
        connection.execute("UPDATE patient SET first_name = 'Zoë', last_name = 'Älmqvist' "
                           "WHERE id = 41")
        connection.execute("UPDATE patient SET last_name = 'O''Neil' WHERE id = 42")
    return full


def test_finding_patients_is_the_full_ways_to_the_last_field(
        light: Light, varied: Context) -> None:
    answered = 0
    for text in (*NAMES, *NEAR, *PHONES, *BORN):
        for limit in (1, 3, 20, 200):
            expected = directory.find_patients(varied, text, limit=limit)
            assert find_patients(light, text, limit=limit) == expected, (text, limit)
            answered += len(expected)
        assert find_patients(light, text) == directory.find_patients(varied, text), text
    assert answered > 800


def test_a_search_finds_what_it_should_the_light_way(light: Light, varied: Context) -> None:
    """What the comparison above covers is worth covering: merged records, near names, every
    kind of text."""
    def ids(text: str, limit: int = 20) -> list[int]:
        return [p.id for p in find_patients(light, text, limit=limit)]

    assert 160 not in ids("ashgrove")
    assert 50 in ids("ashgrove")
    assert ids("539-555-2860") == [50]  # its number: the record it was merged into
    assert ids("(539) 555-6891") == [8]  # written directly: found only through the merge
    assert ids("918-555-0199") == [39]  # a mobile
    assert ids("12/21/1968") == ids("1968-12-21") == [50]
    assert ids("1992-11-05") == []  # a merged-away record's birth date
    assert ids("thistelwood")  # nothing starts so: the near names
    assert ids("ashgrove, lorna") == ids("lorna ashgrove") == [50]
    assert ids("zoë") == ids("ZOË") == [41]  # Python folds the text, SQLite not the names
    assert ids("%") == ids("_") == []
    assert len(ids(",", limit=300)) == 198 + RETURNING  # commas only: every live record
    [sue] = find_patients(light, "918-555-0199")
    assert (sue.mobile, sue.sms_consent, sue.alerts, sue.payer_key, sue.version) == (
        "+19185550199", True, ("interpreter", "driver"), None, 4)


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "x" * 101, " " + "x" * 101])
def test_a_search_text_refused_is_refused_in_the_same_words(
        light: Light, full: Context, text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        directory.find_patients(full, text)
    with pytest.raises(InvalidInput) as light_refused:
        find_patients(light, text)
    assert (light_refused.value.field, str(light_refused.value)) == (
        refused.value.field, str(refused.value))
    assert find_patients(light, " " + "x" * 100 + " ") == []  # 100 once stripped: a search


def test_finding_patients_the_light_way_loads_no_database_stack(demo_url: str) -> None:
    probe = (
        "import sys\n"
        "from frontdesk.domain.settings import Settings\n"
        "from frontdesk.services.light import open_light\n"
        "from frontdesk.services.light.patients import find_patients\n"
        "from frontdesk.services.origin import Origin\n"
        "from frontdesk.cli.runtime import _utc_now\n"
        f"light = open_light({demo_url!r}, settings=Settings(), clock=_utc_now, "
        "origin=Origin('cli', 'x'))\n"
        "print(len(find_patients(light, 'ash')), len(find_patients(light, 'ashgrve')))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'psycopg'}))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    counts, loaded = done.stdout.split("\n")[:2]
    assert all(int(n) > 0 for n in counts.split())
    assert loaded == "[]"


# slots ---------------------------------------------------------------------------------------


def visit_codes(full: Context) -> list[str]:
    with Session(full.engine) as session:
        return sorted(session.exec(select(VisitType.code)).all())


def slot_starts(clock: FrozenClock) -> list[datetime | None]:
    """Now, tomorrow, ten days on, the Sunday clocks spring forward (local midnight), three days
    ago, and past the booking horizon (180 days)."""
    return [None, clock.now + timedelta(days=1), clock.now + timedelta(days=10),
            datetime(2027, 3, 14, 6, 0, tzinfo=UTC), clock.now - timedelta(days=3),
            clock.now + timedelta(days=185)]


def same_slots(light: Light, full: Context, **asked: Any) -> int:
    """The light way finds what the full way finds, field for field; how many."""
    expected = scheduling.find_slots(full, **asked)
    assert find_slots(light, **asked) == expected, asked
    return len(expected)


def test_free_slots_are_the_full_ways_for_every_visit_type_start_and_window(
        light: Light, full: Context, clock: FrozenClock) -> None:
    codes = visit_codes(full)
    assert len(codes) >= 9
    found = 0
    for code in codes:
        for start in slot_starts(clock):
            for days, limit in ((60, 10), (1, 3), (7, 40), (365, 1)):
                found += same_slots(light, full, visit_type=code, start=start, days=days,
                                    limit=limit)
    assert found > 1000  # slots, not empty answers


def test_ranked_and_narrowed_slots_are_the_full_ways(light: Light, full: Context) -> None:
    found = 0
    for code in ("follow-up", "facet-diagnostic", "massage", "new-patient"):
        for place in (1, 3, 5):
            for person in (1, 4, 6, 9):
                found += same_slots(light, full, visit_type=code, preferred_location_id=place,
                                    previous_provider_id=person, limit=12)
                found += same_slots(light, full, visit_type=code, location_ids={place},
                                    provider_ids={person, 2}, days=30)
            found += same_slots(light, full, visit_type=code, preferred_location_id=place)
        found += same_slots(light, full, visit_type=code.upper(), previous_provider_id=7,
                            location_ids=set())
    assert found > 300


def test_retired_rooms_locations_and_providers_are_left_out_both_ways(
        light: Light, full: Context, demo_url: str) -> None:
    before = same_slots(light, full, visit_type="follow-up", limit=40)
    with sqlite3.connect(demo_url) as connection:
        connection.execute("UPDATE location SET active = 0 WHERE id = 2")
        connection.execute("UPDATE provider SET active = 0 WHERE id = 1")
        connection.execute("UPDATE room SET active = 0 WHERE id IN "
                           "(SELECT min(id) FROM room GROUP BY location_id)")
    for code in visit_codes(full):
        same_slots(light, full, visit_type=code, limit=40)
    after = find_slots(light, visit_type="follow-up", limit=40)
    assert len(after) == before == 40
    assert {s.location_id for s in after}.isdisjoint({2})
    assert {s.provider_id for s in after}.isdisjoint({1})


def test_a_hold_blocks_its_slot_both_ways_until_it_runs_out(
        light: Light, full: Context, clock: FrozenClock) -> None:
    first = scheduling.find_slots(full, visit_type="follow-up", limit=1)[0]
    held = scheduling.book(full, staff="rita", patient_id=1, visit_type="follow-up",
                           provider_id=first.provider_id, location_id=first.location_id,
                           start=first.start, hold=True, ordered_by_physician=True,
                           accept_warnings=scheduling.WARNING_CODES)
    assert held.hold_expires_at is not None
    now = same_slots(light, full, visit_type="follow-up", limit=5)
    assert first not in find_slots(light, visit_type="follow-up", limit=5)
    clock.now = held.hold_expires_at + timedelta(seconds=1)
    later = same_slots(light, full, visit_type="follow-up", limit=5, start=first.start)
    assert (now, later) == (5, 5)
    assert find_slots(light, visit_type="follow-up", limit=5, start=first.start)[0] == first


def test_slots_are_refused_as_the_full_way_refuses_them(light: Light, full: Context) -> None:
    with Session(full.engine) as session:
        massage = session.exec(select(VisitType).where(col(VisitType.code) == "massage")).one()
        massage.active = False
        session.add(massage)
        session.commit()
        assert session.exec(select(Appointment)).first() is not None
    asked: dict[str, Any]
    for asked in ({"visit_type": "nope"}, {"visit_type": "massage"},
                  {"visit_type": " MASSAGE "}, {"visit_type": "x" * 300},
                  {"visit_type": "'; DROP TABLE appointment; --"},
                  {"visit_type": "follow-up", "limit": 0},
                  {"visit_type": "follow-up", "days": 0},
                  {"visit_type": "follow-up", "days": 731}):
        with pytest.raises(InvalidInput) as expected:
            scheduling.find_slots(full, **asked)
        with pytest.raises(InvalidInput) as got:
            find_slots(light, **asked)
        assert (got.value.field, str(got.value)) == (expected.value.field, str(expected.value))


def test_the_light_slot_search_loads_no_database_stack(demo_url: str) -> None:
    probe = (
        "import sys\n"
        "from frontdesk.domain.settings import Settings\n"
        "from frontdesk.services.light import open_light\n"
        "from frontdesk.services.light.slots import find_slots\n"
        "from frontdesk.services.origin import Origin\n"
        "from datetime import UTC, datetime\n"
        f"light = open_light({demo_url!r}, settings=Settings(), "
        "clock=lambda: datetime(2027, 3, 10, 15, tzinfo=UTC), origin=Origin('cli', 'x'))\n"
        "print(len(find_slots(light, visit_type='follow-up')))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'psycopg'}))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    count, loaded = done.stdout.split("\n")[:2]
    assert int(count) == 10
    assert loaded == "[]"


def test_a_time_stored_with_an_offset_is_read_at_that_offset() -> None:
    """Another program may write an offset; SQLModel reads it at that offset, and so must the
    light way (a lock until 07:20 in Tulsa is a lock until 13:20 UTC)."""
    assert utc("2026-12-06 07:20:10.416608-06:00") == datetime(2026, 12, 6, 13, 20, 10, 416608,
                                                               tzinfo=UTC)
    assert utc("2026-12-06 13:20:10.416608") == datetime(2026, 12, 6, 13, 20, 10, 416608,
                                                         tzinfo=UTC)


def test_a_database_another_writer_holds_is_busy_as_the_full_way_says_and_nothing_is_written(
        light: Light, demo_url: str) -> None:
    light.reader.rows("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(demo_url, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(Busy):
            light.record_listed(staff="rita", command="appointments", rows=1)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert audit_rows(demo_url) == []
    with pytest.raises(sqlite3.OperationalError):  # read-only again after the refusal
        light.reader.rows("DELETE FROM staff")
    light.record_listed(staff="rita", command="appointments", rows=1)  # free again: written
    assert len(audit_rows(demo_url)) == 1


def test_the_reader_is_closed_only_between_uses_and_refuses_after(demo_url: str) -> None:
    """The early board reads from worker threads while the app may close the reader: close
    waits for the read in progress (a connection closed under a running statement crashes
    the interpreter), two threads never interleave a snapshot, and a read after closing is a
    plain error."""
    reader = open_reader(demo_url)
    assert reader is not None
    slow = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000)"
            " SELECT count(*) FROM n")
    started, counted = threading.Event(), []

    def read() -> None:
        with reader.snapshot():
            started.set()
            counted.append(reader.rows(slow))
            counted.append(reader.rows("SELECT count(*) FROM appointment"))

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert started.wait(10)
    reader.close()  # waits for the snapshots on their way
    for thread in threads:
        thread.join(10)
    assert len(counted) == 4
    assert counted[0] == [(400000,)]
    with pytest.raises(sqlite3.ProgrammingError):
        reader.rows("SELECT 1")
