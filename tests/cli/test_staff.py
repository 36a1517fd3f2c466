"""`frontdesk staff add|disable|reset-password` and the status column of `staff list`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from frontdesk.db.engine import make_engine, run_write
from frontdesk.db.models import Staff
from frontdesk.services import accounts
from frontdesk.services.accounts import AccountLocked, SignInRefused
from frontdesk.services.context import Context
from tests.cli.conftest import Desk, assert_clean


@pytest.fixture
def boss(desk: Desk) -> str:
    """The practice's admin, with a password."""
    set_password(desk, desk.practice.admin, "correct horse battery")
    return desk.practice.admin


def set_password(desk: Desk, username: str, password: str | None, *,
                 active: bool = True) -> None:
    engine = make_engine(desk.db)

    def work(session: Session) -> None:
        row = session.exec(select(Staff).where(Staff.username == username)).one()
        row.password_hash = None if password is None else accounts.hash_password(password)
        row.active = active

    try:
        run_write(engine, work)
    finally:
        engine.dispose()
    if password is None:
        desk.passwords.pop(username, None)
    else:
        desk.passwords[username] = password


@pytest.fixture
def service(desk: Desk) -> Iterator[Context]:
    engine = make_engine(desk.db)
    yield Context(engine=engine, clock=desk.clock)
    engine.dispose()


def test_add_reads_the_password_from_stdin_and_the_account_signs_in(
        desk: Desk, boss: str, service: Context) -> None:
    result = desk.run("staff", "add", "sam", "--name", "Sam Holloway", "--role", "scheduler",
                      "--password-stdin", "--as", boss, input="blue-stapler-42\nignored\n")
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "Added sam (Sam Holloway, scheduler)."
    assert "blue-stapler-42" not in result.stdout + result.stderr
    person = accounts.sign_in(service, username="sam", password="blue-stapler-42")
    assert person.name == "Sam Holloway"


def test_add_asks_for_the_password_twice_without_echo(desk: Desk, boss: str,
                                                      service: Context) -> None:
    result = desk.run("staff", "add", "maria", "--name", "Maria Castellano", "--role",
                      "manager", "--as", boss, "--json",
                      input="gold-plated-9\ngold-plated-9\n")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["username"] == "maria"
    assert "gold-plated-9" not in result.stdout + result.stderr
    assert "Repeat for confirmation" in result.stderr
    assert accounts.sign_in(service, username="maria", password="gold-plated-9")


def test_reset_password_sets_a_new_one_and_lifts_a_lock(desk: Desk, boss: str,
                                                        service: Context) -> None:
    desk.run("staff", "add", "sam", "--name", "Sam Holloway", "--role", "scheduler",
             "--password-stdin", "--as", boss, input="blue-stapler-42\n")
    for _ in range(4):
        with pytest.raises(SignInRefused):
            accounts.sign_in(service, username="sam", password="wrong guess")
    with pytest.raises(AccountLocked):
        accounts.sign_in(service, username="sam", password="wrong guess")
    listed = desk.run("staff", "list").stdout.splitlines()
    assert listed[0].split()[-1] == "STATUS"
    assert [line.split()[-1] for line in listed[1:]] == ["1", "2", "3", "4", "LOCKED"]

    result = desk.run("staff", "reset-password", "sam", "--password-stdin", "--as", boss,
                      input="fresh-start-77\n")
    assert result.exit_code == 0, result.stderr
    assert "New password set for sam" in result.stdout
    assert accounts.sign_in(service, username="sam", password="fresh-start-77")
    assert desk.run("staff", "list").stdout.splitlines()[5].split()[-1] == "5"


def test_disable_removes_the_account_from_the_list(desk: Desk, boss: str,
                                                   service: Context) -> None:
    result = desk.run("staff", "disable", "desk", "--as", boss)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "Disabled desk (Dana Desk)."
    names = [s["username"] for s in json.loads(desk.run("staff", "list", "--json").stdout)]
    assert names == ["sched", "mgr", "boss"]


def test_a_non_admin_gets_exit_6_and_nothing_is_written(desk: Desk, boss: str) -> None:
    before = desk.state()
    for args in (("add", "sam", "--name", "Sam Holloway", "--role", "scheduler",
                  "--password-stdin"),
                 ("disable", "boss"),
                 ("reset-password", "boss", "--password-stdin")):
        result = desk.run("staff", *args, "--as", "desk", input="blue-stapler-42\n")
        assert_clean(result)
        assert result.exit_code == 6, (args, result.stderr)
        assert result.stderr.strip() == "error: managing staff accounts needs an admin"
    assert desk.state() == before


def test_bad_input_gets_exit_2(desk: Desk, boss: str) -> None:
    before = desk.state()
    cases = [
        (("add", "Sam Smith", "--name", "Sam Smith", "--role", "scheduler"), "username:"),
        (("add", "sam", "--name", "Sam Smith", "--role", "scheduler"), "password:"),
        (("add", "desk", "--name", "Dana Again", "--role", "receptionist"), "taken"),
        (("add", "sam", "--name", "Sam Smith", "--role", "boss"), "boss"),
        (("reset-password", "ghost"), "no staff member"),
        (("disable", "boss"), "last active admin"),
    ]
    for args, message in cases:
        stdin = "short\n" if message == "password:" else "long enough pw\n"
        result = desk.run("staff", *args, "--password-stdin", "--as", boss, input=stdin) \
            if args[0] != "disable" else desk.run("staff", *args, "--as", boss)
        assert_clean(result)
        assert result.exit_code == 2, (args, result.stderr)
        assert message in result.stderr
    assert desk.state() == before


def test_an_empty_stdin_is_refused_and_a_password_option_does_not_exist(
        desk: Desk, boss: str) -> None:
    empty = desk.run("staff", "add", "sam", "--name", "Sam Holloway", "--role", "scheduler",
                     "--password-stdin", "--as", boss, input="")
    assert empty.exit_code == 2
    assert "nothing on standard input" in empty.stderr
    option = desk.run("staff", "add", "sam", "--name", "Sam Holloway", "--role", "scheduler",
                      "--password", "blue-stapler-42", "--as", boss)
    assert option.exit_code == 2


def test_a_practices_first_admin_is_added_without_as(desk: Desk, service: Context) -> None:
    set_password(desk, desk.practice.admin, None, active=False)  # a practice with no admin
    first = desk.run("staff", "add", "root", "--name", "Ada Root", "--role", "admin",
                     "--password-stdin", input="correct horse battery\n")
    assert first.exit_code == 0, first.stderr
    assert accounts.sign_in(service, username="root", password="correct horse battery")
    second = desk.run("staff", "add", "ann", "--name", "Ann Other", "--role", "admin",
                      "--password-stdin", input="correct horse battery\n")
    assert second.exit_code == 6
    assert "who is running this?" in second.stderr
