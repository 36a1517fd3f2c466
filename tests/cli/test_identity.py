"""Who runs a command is proven, never typed: the OS user mapped to a staff account, or --as with
that person's password (a file only they can read, a pipe, or the terminal). Unproven: exit 6,
one plain line, nothing written. Listings with patient details leave who, which command and
how many rows in the audit trail; every event says the channel and the OS user."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from frontdesk.cli import Runtime, identity
from frontdesk.db.engine import make_engine
from frontdesk.db.models import AuditEvent, Staff
from frontdesk.services.origin import real_os_user
from tests.cli.conftest import Desk, assert_clean, invoke, password_file
from tests.conftest import FrozenClock

BOOK = ("book", "--patient", "1", "--visit-type", "follow-up", "--provider", "1",
        "--location", "1", "--start", "2027-03-11T09:00")


def events(desk: Desk, action: str | None = None) -> list[AuditEvent]:
    engine = make_engine(desk.db)
    try:
        with Session(engine) as session:
            query = select(AuditEvent).order_by(col(AuditEvent.id))
            if action is not None:
                query = query.where(AuditEvent.action == action)
            return list(session.exec(query).all())
    finally:
        engine.dispose()


def account(desk: Desk, username: str) -> Staff:
    engine = make_engine(desk.db)
    try:
        with Session(engine) as session:
            return session.exec(select(Staff).where(Staff.username == username)).one()
    finally:
        engine.dispose()


def map_os_user(to: str) -> None:
    """settings.toml maps the OS user running the tests to the staff account ``to``."""
    folder = Path(os.environ["FRONTDESK_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.toml").write_text(
        f'[signin]\nos_users = {{ "{real_os_user()}" = "{to}" }}\n')


def refused(desk: Desk, *args: str, **kwargs: Any) -> str:
    """Run a command that must be refused as unproven; what it said."""
    before = desk.state()
    result = desk.run(*args, **kwargs)
    assert_clean(result)
    assert result.exit_code == 6, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert desk.state()["appointments"] == before["appointments"]
    assert desk.state()["patient"] == before["patient"]
    return str(result.stderr)


@pytest.mark.parametrize("fixture", ["desk", pytest.param("pg_desk", marks=pytest.mark.postgres)])
def test_a_proven_person_books_and_the_event_says_cli_and_the_os_user(
        fixture: str, request: pytest.FixtureRequest) -> None:
    desk: Desk = request.getfixturevalue(fixture)
    result = desk.run(*BOOK, "--as", "desk", "--json")
    assert result.exit_code == 0, result.stderr
    [booked] = events(desk, "appointment.book")
    assert (booked.channel, booked.os_user) == ("cli", real_os_user())
    assert account(desk, "desk").id == booked.staff_id


@pytest.mark.parametrize("fixture", ["desk", pytest.param("pg_desk", marks=pytest.mark.postgres)])
def test_an_unproven_name_writes_nothing(fixture: str, request: pytest.FixtureRequest) -> None:
    desk: Desk = request.getfixturevalue(fixture)
    before = len(events(desk))
    said = refused(desk, *BOOK, "--as", "boss", "--password-file", "/nonexistent/secret")
    assert "cannot read the password file /nonexistent/secret" in said
    said = refused(desk, *BOOK)
    assert f"Your OS user {real_os_user()} is not mapped to a staff account" in said
    assert len(events(desk)) == before


def test_the_admin_takeover_from_the_issue_is_refused(desk: Desk, tmp_path: Path) -> None:
    """`printf 'new\\n' | frontdesk staff reset-password boss --as boss --password-stdin`."""
    old_hash = account(desk, "boss").password_hash
    desk.passwords.pop("boss")  # the attacker does not know it
    said = refused(desk, "staff", "reset-password", "boss", "--as", "boss",
                   "--password-stdin", input="new-password-123\n")
    assert "no terminal to ask boss's password on" in said
    guess = password_file(tmp_path, "a guess")
    said = refused(desk, "staff", "reset-password", "boss", "--as", "boss", "--password-stdin",
                   "--password-file", guess, input="new-password-123\n")
    assert said == "error: not proven: wrong username or password\n"
    assert account(desk, "boss").password_hash == old_hash
    [failed] = events(desk, "staff.sign_in_failed")
    assert (failed.staff_id, failed.channel) == (account(desk, "boss").id, "cli")


def test_wrong_passwords_count_toward_the_lockout(desk: Desk, tmp_path: Path) -> None:
    guess = password_file(tmp_path, "not it")
    for _ in range(4):
        refused(desk, *BOOK, "--as", "desk", "--password-file", guess)
    said = refused(desk, *BOOK, "--as", "desk", "--password-file", guess)
    assert "too many failed sign-ins: locked until" in said
    said = refused(desk, *BOOK, "--as", "desk")  # the right password, while locked
    assert "locked until" in said
    assert account(desk, "desk").failed_signins == 5


def test_a_password_file_others_can_read_is_refused(desk: Desk, tmp_path: Path) -> None:
    shared = Path(password_file(tmp_path, desk.passwords["desk"]))
    shared.chmod(0o644)
    said = refused(desk, *BOOK, "--as", "desk", "--password-file", str(shared))
    assert f"{shared} can be read by other users: chmod 600 it first" in said
    empty = tmp_path / "empty"
    empty.touch(mode=0o600)
    assert "is empty" in refused(desk, *BOOK, "--as", "desk", "--password-file", str(empty))
    assert "only with --as" in refused(desk, *BOOK, "--password-file", str(shared))


def test_a_pipe_carries_the_password(desk: Desk) -> None:
    """What `--password-file <(pass show frontdesk)` hands the command: /dev/fd/N, a pipe."""
    read_end, write_end = os.pipe()
    os.write(write_end, (desk.passwords["desk"] + "\n").encode())
    os.close(write_end)
    try:
        result = desk.run(*BOOK, "--as", "desk", "--password-file", f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
    assert result.exit_code == 0, result.stderr


def test_the_password_is_asked_on_the_terminal_even_when_stdin_is_a_pipe(
        desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = tmp_path / "tty"
    terminal.touch()
    asked: list[str] = []
    known = desk.passwords["boss"]

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return known

    monkeypatch.setattr(identity, "TTY", str(terminal))
    monkeypatch.setattr(identity.getpass, "getpass", answer)
    desk.passwords.pop("boss")  # no --password-file: the terminal is asked
    result = desk.run("staff", "reset-password", "desk", "--as", "boss", "--password-stdin",
                      input="a-new-password-42\n")
    assert result.exit_code == 0, result.stderr
    assert asked == ["Password for boss: "]
    assert "a-new-password-42" not in result.stdout + result.stderr


def test_a_mapped_os_user_needs_no_password_but_another_name_does(desk: Desk) -> None:
    map_os_user("sched")
    desk.passwords.clear()
    result = desk.run(*BOOK)
    assert result.exit_code == 0, result.stderr
    assert desk.run("cancel", "3", "--reason", "test", "--as", "sched").exit_code == 0  # 1, 2:
    # the patients' first visits
    [booked] = events(desk, "appointment.book")
    assert booked.staff_id == account(desk, "sched").id
    assert "no terminal to ask desk's password on" in refused(desk, *BOOK, "--as", "desk")


def test_a_disabled_or_locked_mapped_account_is_not_proven(desk: Desk) -> None:
    map_os_user("desk")
    engine = make_engine(desk.db)
    try:
        with Session(engine) as session:
            row = session.exec(select(Staff).where(Staff.username == "desk")).one()
            row.active = False
            session.add(row)
            session.commit()
    finally:
        engine.dispose()
    assert "is not mapped to a staff account" in refused(desk, *BOOK)


def test_listings_with_patient_details_say_who_looked_and_how_many(desk: Desk) -> None:
    desk.run(*BOOK, "--as", "desk")
    assert desk.run("appointments", "--date", "2027-03-11", "--as", "desk").exit_code == 0
    assert desk.run("show", "1", "--as", "desk").exit_code == 0
    found = json.loads(desk.run("patients", "find", "Testcase", "--as", "desk",
                                "--json").stdout)
    listed = events(desk, "patient.list")
    assert [(e.after, e.entity_id) for e in listed] == [
        ({"command": "appointments", "rows": 1}, None),
        ({"command": "show", "rows": 1}, desk.practice.patient_id),
        ({"command": "patients find", "rows": len(found)}, None),
    ]
    assert all((e.channel, e.os_user) == ("cli", real_os_user()) for e in listed)
    assert "Testcase" not in json.dumps([e.after for e in events(desk)])
    trail = desk.run("audit", "--as", "mgr", "--action", "patient.list")
    assert "listed 1 row with patient details (show)" in trail.stdout


def test_the_everyday_listing_of_a_mapped_os_user_is_read_the_light_way_and_says_the_same(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """``appointments`` for every location, by a mapped OS user, never opens the database stack
    (services.light): same output, same audit event as the full way's."""
    desk.run(*BOOK, "--as", "desk")
    full = desk.run("appointments", "--date", "2027-03-11", "--as", "desk")
    assert full.exit_code == 0, full.stderr
    map_os_user("desk")

    def no_full_way(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the full way was opened")

    monkeypatch.setattr(Runtime, "context", no_full_way)
    light = desk.run("appointments", "--date", "2027-03-11")
    assert light.exit_code == 0, light.stderr
    assert light.stdout == full.stdout
    assert "1 appointment(s)" in light.stdout
    first, second = events(desk, "patient.list")
    assert (first.staff_id, first.action, first.after, first.channel, first.os_user) == (
        second.staff_id, second.action, second.after, second.channel, second.os_user)
    # one location goes the full way (which the patch above turns into an unexpected error)
    assert desk.run("appointments", "--date", "2027-03-11", "--location", "1").exit_code == 1


def test_finding_patients_by_a_mapped_os_user_is_done_the_light_way_and_says_the_same(
        demo_url: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """``patients find`` by a mapped OS user on the demo practice never opens the database
    stack (services.light): same table, same 'No patients match.', same audit events."""
    map_os_user("rita")
    searches = [("patients", "find", "ash"), ("patients", "find", "ashgrve", "--limit", "3"),
                ("patients", "find", "918-555-3152"), ("patients", "find", "12/21/1968"),
                ("patients", "find", "ash", "--json"), ("patients", "find", "nobody")]
    with monkeypatch.context() as full_way:
        full_way.setattr(Runtime, "light", lambda _self: None)
        full = [invoke("--db", demo_url, *args, clock=clock) for args in searches]
    assert all(r.exit_code == 0 for r in full), [r.stderr for r in full]
    assert "Ashgrove, Lorna" in full[0].stdout
    assert "(918) 555-3152" in full[2].stdout
    assert full[-1].stdout == "No patients match.\n"

    def no_full_way(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the full way was opened")

    monkeypatch.setattr(Runtime, "context", no_full_way)
    light = [invoke("--db", demo_url, *args, clock=clock) for args in searches]
    assert [(r.exit_code, r.stdout, r.stderr) for r in light] == [
        (r.exit_code, r.stdout, r.stderr) for r in full]
    listed = _patient_lists(demo_url)
    assert len(listed) == 2 * len(searches)
    said = [(e.at, e.staff_id, e.entity, e.entity_id, e.before, e.after, e.channel, e.os_user)
            for e in listed]
    assert said[:len(searches)] == said[len(searches):]
    assert said[0][5:] == ({"command": "patients find", "rows": 8}, "cli", real_os_user())
    # a refused text is refused the light way too, in the same words, writing nothing
    refused = invoke("--db", demo_url, "patients", "find", " ", clock=clock)
    assert refused.exit_code != 0
    assert "type a name, phone number or date of birth" in refused.stderr
    assert len(_patient_lists(demo_url)) == len(listed)


def _patient_lists(db: str) -> list[AuditEvent]:
    engine = make_engine(db)
    try:
        with Session(engine) as session:
            return list(session.exec(select(AuditEvent).where(
                AuditEvent.action == "patient.list").order_by(col(AuditEvent.id))).all())
    finally:
        engine.dispose()


SLOTS = (("slots", "--visit-type", "follow-up"),
         ("slots", "--visit-type", "follow-up", "--json"),
         ("slots", "--visit-type", "FACET-DIAGNOSTIC", "--days", "5", "--limit", "3"),
         ("slots", "--visit-type", "follow-up", "--from", "next tue", "--limit", "4"),
         ("slots", "--visit-type", "follow-up", "--from", "today"),
         ("slots", "--visit-type", "massage", "--days", "5"),  # nothing free
         ("slots", "--visit-type", "nope"),
         ("slots", "--visit-type", "follow-up", "--from", "yesterday"),
         ("slots", "--visit-type", "follow-up", "--from", "in 1 year"))


@pytest.mark.parametrize("mapped", [True, False])
def test_the_everyday_slot_search_is_read_the_light_way_and_says_the_same(
        desk: Desk, monkeypatch: pytest.MonkeyPatch, mapped: bool) -> None:
    """``slots`` for any location and provider never opens the database stack
    (services.light): the same output, the same refusals, as the full way's. It proves nobody,
    so a mapped OS user and an unmapped one read it alike."""
    desk.run(*BOOK, "--as", "desk")
    if mapped:
        map_os_user("desk")
    with monkeypatch.context() as patch:
        patch.setattr(Runtime, "light", lambda _runtime: None)
        full = [desk.run(*command) for command in SLOTS]

    def no_full_way(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the full way was opened")

    monkeypatch.setattr(Runtime, "context", no_full_way)
    for command, expected in zip(SLOTS, full, strict=True):
        light = desk.run(*command)
        assert_clean(light)
        assert (light.exit_code, light.stdout, light.stderr) == (
            expected.exit_code, expected.stdout, expected.stderr), command
    assert [r.exit_code for r in full] == [0, 0, 0, 0, 0, 0, 2, 2, 2]
    assert "frontdesk book --visit-type follow-up" in full[0].stdout
    # one location or one provider goes the full way (the patch above makes it fail)
    assert desk.run(*SLOTS[0], "--location", "1").exit_code == 1
    assert desk.run(*SLOTS[0], "--provider", "1").exit_code == 1
