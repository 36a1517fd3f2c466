"""The calendar export on SQLite and PostgreSQL, read back with the icalendar library: a week
across the change to daylight saving time keeps 09:00 at 09:00, the VTIMEZONE is there and
right, names are short or absent, cancelled visits are written cancelled without the patient, and
only counts are audited."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import Session, col, select

from frontdesk.db.models import AuditEvent
from frontdesk.services.audit import audit_events
from frontdesk.services.context import Context
from frontdesk.services.errors import Busy, InvalidInput, NotAllowed
from frontdesk.services.exports import ics
from tests.exports import add_visit
from tests.practice import Practice

CHICAGO = ZoneInfo("America/Chicago")
#: The week of Sunday 14 March 2027, when Chicago's clocks go forward (CST -6 → CDT -5).
FRIDAY_BEFORE = datetime(2027, 3, 12, 15, tzinfo=UTC)  # 09:00 CST
MONDAY_AFTER = datetime(2027, 3, 15, 14, tzinfo=UTC)  # 09:00 CDT


@pytest.fixture
def dst_visits(ctx: Context, practice: Practice) -> dict[str, int]:
    now = ctx.now()
    return {
        "friday": add_visit(ctx, practice, FRIDAY_BEFORE),
        "monday": add_visit(ctx, practice, MONDAY_AFTER, status="confirmed",
                            patient=practice.other_patient_id),
        "held": add_visit(ctx, practice, MONDAY_AFTER + timedelta(hours=1), status="held",
                          hold_expires_at=now + timedelta(minutes=5)),
        "lapsed": add_visit(ctx, practice, MONDAY_AFTER + timedelta(hours=2), status="held",
                            hold_expires_at=now - timedelta(minutes=5)),
        "cancelled": add_visit(ctx, practice, MONDAY_AFTER + timedelta(hours=3),
                               status="cancelled", cancel_reason="car trouble"),
        "no_show": add_visit(ctx, practice, FRIDAY_BEFORE + timedelta(hours=1),
                             status="no_show"),
        "baker": add_visit(ctx, practice, FRIDAY_BEFORE, provider=practice.baker,
                           room=practice.exam_rooms[1]),
        "outside": add_visit(ctx, practice, datetime(2027, 3, 20, 15, tzinfo=UTC)),
    }


def export(ctx: Context, practice: Practice, path: Path, **kwargs: Any) -> Calendar:
    kwargs.setdefault("provider_id", practice.able)
    ics.export_ics(ctx, by=practice.manager, output=path, first=date(2027, 3, 12),
                   last=date(2027, 3, 19), **kwargs)
    return Calendar.from_ical(path.read_bytes())


def uid_number(event: Any) -> int:
    return int(str(event["UID"]).split("@")[0].removeprefix("appointment-"))


def test_a_visit_at_nine_stays_at_nine_across_the_change_of_the_clocks(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    calendar = export(ctx, practice, tmp_path / "able.ics")
    events = {uid_number(e): e for e in calendar.events}
    friday, monday = events[dst_visits["friday"]], events[dst_visits["monday"]]
    for event in (friday, monday):
        assert event.start.tzinfo is not None
        assert str(event.start.tzinfo) == "America/Chicago"
        assert (event.start.hour, event.start.minute) == (9, 0)
        assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert friday.start.astimezone(UTC) == FRIDAY_BEFORE  # 15:00Z
    assert monday.start.astimezone(UTC) == MONDAY_AFTER  # 14:00Z
    assert monday.end.astimezone(UTC) == MONDAY_AFTER + timedelta(minutes=30)


def test_the_vtimezone_is_there_and_says_when_the_clocks_change(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    calendar = export(ctx, practice, tmp_path / "able.ics")
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Chicago"]
    assert calendar.get_missing_tzids() == set()
    # the VTIMEZONE alone, without the zone database, gives the same instants
    own = calendar.timezones[0].to_tz(lookup_tzid=False)
    friday = datetime(2027, 3, 12, 9, tzinfo=own)
    monday = datetime(2027, 3, 15, 9, tzinfo=own)
    assert friday.astimezone(UTC) == FRIDAY_BEFORE
    assert monday.astimezone(UTC) == MONDAY_AFTER
    changes = [(c.name, str(c["DTSTART"].dt)) for c in calendar.timezones[0].subcomponents]
    assert ("DAYLIGHT", "2027-03-14 03:00:00") in changes  # local wall time, as RFC 5545 says


def test_visits_that_take_the_time_are_confirmed_or_tentative(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    calendar = export(ctx, practice, tmp_path / "able.ics")
    events = {uid_number(e): e for e in calendar.events}
    taking = {n for n, e in events.items() if str(e["STATUS"]) != "CANCELLED"}
    assert taking == {dst_visits[k] for k in ("friday", "monday", "held")}
    assert str(events[dst_visits["held"]]["STATUS"]) == "TENTATIVE"
    assert str(events[dst_visits["friday"]]["STATUS"]) == "CONFIRMED"


def test_cancelled_visits_no_shows_and_lapsed_holds_are_written_cancelled_without_the_patient(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    """A calendar app that imported an earlier file takes the visit off on a re-import: same
    UID, STATUS:CANCELLED, a higher SEQUENCE; and no patient is named for a visit gone."""
    path = tmp_path / "able.ics"
    calendar = export(ctx, practice, path)
    events = {uid_number(e): e for e in calendar.events}
    for name in ("cancelled", "no_show", "lapsed"):
        event = events[dst_visits[name]]
        assert str(event["STATUS"]) == "CANCELLED", name
        assert "Testcase" not in str(event["SUMMARY"])
        assert str(event["SUMMARY"]) == "Cancelled: Follow-up"
    assert events[dst_visits["lapsed"]]["SEQUENCE"] == 2  # version 1, one change ahead
    assert "car trouble" not in path.read_text()


def test_sequence_and_last_modified_come_from_the_visit(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    from frontdesk.db.engine import run_write
    from frontdesk.db.models import Appointment

    changed = datetime(2027, 3, 9, 18, 30, tzinfo=UTC)

    def work(session: Session) -> None:
        row = session.get(Appointment, dst_visits["monday"])
        assert row is not None
        row.version, row.updated_at = 4, changed
        session.add(row)

    run_write(ctx.engine, work)
    events = {uid_number(e): e for e in export(ctx, practice, tmp_path / "a.ics").events}
    monday = events[dst_visits["monday"]]
    assert monday["SEQUENCE"] == 4
    assert monday["LAST-MODIFIED"].dt == changed
    assert events[dst_visits["friday"]]["SEQUENCE"] == 1


def test_summary_names_the_visit_type_and_the_patient_briefly(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "able.ics"
    calendar = export(ctx, practice, path)
    events = {uid_number(e): e for e in calendar.events}
    friday = events[dst_visits["friday"]]
    assert str(friday["SUMMARY"]) == "Follow-up — Testcase, C."
    assert str(friday["LOCATION"]).startswith("Test Clinic, 1 Test Way")
    assert "Dr. Avery Able" in str(friday["DESCRIPTION"])
    assert friday["DTSTAMP"].dt == ctx.now()
    written = path.read_text()
    for detail in ("Casey", "+1918", "1970", "Self-pay", "car trouble"):
        assert detail not in written


def test_no_names_leaves_every_patient_out(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    path = tmp_path / "able.ics"
    calendar = export(ctx, practice, path, names=False)
    assert {str(e["SUMMARY"]) for e in calendar.events} == {"Follow-up",
                                                            "Cancelled: Follow-up"}
    for name in ("Testcase", "Sample", "Casey", "Jordan"):
        assert name not in path.read_text()


def test_uids_are_stable_per_appointment(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    first = export(ctx, practice, tmp_path / "a.ics")
    again = export(ctx, practice, tmp_path / "b.ics")
    uids = sorted(str(e["UID"]) for e in first.events)
    assert uids == sorted(str(e["UID"]) for e in again.events)
    assert f"appointment-{dst_visits['friday']}@tulsa-pain-management" in uids


def test_a_location_calendar_holds_every_provider_there(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    calendar = export(ctx, practice, tmp_path / "clinic.ics", provider_id=None,
                      location_id=practice.location_id)
    found = {uid_number(e) for e in calendar.events if str(e["STATUS"]) != "CANCELLED"}
    assert found == {dst_visits[k] for k in ("friday", "monday", "held", "baker")}
    assert "Test Clinic" in str(calendar["X-WR-CALNAME"])


def test_the_file_is_owner_only(ctx: Context, practice: Practice, dst_visits: dict[str, int],
                                tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "able.ics"
    path.write_text("old")
    os.chmod(path, 0o644)
    export(ctx, practice, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


def test_audited_with_counts_only(ctx: Context, practice: Practice,
                                  dst_visits: dict[str, int], tmp_path: Path) -> None:
    export(ctx, practice, tmp_path / "able.ics")
    with Session(ctx.engine) as session:
        events = session.exec(select(AuditEvent).where(
            col(AuditEvent.action) == "export.ics")).all()
    assert len(events) == 1
    event = events[0]
    assert (event.entity, event.entity_id) == ("provider", practice.able)
    assert event.after == {"events": 3, "cancelled": 3, "from": "2027-03-12",
                           "to": "2027-03-19", "names": True}
    assert "Testcase" not in json.dumps(event.after)
    line = next(e for e in audit_events(ctx, by=practice.manager) if e.action == "export.ics")
    assert line.summary == ("exported the calendar of Dr. Avery Able: 3 visit(s), 2027-03-12 "
                            "to 2027-03-19")


def test_bad_requests_are_refused(ctx: Context, practice: Practice, tmp_path: Path) -> None:
    path = tmp_path / "x.ics"
    with pytest.raises(InvalidInput, match="before the first day"):
        ics.export_ics(ctx, by=practice.manager, output=path, first=date(2027, 3, 12),
                       last=date(2027, 3, 11), provider_id=practice.able)
    with pytest.raises(InvalidInput, match="provider or a location"):
        ics.export_ics(ctx, by=practice.manager, output=path, first=date(2027, 3, 12),
                       last=date(2027, 3, 13))
    with pytest.raises(InvalidInput, match="no provider"):
        ics.export_ics(ctx, by=practice.manager, output=path, first=date(2027, 3, 12),
                       last=date(2027, 3, 13), provider_id=999)
    assert not path.exists()


@pytest.mark.parametrize("who", ["desk", "sched"])
def test_only_a_manager_or_admin_exports_a_calendar(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path,
        who: str) -> None:
    path = tmp_path / "able.ics"
    with pytest.raises(NotAllowed, match="manager or admin"):
        ics.export_ics(ctx, by=who, output=path, first=date(2027, 3, 12),
                       last=date(2027, 3, 19), provider_id=practice.able)
    assert not path.exists()
    export(ctx, practice, path)
    assert path.exists()


def test_short_name() -> None:
    assert ics.short_name("Testcase", "Casey") == "Testcase, C."
    assert ics.short_name("Testcase", "") == "Testcase"
    assert ics.default_name("Dr. Avery Able", date(2027, 3, 12)) == (
        "dr-avery-able-2027-03-12.ics")


def test_nothing_is_written_when_the_audit_event_cannot_be(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.services.exports import common

    def busy(*_args: Any, **_kwargs: Any) -> None:
        raise Busy("the database is busy")

    monkeypatch.setattr(common, "audit", busy)
    path = tmp_path / "out" / "able.ics"
    path.parent.mkdir()
    with pytest.raises(Busy):
        export(ctx, practice, path)
    assert list(path.parent.iterdir()) == []


def test_the_audit_event_comes_before_the_file(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.services.exports import common

    path = tmp_path / "able.ics"
    seen: list[bool] = []
    real = common.audit

    def watching(*args: Any, **kwargs: Any) -> None:
        seen.append(path.exists())
        real(*args, **kwargs)

    monkeypatch.setattr(common, "audit", watching)
    export(ctx, practice, path)
    assert seen == [False]
    assert path.exists()


def test_a_folder_others_may_change_is_refused(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(InvalidInput, match="other users can change what is in"):
        export(ctx, practice, shared / "able.ics")
    assert list(shared.iterdir()) == []


def test_a_stale_part_of_the_same_file_goes(
        ctx: Context, practice: Practice, dst_visits: dict[str, int], tmp_path: Path) -> None:
    stale = tmp_path / ".able.ics.x8y7z6.part"
    stale.write_text("BEGIN:VCALENDAR")
    other = tmp_path / ".other.ics.x8y7z6.part"
    other.write_text("BEGIN:VCALENDAR")
    export(ctx, practice, tmp_path / "able.ics")
    assert not stale.exists()
    assert other.exists()


@pytest.mark.parametrize(("first", "last", "said"), [
    (date(9999, 12, 31), date(9999, 12, 31), "outside the years 1900-2200"),
    (date(1, 1, 1), date(1, 1, 2), "outside the years 1900-2200"),
    (date(2027, 1, 1), date(2030, 1, 10), "at most 1098 days"),
])
def test_a_range_beyond_reach_is_refused(ctx: Context, practice: Practice, tmp_path: Path,
                                         first: date, last: date, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        ics.export_ics(ctx, by=practice.manager, output=tmp_path / "x.ics", first=first,
                       last=last, provider_id=practice.able)
    assert not (tmp_path / "x.ics").exists()
