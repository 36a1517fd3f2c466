"""``patients add`` with every detail and the possible duplicates, ``patients show``,
``patients edit`` against a version, and ``patients merge`` — from the shell."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from frontdesk.db.engine import make_engine
from frontdesk.db.models import AuditEvent
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from tests.cli.conftest import Desk, assert_clean

MAR11 = datetime(2027, 3, 11, 10, tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)


def test_adding_someone_who_looks_known_lists_the_candidates_and_adds_nobody(
    desk: Desk,
) -> None:
    before = desk.state()
    looks = desk.run("patients", "add", "--name", "Casy Testcase", "--dob", "1970-05-17",
                     "--phone", "918-555-0199", "--as", "desk")
    assert looks.exit_code == 2
    assert looks.stdout.splitlines() == [
        "Possible duplicates already on file:",
        "ID  NAME             BORN        PHONE           WHY",
        "1   Testcase, Casey  1970-05-17  (918) 555-0111  same birth date, similar name"]
    assert looks.stderr == ("error: this may be a patient already on file (listed above); "
                            "nothing was added. If the caller is somebody else, add them with "
                            "--new\n")
    after = desk.state()
    assert after.pop("audit_event") == before.pop("audit_event") + 1  # the listing
    assert after == before
    as_json = desk.run("patients", "add", "--name", "Avery Quinn", "--dob", "1990-01-01",
                       "--phone", "918-555-0122", "--as", "desk", "--json")
    assert as_json.exit_code == 2
    doc = json.loads(as_json.stdout)
    assert [(c["patient"]["id"], c["reasons"]) for c in doc["candidates"]] == [
        (desk.practice.other_patient_id, ["same phone"])]
    added = desk.run("patients", "add", "--name", "Casy Testcase", "--dob", "1970-05-17",
                     "--phone", "918-555-0199", "--mobile", "918-555-0198", "--sms-consent",
                     "--email", "casy@example.com", "--address", "1 Test Way", "--city",
                     "Tulsa", "--state", "ok", "--zip", "74101", "--alert", "driver",
                     "--alert", "interpreter", "--alert-note", "Walker", "--new", "--as",
                     "desk", "--json")
    assert added.exit_code == 0, added.stderr
    new = json.loads(added.stdout)
    assert (new["mobile"], new["sms_consent"], new["state"], new["alerts"]) == (
        "+19185550198", True, "OK", ["interpreter", "driver"])


def test_show_edit_and_a_stale_version(desk: Desk) -> None:
    jordan = str(desk.practice.other_patient_id)
    shown = desk.run("patients", "show", jordan, "--as", "desk")
    assert_clean(shown)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        f"Patient   {jordan} · version 1", "Name      Jordan Sample", "Born      1982-11-02",
        "Phone     (918) 555-0122", "Mobile    —", "Email     —", "Address   —",
        "Location  —", "Payer     Self-pay", "Alerts    none"]
    edited = desk.run("patients", "edit", jordan, "--version", "1", "--mobile", "918 555 0191",
                      "--sms-consent", "--address", "9 Sample St", "--city", "Tulsa",
                      "--state", "OK", "--zip", "74103", "--alert", "blood-thinners",
                      "--alert-note", "Call the nurse", "--location", "Test Clinic",
                      "--as", "desk")
    assert edited.exit_code == 0, edited.stderr
    assert edited.stdout == (f"Patient {jordan}: mobile, text consent, address, city, state, "
                             "ZIP, location, alerts, alert note updated\n"
                             "Alerts: none → blood-thinners\n")
    after = desk.run("patients", "show", jordan, "--as", "desk").stdout.splitlines()
    assert after[0] == f"Patient   {jordan} · version 2"
    assert after[4:] == [
        "Mobile    (918) 555-0191 · texts: yes", "Email     —",
        "Address   9 Sample St, Tulsa, OK 74103", "Location  Test Clinic",
        "Payer     Self-pay",
        "Alerts    ⚠ On blood thinners: nurse call first · Call the nurse"]
    before = desk.state()
    stale = desk.run("patients", "edit", jordan, "--version", "1", "--email", "j@example.com",
                     "--as", "desk")
    assert stale.exit_code == 4
    assert stale.stderr == (f"error: patient {jordan} was changed by someone else meanwhile "
                            "(now version 2); look again before editing\n")
    assert desk.state() == before
    cleared = desk.run("patients", "edit", jordan, "--no-alerts", "--mobile", "", "--as",
                       "desk", "--json")
    assert cleared.exit_code == 0, cleared.stderr
    doc = json.loads(cleared.stdout)
    assert (doc["alerts"], doc["mobile"], doc["sms_consent"], doc["version"]) == (
        [], "", False, 3)


def test_edit_reports_every_bad_detail_and_needs_one(desk: Desk) -> None:
    jordan = str(desk.practice.other_patient_id)
    before = desk.state()
    bad = desk.run("patients", "edit", jordan, "--phone", "12", "--zip", "1", "--email", "x@",
                   "--payer", "Medcare", "--as", "desk")
    assert bad.exit_code == 2
    assert bad.stderr.splitlines() == [
        "error: 4 details to fix (nothing was written):",
        "  phone: not a valid phone number: check the area code and the number of digits, "
        "e.g. 918-555-0142",
        "  email: an email address looks like name@example.com",
        "  zip: a ZIP code is 5 digits, or ZIP+4 such as 74133-1234",
        "  payer: 'Medcare' is not in the practice's payer list; did you mean Medicare Part B "
        "(Novitas)?"]
    assert desk.state() == before
    nothing = desk.run("patients", "edit", jordan, "--as", "desk")
    assert nothing.exit_code == 2
    assert "give at least one detail to change" in nothing.stderr
    both = desk.run("patients", "edit", jordan, "--alert", "driver", "--no-alerts", "--as",
                    "desk")
    assert both.exit_code == 2
    twice = desk.run("patients", "edit", jordan, "--alert", "driver", "--remove-alert",
                     "driver", "--as", "desk")
    assert twice.exit_code == 2
    assert desk.state() == before


def test_merge_prints_what_moved_and_needs_a_manager(desk: Desk) -> None:
    jordan = desk.practice.other_patient_id
    twin = json.loads(desk.run("patients", "add", "--name", "Jordon Sample", "--dob",
                               "1982-11-02", "--phone", "918-555-0188", "--email",
                               "j@example.com", "--new", "--as", "desk", "--json").stdout)["id"]
    refused = desk.run("patients", "merge", str(jordan), str(twin), "--as", "desk")
    assert (refused.exit_code, refused.stderr) == (
        6, "error: merging two patient records needs a manager or admin\n")
    merged = desk.run("patients", "merge", str(jordan), str(twin), "--as", "mgr")
    assert merged.exit_code == 0, merged.stderr
    assert merged.stdout.splitlines() == [
        f"Merged patient {twin} into patient {jordan}.",
        "Moved: 0 visit(s), 0 call(s), 0 relief report(s), 0 callback(s).",
        f"Patient {jordan} took from patient {twin}: email, mobile.",  # its phone: a mobile
        f"Left on record {twin} only: name — what is still right goes to patient {jordan} "
        f"with `patients edit {jordan}`."]
    gone = desk.run("patients", "show", str(twin), "--as", "desk")
    assert (gone.exit_code, gone.stderr) == (
        2, f"error: patient: patient {twin} was merged into patient {jordan}; use {jordan}\n")
    found = json.loads(desk.run("patients", "find", "sample", "--as", "desk", "--json").stdout)
    assert [p["id"] for p in found] == [jordan]
    other_day = desk.run("patients", "merge", str(jordan), str(desk.practice.patient_id),
                         "--as", "mgr", "--json")
    assert other_day.exit_code == 2
    assert "different birth dates" in other_day.stderr
    forced = desk.run("patients", "merge", str(jordan), str(desk.practice.patient_id),
                      "--force", "--as", "mgr", "--json")
    assert forced.exit_code == 0, forced.stderr
    assert json.loads(forced.stdout)["forced"] is True


def test_patient_details_on_postgresql(pg_desk: Desk) -> None:
    jordan = str(pg_desk.practice.other_patient_id)
    edited = pg_desk.run("patients", "edit", jordan, "--email", "j@example.com", "--alert",
                         "driver", "--as", "desk", "--json")
    assert edited.exit_code == 0, edited.stderr
    assert json.loads(edited.stdout)["alerts"] == ["driver"]
    dup = pg_desk.run("patients", "add", "--name", "Sample, Jordan", "--dob", "1982-11-02",
                      "--phone", "918-555-0177", "--as", "desk")
    assert dup.exit_code == 2


def test_alert_adds_one_and_remove_alert_takes_one_off(desk: Desk) -> None:
    """--alert adds to the alerts on file (it used to replace them all); --remove-alert takes
    one off; --no-alerts clears; each prints the alerts before → after."""
    jordan = str(desk.practice.other_patient_id)
    first = desk.run("patients", "edit", jordan, "--alert", "interpreter", "--as", "desk")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == f"Patient {jordan}: alerts updated\nAlerts: none → interpreter\n"
    more = desk.run("patients", "edit", jordan, "--alert", "driver", "--alert",
                    "blood-thinners", "--as", "desk")
    assert more.exit_code == 0, more.stderr
    assert more.stdout.splitlines()[1] == (
        "Alerts: interpreter → interpreter, driver, blood-thinners")
    again = desk.run("patients", "edit", jordan, "--alert", "driver", "--as", "desk")
    assert again.stdout.splitlines() == [
        f"Patient {jordan}: nothing changed",
        "Alerts: interpreter, driver, blood-thinners → interpreter, driver, blood-thinners"]
    fewer = desk.run("patients", "edit", jordan, "--remove-alert", "interpreter",
                     "--remove-alert", "blood-thinners", "--email", "j@example.com", "--as",
                     "desk", "--json")
    assert fewer.exit_code == 0, fewer.stderr
    assert json.loads(fewer.stdout)["alerts"] == ["driver"]
    none = desk.run("patients", "edit", jordan, "--no-alerts", "--as", "desk")
    assert none.stdout.splitlines()[1] == "Alerts: driver → none"


def test_an_id_past_the_largest_is_refused_as_input(desk: Desk) -> None:
    huge = "99999999999999999999"
    for args in (("show", huge), ("edit", huge, "--email", "j@example.com"),
                 ("merge", huge, "1"), ("merge", "1", huge)):
        done = desk.run("patients", *args, "--as", "mgr")
        assert done.exit_code == 2, (args, done.stderr)
        assert "is not in the range" in done.stderr
        assert "unexpected" not in done.stderr


def test_a_retired_location_cannot_be_the_preferred_one(desk: Desk) -> None:
    from sqlmodel import Session

    from frontdesk.db.engine import make_engine
    from frontdesk.db.models import Location

    engine = make_engine(desk.db)
    with Session(engine) as session:
        old = Location(name="Old Clinic", address="1 Old Way, Tulsa, OK 74101",
                       phone="+19185550300", timezone="America/Chicago", active=False)
        session.add(old)
        session.commit()
        old_id = old.id
    engine.dispose()
    jordan = str(desk.practice.other_patient_id)
    before = desk.state()
    for where in ("Old Clinic", "old", str(old_id)):
        edited = desk.run("patients", "edit", jordan, "--location", where, "--as", "desk")
        assert edited.exit_code == 2, edited.stderr
        assert edited.stderr == ("error: location: Old Clinic is retired; choose one of "
                                 "Test Clinic\n")
    added = desk.run("patients", "add", "--name", "Avery Quinn", "--dob", "1990-01-01",
                     "--phone", "918-555-0177", "--location", "Old Clinic", "--new", "--as",
                     "desk")
    assert added.exit_code == 2
    assert "Old Clinic is retired" in added.stderr
    assert desk.state() == before
    kept = desk.run("patients", "edit", jordan, "--location", "test", "--as", "desk")
    assert kept.exit_code == 0, kept.stderr


def three_levels(desk: Desk, patient_id: int) -> int:
    """A three-level diagnostic block Thursday for the patient (Medicare allows two)."""
    engine = make_engine(desk.db)
    try:
        return scheduling.book(
            Context(engine=engine, clock=desk.clock), staff="desk", patient_id=patient_id,
            visit_type="facet-diagnostic", provider_id=desk.practice.able,
            location_id=desk.practice.location_id, start=MAR11, region="lumbar",
            levels="L3-L4, L4-L5, L5-S1", side="left", ordered_by_physician=True,
            accept_warnings=scheduling.WARNING_CODES).id
    finally:
        engine.dispose()


def overrides(desk: Desk) -> list[tuple[int | None, str]]:
    engine = make_engine(desk.db)
    try:
        with Session(engine) as session:
            return [(e.entity_id, e.after["reason"]) for e in session.exec(
                select(AuditEvent).where(AuditEvent.action == "payer.override")
                .order_by(col(AuditEvent.id))).all()]
    finally:
        engine.dispose()


def add(desk: Desk, name: str, phone: str, payer: str) -> int:
    added = desk.run("patients", "add", "--name", name, "--dob", "1948-04-09", "--phone",
                     phone, "--payer", payer, "--new", "--as", "desk", "--json")
    assert added.exit_code == 0, added.stderr
    return int(json.loads(added.stdout)["id"])


def test_a_new_payer_that_breaks_a_booked_procedure_needs_an_override_reason(
    desk: Desk,
) -> None:
    riley = add(desk, "Riley Specimen", "918-555-0144", "Self-pay")
    visit = three_levels(desk, riley)
    before = desk.state()
    refused = desk.run("patients", "edit", str(riley), "--payer", "Medicare", "--as", "sched")
    assert refused.exit_code == 6
    assert refused.stderr.splitlines()[0] == (
        "error: nothing was written: booked procedure(s) break the payer rules:")
    assert f"  visit {visit} (facet-diagnostic): " in refused.stderr
    assert "at most 2 levels per session" in refused.stderr
    assert refused.stderr.splitlines()[-1] == (
        "  give --override-reason TEXT (a scheduler, manager or admin) to make the change "
        "anyway")
    desk_may_not = desk.run("patients", "edit", str(riley), "--payer", "Medicare",
                            "--override-reason", "asked", "--as", "desk")
    assert desk_may_not.exit_code == 6
    assert "you may not override payer rules: ask a scheduler, manager or admin" in \
        desk_may_not.stderr
    assert desk.state() == before
    signed = desk.run("patients", "edit", str(riley), "--payer", "Medicare",
                      "--override-reason", "physician ordered three levels", "--as", "sched")
    assert signed.exit_code == 0, signed.stderr
    assert signed.stdout.splitlines()[-1] == (
        f"Payer rules overridden for visit(s) {visit}: reason recorded")
    assert overrides(desk) == [(visit, "physician ordered three levels")]


def test_a_merge_that_breaks_the_kept_plan_needs_an_override_reason(desk: Desk) -> None:
    kept = add(desk, "Riley Specimen", "918-555-0144", "Medicare")
    other = add(desk, "Riley Specimen", "918-555-0145", "Self-pay")
    visit = three_levels(desk, other)
    refused = desk.run("patients", "merge", str(kept), str(other), "--as", "mgr")
    assert refused.exit_code == 6
    assert f"  visit {visit} (facet-diagnostic): " in refused.stderr
    assert "give --override-reason TEXT" in refused.stderr
    merged = desk.run("patients", "merge", str(kept), str(other), "--override-reason",
                      "physician ordered three levels", "--as", "mgr")
    assert merged.exit_code == 0, merged.stderr
    lines = merged.stdout.splitlines()
    assert f"Left on record {other} only: payer — what is still right goes to " \
        f"patient {kept} with `patients edit {kept}`." in lines
    assert lines[-1] == f"Payer rules overridden for visit(s) {visit}: reason recorded"
    assert overrides(desk) == [(visit, "physician ordered three levels")]
