"""``practice apply`` and ``export`` against the database: a new practice from its file offers
slots, books and reports; re-applying changes nothing; retiring what visits ahead need is
refused; new hours mark the visits they strand; the file's payers are the ones checked."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from frontdesk.db.engine import read_session
from frontdesk.db.models import Appointment, Closure, Location, Room, Staff, VisitType
from frontdesk.services import accounts, directory, practice, scheduling
from frontdesk.services.accounts import SignInRefused, passwords
from frontdesk.services.context import Context, open_context
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.report.daily import daily_report
from tests.conftest import FrozenClock
from tests.practice import TEST_HASHER
from tests.practice_file import CLINIC

BOSS_PASSWORD = "Correct-Horse-Battery-9"
TABLES = ("location", "room", "visit_type", "provider", "provider_visit_type", "template",
          "staff", "closure", "practice_setting", "appointment", "audit_event")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "demo-practice.toml"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "PASSWORD_HASHER", TEST_HASHER)


@pytest.fixture
def boss(ctx: Context) -> str:
    """The first admin of an empty database, as `frontdesk staff add --role admin` makes it."""
    accounts.add_staff(ctx, by="", username="boss", name="Bo Boss", role="admin",
                       password=BOSS_PASSWORD)
    return "boss"


@pytest.fixture
def clinic(ctx: Context, boss: str) -> practice.Outcome:
    return practice.apply_practice(ctx, staff=boss, text=CLINIC)


def state(ctx: Context) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        found: dict[str, Any] = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                                 for t in TABLES}
        for t in ("location", "room", "visit_type", "provider", "staff"):
            found[t + "s"] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} "
                                                                  "ORDER BY id"))]
        found["templates"] = [tuple(r) for r in conn.execute(text(
            "SELECT * FROM template ORDER BY id"))]
    return found


def ids(ctx: Context) -> dict[str, int]:
    with read_session(ctx.engine) as s:
        out = {loc.name: loc.id or 0 for loc in s.exec(select(Location))}
        out.update({f"room {r.name}": r.id or 0 for r in s.exec(select(Room))})
    out.update({p.name: p.id for p in directory.providers(ctx)})
    return out


def next_monday_slot(ctx: Context, code: str, **kwargs: Any) -> Any:
    found = scheduling.find_slots(ctx, visit_type=code, start=datetime(2027, 3, 15, 13,
                                                                       tzinfo=UTC), **kwargs)
    assert found, code
    return found[0]


def test_a_new_practice_from_its_file_offers_slots_books_and_reports(
        ctx: Context, clinic: practice.Outcome) -> None:
    assert clinic.applied
    kinds = {(c.kind, c.action) for c in clinic.changes}
    assert {("location", "added"), ("room", "added"), ("visit type", "added"),
            ("provider", "added"), ("hours", "added"), ("staff", "added"),
            ("holiday", "added"), ("practice", "changed"), ("payers", "changed"),
            ("plans", "changed")} <= kinds
    assert [loc.name for loc in directory.locations(ctx)] == ["Prairie North", "Prairie South"]
    where = ids(ctx)
    slot = next_monday_slot(ctx, "new-patient", provider_ids=[where["Dr. Robin Quill"]])
    assert slot.location_name == "Prairie North"
    assert slot.local_start.hour == 8  # Monday 15 March, 08:00 in Tulsa
    patient = directory.add_patient(ctx, staff="boss", name="Casey Testcase",
                                    dob=date(1970, 5, 17), phone="918-555-0142")
    booked = scheduling.book(ctx, staff="boss", patient_id=patient.id,
                             visit_type="new-patient", provider_id=slot.provider_id,
                             location_id=slot.location_id, start=slot.start,
                             accept_warnings=scheduling.WARNING_CODES)
    report = daily_report(ctx, by="boss", day=date(2027, 3, 10))
    assert [(b.location, b.visit_code, b.made.ids) for b in report.bookings] == [
        ("Prairie North", "new-patient", (booked.id,))]
    assert booked.provider_name == "Dr. Robin Quill"
    with read_session(ctx.engine) as s:  # the holidays of the packaged calendar and the file
        reasons = {c.reason for c in s.exec(select(Closure))}
    assert {"Staff training", "Independence Day", "Day after Thanksgiving"} <= reasons


def test_applying_the_same_file_again_writes_nothing(ctx: Context,
                                                      clinic: practice.Outcome) -> None:
    from frontdesk.services.audit.trail import audit_events

    [event] = audit_events(ctx, by="boss", action="practice.apply")
    assert event.staff == "boss"
    assert event.summary == (f"applied the practice file: {len(clinic.changes) - 3} added, "
                             "3 changed")  # the practice's name and phone, payers, plans
    before = state(ctx)
    again = practice.apply_practice(ctx, staff="boss", text=CLINIC)
    assert again.changes == ()
    assert not again.applied
    assert state(ctx) == before


def test_a_dry_run_prints_the_plan_and_writes_nothing(ctx: Context, boss: str) -> None:
    before = state(ctx)
    plan = practice.apply_practice(ctx, staff=boss, text=CLINIC, dry_run=True)
    assert len(plan.changes) > 10
    assert not plan.applied
    assert state(ctx) == before


def test_a_wrong_file_writes_nothing(ctx: Context, clinic: practice.Outcome) -> None:
    before = state(ctx)
    wrong = CLINIC.replace('timezone = "America/Chicago"', 'timezone = "Chicago"', 1)
    with pytest.raises(practice.PracticeFileError) as caught:
        practice.apply_practice(ctx, staff="boss", text=wrong)
    assert [(p.line, p.reason[:30]) for p in caught.value.problems] == [
        (10, "timezone 'Chicago' is not a ti")]
    assert state(ctx) == before


def test_only_an_admin_applies_the_file(ctx: Context, clinic: practice.Outcome) -> None:
    accounts.reset_password(ctx, by="boss", username="dana", password="Desk-Password-2027")
    before = state(ctx)
    with pytest.raises(NotAllowed, match="setting up the practice from its file needs an admin"):
        practice.apply_practice(ctx, staff="dana", text=CLINIC.replace("Bo Boss", "Bo"))
    with pytest.raises(NotAllowed):
        practice.export_practice(ctx, staff="dana")
    assert state(ctx) == before


def test_staff_are_created_without_a_password_and_sign_in_once_an_admin_sets_one(
        ctx: Context, clinic: practice.Outcome) -> None:
    with read_session(ctx.engine) as s:
        dana = s.exec(select(Staff).where(Staff.username == "dana")).one()
    assert dana.password_hash is None
    assert dana.role == "receptionist"
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, username="dana", password="anything-at-all")
    accounts.reset_password(ctx, by="boss", username="dana", password="Desk-Password-2027")
    assert accounts.sign_in(ctx, username="dana", password="Desk-Password-2027").username == "dana"


def test_staff_left_out_are_disabled_but_never_the_admin_applying(
        ctx: Context, clinic: practice.Outcome) -> None:
    only_dana = CLINIC.replace('[[staff]]\nusername = "boss"\nname = "Bo Boss"\nrole = "admin"\n',
                               "")
    done = practice.apply_practice(ctx, staff="boss", text=only_dana)
    assert [c.name for c in done.changes] == []
    assert done.notes == ("staff boss: not in the file, but you are applying it: kept active",)
    demoted = CLINIC.replace('name = "Bo Boss"\nrole = "admin"', 'name = "Bo Boss"\n'
                                                                 'role = "manager"')
    with pytest.raises(practice.PracticeFileError) as caught:
        practice.apply_practice(ctx, staff="boss", text=demoted)
    first = demoted[:demoted.index("[[staff]]")].count("\n") + 1
    role = demoted[:demoted.index('role = "manager"')].count("\n") + 1
    assert [(p.line, p.reason) for p in caught.value.problems] == [  # the staff entry's lines
        (first, "no active admin would be left: list at least one admin"),
        (role, "boss is you: take away your own admin role with another admin's file, "
               "not your own")]
    no_dana = CLINIC.replace('username = "dana"\nname = "Dana Desk"\nrole = "receptionist"',
                             'username = "erin"\nname = "Erin Desk"\nrole = "receptionist"')
    done = practice.apply_practice(ctx, staff="boss", text=no_dana)
    assert {(c.action, c.name) for c in done.changes} == {("added", "erin"),
                                                          ("retired", "dana")}
    assert [s.username for s in directory.staff(ctx)] == ["boss", "erin"]


def _booked(ctx: Context, provider: str, location: str, code: str = "follow-up") -> Any:
    where = ids(ctx)
    slot = next_monday_slot(ctx, code, provider_ids=[where[provider]],
                            location_ids=[where[location]])
    patient = directory.add_patient(ctx, staff="boss", name="Jordan Sample",
                                    dob=date(1982, 11, 2), phone="918-555-0177")
    return scheduling.book(ctx, staff="boss", patient_id=patient.id, visit_type=code,
                           provider_id=slot.provider_id, location_id=slot.location_id,
                           start=slot.start, ordered_by_physician=True,
                           accept_warnings=scheduling.WARNING_CODES)


@pytest.mark.parametrize(("cut", "what"), [
    ('  { name = "Exam 1", kind = "exam" },\n', "room"),
    ('[[visit_types]]\ncode = "follow-up"\nname = "Follow-up"\nduration = 20\nroom = "exam"\n'
     'colour = "cyan"\n', "visit type"),
])
def test_retiring_what_a_visit_ahead_needs_is_refused(ctx: Context, clinic: practice.Outcome,
                                                      cut: str, what: str) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")
    before = state(ctx)
    smaller = CLINIC.replace(cut, "").replace('visit_types = ["new-patient", "follow-up", '
                                              '"facet-diagnostic"]', 'visit_types = '
                                              '["new-patient", "facet-diagnostic"]').replace(
        'visit_types = ["new-patient", "follow-up"]', 'visit_types = ["new-patient"]'
    ) if what == "visit type" else CLINIC.replace(cut, "")
    with pytest.raises(practice.RetireRefused) as caught:
        practice.apply_practice(ctx, staff="boss", text=smaller)
    assert [v.id for v in caught.value.visits] == [visit.id]
    assert state(ctx) == before


def test_retiring_a_provider_or_location_with_visits_ahead_is_refused(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")
    before = state(ctx)
    without = CLINIC[:CLINIC.index('[[providers]]\nname = "Lee Marsh"')] + CLINIC[
        CLINIC.index("[[staff]]"):]
    with pytest.raises(practice.RetireRefused) as caught:
        practice.apply_practice(ctx, staff="boss", text=without)
    assert [v.id for v in caught.value.visits] == [visit.id]
    assert state(ctx) == before


def test_retired_rooms_visit_types_and_locations_are_offered_no_more(
        ctx: Context, clinic: practice.Outcome) -> None:
    where = ids(ctx)
    smaller = (CLINIC.replace('  { name = "Exam B", kind = "exam" },\n', "")
               .replace(', "facet-diagnostic"]', "]")
               .replace(CLINIC[CLINIC.index('[[visit_types]]\ncode = "facet-diagnostic"'):
                               CLINIC.index("[[providers]]")], "")
               .replace(CLINIC[CLINIC.index('[[locations]]\nname = "Prairie South"'):
                               CLINIC.index("[[visit_types]]")], "")
               .replace(', "Prairie South" = "Mon,Wed,Fri 09:00-15:00"', ""))
    done = practice.apply_practice(ctx, staff="boss", text=smaller)
    assert {(c.kind, c.action, c.name) for c in done.changes if c.action == "retired"} == {
        ("room", "retired", "Prairie North / Exam B"),
        ("visit type", "retired", "facet-diagnostic"),
        ("location", "retired", "Prairie South"),
        ("room", "retired", "Prairie South / Exam 1")}  # a location's rooms go with it
    found = scheduling.find_slots(ctx, visit_type="follow-up",
                                  start=datetime(2027, 3, 15, 13, tzinfo=UTC), limit=40)
    assert {s.room_name for s in found} == {"Exam A"}
    assert {s.location_name for s in found} == {"Prairie North"}
    first = _booked(ctx, "Dr. Robin Quill", "Prairie North")  # Exam A, Monday 08:00
    after = next_monday_slot(ctx, "follow-up", provider_ids=[where["Dr. Robin Quill"]])
    assert after.start > first.start  # Exam B would have been free at 08:00
    with pytest.raises(InvalidInput, match="facet-diagnostic is retired"):
        scheduling.find_slots(ctx, visit_type="facet-diagnostic")
    assert [loc.name for loc in directory.locations(ctx)] == ["Prairie North"]
    assert [r.name for r in directory.rooms(ctx)] == ["Exam A", "Suite"]
    assert "facet-diagnostic" not in {v.code for v in directory.visit_types(ctx)}
    with pytest.raises(InvalidInput, match="Exam B at Prairie North is retired"):
        scheduling.book(ctx, staff="boss", patient_id=1, visit_type="follow-up",
                        provider_id=where["Dr. Robin Quill"],
                        location_id=where["Prairie North"],
                        start=datetime(2027, 3, 16, 13, tzinfo=UTC),
                        room_id=where["room Exam B"])
    again = practice.apply_practice(ctx, staff="boss", text=CLINIC)  # all back
    assert {c.action for c in again.changes} == {"changed", "added"}
    with read_session(ctx.engine) as s:
        assert all(vt.active for vt in s.exec(select(VisitType)))


def test_new_hours_keep_the_visits_they_strand_and_mark_them(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")  # Monday 09:00 in Tulsa
    shorter = CLINIC.replace('"Prairie South" = "Mon,Wed,Fri 09:00-15:00"',
                             '"Prairie South" = "Wed,Fri 09:00-15:00"')
    done = practice.apply_practice(ctx, staff="boss", text=shorter)
    assert [(c.kind, c.name, c.fields) for c in done.changes] == [
        ("hours", "Lee Marsh at Prairie South",
         (("hours", "Mon,Wed,Fri 09:00-15:00", "Wed,Fri 09:00-15:00"),))]
    assert [v.id for v in done.stranded] == [visit.id]
    with read_session(ctx.engine) as s:
        row = s.get(Appointment, visit.id)
        assert row is not None
        assert row.status == "booked"
        assert row.attention is not None
        assert "outside the provider's hours" in row.attention
    assert practice.apply_practice(ctx, staff="boss", text=shorter).changes == ()


def test_the_file_s_payers_are_the_ones_the_app_checks(ctx: Context, db_url: str,
                                                      clock: FrozenClock,
                                                      clinic: practice.Outcome) -> None:
    reopened = open_context(db_url, clock=clock, upgrade=False)
    try:
        assert reopened.settings.practice_name == "Prairie Spine Clinic"
        assert reopened.settings.practice_phone == "+19185550199"
        plan = reopened.settings.catalogue.match("ok care plus")
        assert plan is not None
        assert plan.key == "okcare"
        rules = next(r for r in reopened.settings.payers if r.key == "okcare")
        assert rules.max_rfa == 1
        patient = directory.add_patient(reopened, staff="boss", name="Quinn Placeholder",
                                        dob=date(1960, 1, 2), phone="918-555-0133",
                                        payer="okc")
        assert patient.payer_key == "okcare"
    finally:
        reopened.engine.dispose()
    with pytest.raises(InvalidInput):  # the context opened before the file knows no OK Care
        directory.add_patient(ctx, staff="boss", name="Quinn Other", dob=date(1960, 1, 3),
                              phone="918-555-0134", payer="okc")


def test_export_then_apply_changes_nothing(ctx: Context, clinic: practice.Outcome) -> None:
    exported = practice.export_practice(ctx, staff="boss")
    before = state(ctx)
    assert practice.apply_practice(ctx, staff="boss", text=exported).changes == ()
    assert state(ctx) == before
    mine, theirs = practice.read_file(CLINIC), practice.read_file(exported)
    assert (mine.practice, mine.locations, mine.visit_types, mine.providers, mine.payers,
            mine.plans) == (theirs.practice, theirs.locations, theirs.visit_types,
                            theirs.providers, theirs.payers, theirs.plans)
    assert theirs.holidays is not None
    assert theirs.holidays.calendar == "us"
    assert theirs.holidays.dates == ((date(2027, 3, 19), "Staff training"),)


@pytest.fixture
def empty(ctx: Context, boss: str) -> Context:
    return ctx


def test_the_demo_practice_file_applies_to_an_empty_database_and_exports_the_same(
        empty: Context) -> None:
    demo = DOCS.read_text(encoding="utf-8")
    done = practice.apply_practice(empty, staff="boss", text=demo)
    assert done.applied
    exported = practice.export_practice(empty, staff="boss")
    assert practice.apply_practice(empty, staff="boss", text=exported).changes == ()
    assert practice.apply_practice(empty, staff="boss", text=demo).changes == ()
    shipped, again = practice.read_file(demo), practice.read_file(exported)
    assert (shipped.locations, shipped.visit_types, shipped.providers) == (
        again.locations, again.visit_types, again.providers)
    assert scheduling.find_slots(empty, visit_type="rfa", limit=3)


def test_a_section_left_out_is_not_managed(ctx: Context, clinic: practice.Outcome) -> None:
    before = state(ctx)
    only_staff = CLINIC[CLINIC.index("[[staff]]"):CLINIC.index("[holidays]")]
    assert practice.apply_practice(ctx, staff="boss", text=only_staff).changes == ()
    assert state(ctx) == before


def test_holidays_are_added_renamed_and_removed_from_today_on(
        ctx: Context, clinic: practice.Outcome) -> None:
    changed = CLINIC.replace('calendar = "us"\n', "").replace(
        '{ date = 2027-03-19, name = "Staff training" },',
        '{ date = 2027-03-19, name = "Staff training day" },\n'
        '  { date = 2027-12-24, name = "Christmas Eve" },')
    done = practice.apply_practice(ctx, staff="boss", text=changed)
    actions = {(c.action, c.name) for c in done.changes}
    assert ("changed", "Fri 2027-03-19") in actions
    assert ("added", "Fri 2027-12-24 Christmas Eve") not in actions  # a packaged day renamed
    assert ("changed", "Fri 2027-12-24") in actions
    assert ("retired", "Mon 2027-05-31 Memorial Day") in actions
    with read_session(ctx.engine) as s:
        reasons = sorted(c.reason for c in s.exec(select(Closure)))
    assert reasons == ["Christmas Eve", "Staff training day"]
    assert practice.apply_practice(ctx, staff="boss", text=changed).changes == ()


def test_hours_may_be_a_weekly_rule(ctx: Context, clinic: practice.Outcome) -> None:
    fortnightly = CLINIC.replace(
        '"Prairie South" = "Mon,Wed,Fri 09:00-15:00"',
        '"Prairie South" = ["Mon,Wed 09:00-15:00", '
        '"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00"]')
    done = practice.apply_practice(ctx, staff="boss", text=fortnightly)
    assert [c.fields for c in done.changes] == [(
        ("hours", "Mon,Wed,Fri 09:00-15:00",
         "Mon,Wed 09:00-15:00; RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00"),)]
    where = ids(ctx)
    saturday = scheduling.find_slots(ctx, visit_type="follow-up",
                                     start=datetime(2027, 3, 13, 6, tzinfo=UTC), days=1,
                                     provider_ids=[where["Lee Marsh"]])
    assert saturday[0].local_start.hour == 9
    exported = practice.export_practice(ctx, staff="boss")
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00" in exported
    assert practice.apply_practice(ctx, staff="boss", text=exported).changes == ()


def test_the_demo_practice_file_is_the_demo(sqlite_ctx: Context) -> None:
    """docs/demo-practice.toml is what `frontdesk --demo practice export` writes (but for the
    holidays, which follow today's date)."""
    from frontdesk.services import demo

    demo.seed_demo(sqlite_ctx)
    exported = practice.read_file(practice.export_practice(sqlite_ctx, staff="adam"))
    shipped = practice.read_file(DOCS.read_text(encoding="utf-8"))
    assert (exported.practice, exported.locations, exported.visit_types, exported.providers,
            exported.staff) == (shipped.practice, shipped.locations, shipped.visit_types,
                                shipped.providers, shipped.staff)


# ---------------------------------------------------------------- what the review found


def _refused(ctx: Context, text: str) -> dict[int, list[str]]:
    before = state(ctx)
    with pytest.raises(practice.RetireRefused) as caught:
        practice.apply_practice(ctx, staff="boss", text=text)
    assert state(ctx) == before
    assert [v.id for v in caught.value.visits] == list(caught.value.reasons)
    return caught.value.reasons


def test_a_room_that_changes_kind_under_a_visit_ahead_is_refused(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")  # follow-up in Exam 1
    suite = CLINIC.replace('{ name = "Exam 1", kind = "exam" }',
                           '{ name = "Exam 1", kind = "procedure" }')
    assert _refused(ctx, suite) == {visit.id: [
        "room Prairie South / Exam 1 becomes procedure; follow-up needs an exam room"]}


def test_a_visit_type_that_needs_another_room_under_a_visit_ahead_is_refused(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")  # follow-up in Exam 1
    moved = CLINIC.replace('duration = 20\nroom = "exam"', 'duration = 20\nroom = "procedure"')
    assert _refused(ctx, moved) == {visit.id: [
        "visit type follow-up now needs a procedure room; Prairie South / Exam 1 is exam"]}


def test_a_provider_who_stops_performing_a_booked_visit_type_is_refused(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")
    fewer = CLINIC.replace('visit_types = ["new-patient", "follow-up"]',
                           'visit_types = ["new-patient"]')
    assert _refused(ctx, fewer) == {visit.id: ["Lee Marsh no longer performs follow-up"]}
    quill = CLINIC.replace('visit_types = ["new-patient", "follow-up", "facet-diagnostic"]',
                           'visit_types = ["new-patient", "facet-diagnostic"]')
    done = practice.apply_practice(ctx, staff="boss", text=quill)  # none of his are booked
    assert [c.name for c in done.changes] == ["Dr. Robin Quill"]


def test_a_location_s_time_zone_does_not_change_under_visits_ahead(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")
    south = CLINIC.index('name = "Prairie South"')
    denver = CLINIC[:south] + CLINIC[south:].replace('timezone = "America/Chicago"',
                                                     'timezone = "America/Denver"', 1)
    assert _refused(ctx, denver) == {visit.id: [
        "Prairie South changes time zone from America/Chicago to America/Denver (the visit "
        "would move on the local clock)"]}
    north = denver.replace('timezone = "America/Denver"', 'timezone = "America/Chicago"'
                           ).replace('timezone = "America/Chicago"',
                                     'timezone = "America/Denver"', 1)
    done = practice.apply_practice(ctx, staff="boss", text=north)  # no visits ahead there
    assert ("location", "Prairie North") in {(c.kind, c.name) for c in done.changes}


def test_a_visit_type_s_new_length_marks_its_visits_ahead_and_keeps_their_flags(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")
    with ctx.engine.begin() as conn:  # as an import flags a payer rule
        conn.execute(text("UPDATE appointment SET attention = :a WHERE id = :i"),
                     {"a": "imported: payer rule to check", "i": visit.id})
    longer = CLINIC.replace('duration = 20\nroom = "exam"', 'duration = 30\nroom = "exam"')
    dry = practice.apply_practice(ctx, staff="boss", text=longer, dry_run=True)
    assert [v.id for v in dry.stranded] == [visit.id]
    done = practice.apply_practice(ctx, staff="boss", text=longer)
    why = "follow-up now 30 min (booked as 20 min): check this visit's time"
    assert done.reasons == ((visit.id, why),)
    with read_session(ctx.engine) as s:
        row = s.get(Appointment, visit.id)
        assert row is not None
        assert row.status == "booked"
        assert row.attention == f"imported: payer rule to check; {why}"


def test_marking_keeps_within_the_column() -> None:
    from frontdesk.services.practice.ahead import ATTENTION_MAX, joined

    long = joined("x" * 190, "outside the provider's hours")
    assert len(long) == ATTENTION_MAX
    assert long.startswith("x" * 190)
    assert long.endswith("…")
    assert joined("a; b", "b") == "a; b"


def test_a_dry_run_lists_the_visits_new_hours_would_strand(
        ctx: Context, clinic: practice.Outcome) -> None:
    visit = _booked(ctx, "Lee Marsh", "Prairie South")  # Monday 09:00
    shorter = CLINIC.replace('"Prairie South" = "Mon,Wed,Fri 09:00-15:00"',
                             '"Prairie South" = "Wed,Fri 09:00-15:00"')
    before = state(ctx)
    dry = practice.apply_practice(ctx, staff="boss", text=shorter, dry_run=True)
    assert not dry.applied
    assert [v.id for v in dry.stranded] == [visit.id]
    assert "outside the provider's hours" in dict(dry.reasons)[visit.id]
    assert state(ctx) == before


def test_the_settings_file_s_payer_tables_stay_beneath_the_practice_file_s(
        ctx: Context, db_url: str, clock: FrozenClock, clinic: practice.Outcome) -> None:
    from frontdesk.domain.settings import parse_settings

    settings, problems = parse_settings({"payers": {"medicare": {"max_rfa": 1},
                                                    "okcare": {"max_rfa": 0, "label": "OKC"}}})
    assert problems == []
    reopened = open_context(db_url, settings=settings, clock=clock, upgrade=False)
    try:
        rules = {r.key: r for r in reopened.settings.payers}
        assert rules["medicare"].max_rfa == 1  # the settings file's stricter rule holds
        assert rules["okcare"].max_rfa == 1  # the practice file sets this key: it wins
        assert rules["okcare"].label == "OK Care"
        looser = CLINIC.replace("max_rfa = 1", "max_rfa = 3")
        done = practice.apply_practice(reopened, staff="boss", text=looser, dry_run=True)
        [payers] = [c for c in done.changes if c.kind == "payers"]
        assert payers.fields == (("[payers.okcare] max_rfa", "1", "3"),)
    finally:
        reopened.engine.dispose()


def test_an_account_enabled_again_by_the_file_has_no_password_and_roles_are_audited(
        ctx: Context, clinic: practice.Outcome) -> None:
    from frontdesk.services.audit.trail import audit_events

    accounts.reset_password(ctx, by="boss", username="dana", password="Desk-Password-2027")
    without = CLINIC.replace('username = "dana"\nname = "Dana Desk"\nrole = "receptionist"',
                             'username = "erin"\nname = "Erin Desk"\nrole = "manager"')
    practice.apply_practice(ctx, staff="boss", text=without)
    back = CLINIC.replace('role = "receptionist"', 'role = "admin"')
    done = practice.apply_practice(ctx, staff="boss", text=back)
    [dana] = [c for c in done.changes if c.name == "dana"]
    assert ("password", "as before", "cleared (an admin sets a new one)") in dana.fields
    with read_session(ctx.engine) as s:
        row = s.exec(select(Staff).where(Staff.username == "dana")).one()
        assert (row.active, row.password_hash, row.failed_signins, row.locked_until) == (
            True, None, 0, None)
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, username="dana", password="Desk-Password-2027")
    events = audit_events(ctx, by="boss", action="practice.apply")
    with ctx.engine.connect() as conn:
        afters = [json.loads(a) if isinstance(a, str) else a for a in conn.execute(text(
            "SELECT after FROM audit_event WHERE action = 'practice.apply' ORDER BY id"
        )).scalars()]
    assert len(afters) == len(events) == 3
    assert {"username": "erin", "before": None, "after": "manager"} in afters[1]["roles"]
    assert afters[2]["roles"] == [{"username": "dana", "before": "receptionist",
                                   "after": "admin"}]
    assert afters[2]["reenabled"] == ["dana"]


def _closure_start(ctx: Context, reason: str) -> datetime:
    with read_session(ctx.engine) as s:
        row = s.exec(select(Closure).where(Closure.reason == reason)).one()
    moment = row.starts_at
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def test_holidays_close_the_practice_s_day_whatever_location_is_first(
        ctx: Context, boss: str) -> None:
    denver = CLINIC.replace('timezone = "America/Chicago"', 'timezone = "America/Denver"', 1)
    practice.apply_practice(ctx, staff=boss, text=denver)
    assert _closure_start(ctx, "Staff training") == datetime(2027, 3, 19, 5, tzinfo=UTC)
    eastern = denver.replace('phone = "(918) 555-0199"',
                             'phone = "(918) 555-0199"\ntimezone = "America/New_York"')
    done = practice.apply_practice(ctx, staff=boss, text=eastern)
    assert ("practice", "changed") in {(c.kind, c.action) for c in done.changes}
    assert _closure_start(ctx, "Staff training") == datetime(2027, 3, 19, 4, tzinfo=UTC)
    exported = practice.export_practice(ctx, staff=boss)
    assert 'timezone = "America/New_York"' in exported
    assert practice.apply_practice(ctx, staff=boss, text=exported).changes == ()
