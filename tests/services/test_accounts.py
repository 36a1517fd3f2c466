"""Staff accounts on SQLite and PostgreSQL: signing in, lockout, the SSH mapping and the admin's
commands. The frozen clock is Wed 2027-03-10 09:00 in Tulsa (CST, UTC-6)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from frontdesk.db.engine import run_write
from frontdesk.db.models import AuditEvent, Staff
from frontdesk.db.queries import username_key as staff_key
from frontdesk.domain.model import Role
from frontdesk.domain.settings import SignInSettings
from frontdesk.services import accounts, demo
from frontdesk.services.accounts import AccountLocked, SignInRefused, passwords, signin
from frontdesk.services.context import Context
from frontdesk.services.demo.content import DEMO_STAFF, demo_password
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.origin import Origin
from tests.conftest import FrozenClock
from tests.practice import Practice

ADMIN_PW = "correct horse battery"
SAM_PW = "blue-stapler-42"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test seam: a cheap argon2 cost so the suite stays quick (production: the defaults)."""
    monkeypatch.setattr(passwords, "PASSWORD_HASHER",
                         PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def admin(ctx: Context, practice: Practice) -> str:
    """``root`` (admin, with a password) next to the practice's ``desk`` (no password)."""
    def work(session: Session) -> None:
        session.add(Staff(name="Ada Root", username="root", role="admin",
                          password_hash=accounts.hash_password(ADMIN_PW)))

    run_write(ctx.engine, work)
    return "root"


@pytest.fixture
def sam(ctx: Context, admin: str) -> str:
    accounts.add_staff(ctx, by=admin, username="sam", name="Sam Holloway",
                       role=Role.SCHEDULER, password=SAM_PW)
    return "sam"


def audit(ctx: Context, *actions: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        query = select(AuditEvent).order_by(col(AuditEvent.id))
        if actions:
            query = query.where(col(AuditEvent.action).in_(actions))
        return list(session.exec(query).all())


def account(ctx: Context, username: str) -> Staff:
    with Session(ctx.engine) as session:
        row = session.exec(select(Staff).where(Staff.username == username)).one()
        session.expunge(row)
        return row


def staff_id(ctx: Context, username: str) -> int:
    return account(ctx, username).id or 0


def with_signin(ctx: Context, **changes: Any) -> Context:
    return replace(ctx, settings=replace(ctx.settings,
                                         signin=replace(SignInSettings(), **changes)))


def fail(ctx: Context, username: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(SignInRefused):
            accounts.sign_in(ctx, username=username, password="not the password")


def no_secrets(ctx: Context, *secrets: str) -> None:
    dumped = json.dumps([(e.before, e.after) for e in audit(ctx)])
    for secret in secrets:
        assert secret not in dumped
    assert "$argon2" not in dumped


# --------------------------------------------------------------------------- signing in


def test_the_right_password_signs_in_and_is_audited(ctx: Context, sam: str) -> None:
    person = accounts.sign_in(ctx, username="Sam ", password=SAM_PW)
    assert (person.username, person.name, person.role) == ("sam", "Sam Holloway",
                                                           Role.SCHEDULER)
    [event] = audit(ctx, "staff.sign_in")
    assert (event.staff_id, event.entity, event.entity_id) == (person.id, "staff", person.id)
    assert event.after == {"via": "password"}
    assert event.at == ctx.now()
    no_secrets(ctx, SAM_PW)


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(ctx: Context,
                                                                   sam: str) -> None:
    with pytest.raises(SignInRefused) as wrong:
        accounts.sign_in(ctx, username="sam", password="blue-stapler-43")
    with pytest.raises(SignInRefused) as unknown:
        accounts.sign_in(ctx, username="Nobody-" + "x" * 60, password=SAM_PW)
    assert str(wrong.value) == str(unknown.value) == "wrong username or password"
    assert (wrong.value.reason, unknown.value.reason) == ("password", "unknown")
    first, second = audit(ctx, "staff.sign_in_failed")
    assert (first.staff_id, first.entity_id, first.after) == (
        staff_id(ctx, "sam"), staff_id(ctx, "sam"), {"failures": 1})
    assert (second.staff_id, second.entity_id) == (None, None)
    assert second.after == {"reason": "unknown username"}
    assert account(ctx, "sam").failed_signins == 1
    no_secrets(ctx, SAM_PW, "blue-stapler-43")


def test_what_was_typed_as_an_unknown_username_is_not_kept(ctx: Context, sam: str) -> None:
    """A password typed into the username box (the classic slip) must not land in the
    append-only trail."""
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, username=SAM_PW, password="")
    no_secrets(ctx, SAM_PW)
    [event] = audit(ctx, "staff.sign_in_failed")
    assert event.after == {"reason": "unknown username"}


def test_typed_usernames_are_compared_after_unicode_normalisation(ctx: Context,
                                                                   sam: str) -> None:
    """A decomposed letter (what some keyboards and pastes hand over) is the same letter as
    the composed one; spaces around and capitals do not matter either."""
    assert staff_key("jos\u0065\u0301") == staff_key("jos\u00e9") == "jos\u00e9"
    assert staff_key(" SAM ") == "sam"
    assert accounts.sign_in(ctx, username=" SAM ", password=SAM_PW).username == "sam"


def test_a_success_resets_the_count_of_failures(ctx: Context, sam: str) -> None:
    fail(ctx, "sam", 4)
    accounts.sign_in(ctx, username="sam", password=SAM_PW)
    assert account(ctx, "sam").failed_signins == 0
    fail(ctx, "sam", 4)  # four more do not lock: the count started over
    assert account(ctx, "sam").locked_until is None


def test_an_account_without_a_password_or_disabled_is_refused_the_same_way(
        ctx: Context, practice: Practice, admin: str, sam: str) -> None:
    with pytest.raises(SignInRefused, match="^wrong username or password$") as unset:
        accounts.sign_in(ctx, username=practice.staff, password="anything at all")
    assert not accounts.password_set(ctx, practice.staff)
    assert accounts.password_set(ctx, "sam")
    accounts.disable_staff(ctx, by=admin, username="sam")
    assert not accounts.password_set(ctx, "sam")
    with pytest.raises(SignInRefused, match="^wrong username or password$") as disabled:
        accounts.sign_in(ctx, username="sam", password=SAM_PW)
    reasons = [e.after for e in audit(ctx, "staff.sign_in_failed")]
    assert reasons == [{"reason": "no password"}, {"reason": "disabled"}]
    # the same words for all; the reason only for a screen that knows whose account it is
    assert (unset.value.reason, disabled.value.reason) == ("no password", "disabled")


def test_max_failures_lock_the_account_until_the_lockout_ends(ctx: Context, sam: str,
                                                              clock: FrozenClock) -> None:
    fail(ctx, "sam", 4)
    with pytest.raises(AccountLocked) as locked:
        accounts.sign_in(ctx, username="sam", password="still not it")
    until = clock.now + timedelta(minutes=15)
    assert locked.value.until == until
    assert str(locked.value) == "too many failed sign-ins: locked until 09:15"
    assert account(ctx, "sam").locked_until == until
    [event] = audit(ctx, "staff.locked")
    assert event.after == {"failures": 5, "until": until.isoformat()}
    assert len(audit(ctx, "staff.sign_in_failed")) == 5

    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked) as again:  # even the right password
        accounts.sign_in(ctx, username="sam", password=SAM_PW)
    assert again.value.until == until
    assert len(audit(ctx, "staff.sign_in_refused_locked")) == 1
    assert account(ctx, "sam").failed_signins == 5  # attempts while locked do not count

    clock.advance(seconds=1)
    assert accounts.sign_in(ctx, username="sam", password=SAM_PW).username == "sam"
    row = account(ctx, "sam")
    assert (row.failed_signins, row.locked_until) == (0, None)


def test_after_a_lock_runs_out_the_count_starts_over(ctx: Context, sam: str,
                                                     clock: FrozenClock) -> None:
    strict = with_signin(ctx, max_failures=2, lockout_minutes=5)
    fail(strict, "sam", 1)
    with pytest.raises(AccountLocked) as locked:
        accounts.sign_in(strict, username="sam", password="wrong wrong")
    assert locked.value.until == clock.now + timedelta(minutes=5)
    clock.advance(minutes=6)
    fail(strict, "sam", 1)  # one failure after the lock: not locked again at once
    assert account(ctx, "sam").failed_signins == 1
    with pytest.raises(AccountLocked):
        accounts.sign_in(strict, username="sam", password="wrong wrong")


def test_the_lock_time_is_shown_in_practice_time_after_dst(ctx: Context, sam: str,
                                                           clock: FrozenClock) -> None:
    clock.advance(days=7)  # 2027-03-17 15:00 UTC is 10:00 CDT
    fail(ctx, "sam", 4)
    with pytest.raises(AccountLocked, match="locked until 10:15$"):
        accounts.sign_in(ctx, username="sam", password="nope nope nope")


def test_check_password_unlocks_the_idle_lock_and_counts_failures(ctx: Context,
                                                                  sam: str) -> None:
    assert accounts.check_password(ctx, username="sam", password=SAM_PW) is True
    [event] = audit(ctx, "staff.unlock")
    assert event.staff_id == staff_id(ctx, "sam")
    assert not audit(ctx, "staff.sign_in")
    strict = with_signin(ctx, max_failures=2)
    with pytest.raises(SignInRefused):
        accounts.check_password(strict, username="sam", password="wrong wrong")
    with pytest.raises(AccountLocked):
        accounts.check_password(strict, username="sam", password="wrong wrong")
    with pytest.raises(AccountLocked):
        accounts.check_password(strict, username="sam", password=SAM_PW)
    assert len(audit(ctx, "staff.locked")) == 1


def test_a_screen_lock_is_audited_with_how_it_came(ctx: Context, sam: str) -> None:
    accounts.screen_locked(ctx, username="sam", idle_minutes=5)
    accounts.screen_locked(ctx, username="sam", idle_minutes=None)
    events = audit(ctx, "staff.screen_lock")
    assert [(e.staff_id, e.entity_id) for e in events] == [(staff_id(ctx, "sam"),) * 2] * 2
    assert [e.after for e in events] == [{"via": "idle", "idle_minutes": 5}, {"via": "key"}]
    with pytest.raises(InvalidInput):  # a disabled or unknown account locks nothing
        accounts.screen_locked(ctx, username="nobody", idle_minutes=None)


def test_an_old_hash_is_upgraded_on_sign_in(ctx: Context, sam: str) -> None:
    weaker = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)

    def work(session: Session) -> None:
        row = session.exec(select(Staff).where(Staff.username == "sam")).one()
        row.password_hash = weaker.hash(SAM_PW)
        session.add(row)

    run_write(ctx.engine, work)
    old = account(ctx, "sam").password_hash
    assert old is not None
    assert passwords.PASSWORD_HASHER.check_needs_rehash(old)
    accounts.sign_in(ctx, username="sam", password=SAM_PW)
    new = account(ctx, "sam").password_hash
    assert new is not None
    assert new != old
    assert not passwords.PASSWORD_HASHER.check_needs_rehash(new)
    assert passwords.PASSWORD_HASHER.verify(new, SAM_PW)
    assert audit(ctx, "staff.sign_in")[0].after == {"via": "password", "rehashed": True}
    accounts.sign_in(ctx, username="sam", password=SAM_PW)
    assert account(ctx, "sam").password_hash == new


class TestPasswordsCheckedApart:
    """The long-lived app checks passwords in a child process (``passwords.APART``), so that
    argon2's working memory never becomes its own; the answers are the same."""

    @staticmethod
    def apart(monkeypatch: pytest.MonkeyPatch) -> None:
        """From here on argon2 may not run in this process (the accounts are made)."""
        cheap = passwords.PASSWORD_HASHER

        class Refusing(PasswordHasher):
            def verify(self, *_args: object) -> bool:  # type: ignore[override]
                raise AssertionError("argon2 ran in the app's own process")

            def hash(self, *_args: object, **_kwargs: object) -> str:  # type: ignore[override]
                raise AssertionError("argon2 ran in the app's own process")

        monkeypatch.setattr(passwords, "PASSWORD_HASHER", Refusing(
            time_cost=cheap.time_cost, memory_cost=cheap.memory_cost,
            parallelism=cheap.parallelism))
        monkeypatch.setattr(passwords, "APART", True)

    def test_right_wrong_and_unknown(self, ctx: Context, sam: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
        self.apart(monkeypatch)
        assert accounts.sign_in(ctx, username="sam", password=SAM_PW).username == "sam"
        with pytest.raises(SignInRefused):
            accounts.sign_in(ctx, username="sam", password="blue-stapler-43")
        with pytest.raises(SignInRefused):
            accounts.sign_in(ctx, username="nobody", password=SAM_PW)
        assert account(ctx, "sam").failed_signins == 1

    def test_an_old_hash_is_upgraded_by_the_child(self, ctx: Context, sam: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        weaker = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)

        def work(session: Session) -> None:
            row = session.exec(select(Staff).where(Staff.username == "sam")).one()
            row.password_hash = weaker.hash(SAM_PW)
            session.add(row)

        run_write(ctx.engine, work)
        self.apart(monkeypatch)
        accounts.sign_in(ctx, username="sam", password=SAM_PW)
        new = account(ctx, "sam").password_hash
        assert new is not None
        assert PasswordHasher().verify(new, SAM_PW)
        assert not PasswordHasher(time_cost=1, memory_cost=1024,
                                  parallelism=1).check_needs_rehash(new)

    def test_a_child_that_cannot_run_is_a_plain_refusal(
            self, ctx: Context, sam: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.apart(monkeypatch)
        monkeypatch.setattr(passwords.sys, "executable", "/nonexistent/python")
        with pytest.raises(passwords.PasswordCheckFailed, match="could not be checked"):
            accounts.sign_in(ctx, username="sam", password=SAM_PW)
        assert account(ctx, "sam").failed_signins == 0


def test_a_password_changed_between_check_and_write_is_checked_again(
        ctx: Context, admin: str, sam: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The argon2 check runs outside the transaction; a reset in between is not missed."""
    real = signin._verify
    calls: list[str | None] = []

    def verify_then_reset(stored: str | None, password: str) -> bool:
        calls.append(stored)
        if len(calls) == 1:
            ok = real(stored, password)
            accounts.reset_password(ctx, by=admin, username="sam", password="a brand new one")
            return ok
        return real(stored, password)

    monkeypatch.setattr(signin, "_verify", verify_then_reset)
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, username="sam", password=SAM_PW)
    assert len(calls) == 2


# --------------------------------------------------------------------------- SSH


def acting_from(ctx: Context, channel: str, os_user: str) -> Context:
    return replace(ctx, origin=Origin(channel, os_user))


def test_an_os_user_is_signed_in_over_ssh_when_mapped(ctx: Context, sam: str) -> None:
    mapped = with_signin(ctx, os_users={"jdoe": "sam"})
    person = accounts.os_user_staff(acting_from(mapped, "ssh", "jdoe"))
    assert person is not None
    assert person.username == "sam"
    [event] = audit(ctx, "staff.sign_in")
    assert event.staff_id == person.id
    assert event.after == {"via": "ssh", "os_user": "jdoe"}
    assert (event.channel, event.os_user) == ("ssh", "jdoe")


def test_no_ssh_no_mapping_or_no_usable_account_means_the_password_is_asked(
        ctx: Context, admin: str, sam: str) -> None:
    mapped = with_signin(ctx, os_users={"jdoe": "sam", "ghost": "nobody", "root": "root"})
    for channel in ("app", "browser", "cli"):  # a local console, a browser tab, a command
        assert accounts.os_user_staff(acting_from(mapped, channel, "jdoe")) is None
    assert accounts.os_user_staff(acting_from(ctx, "ssh", "jdoe")) is None  # not configured
    assert accounts.os_user_staff(acting_from(mapped, "ssh", "someone")) is None
    assert accounts.os_user_staff(acting_from(mapped, "ssh", "ghost")) is None
    fail(mapped, "sam", 4)
    with pytest.raises(AccountLocked):
        accounts.sign_in(mapped, username="sam", password="one more miss")
    assert accounts.os_user_staff(acting_from(mapped, "ssh", "jdoe")) is None  # locked
    accounts.add_staff(ctx, by=admin, username="ann", name="Ann Other", role=Role.ADMIN,
                       password="another admin pw")
    accounts.disable_staff(ctx, by="ann", username="root")
    assert accounts.os_user_staff(acting_from(mapped, "ssh", "root")) is None  # disabled
    assert not audit(ctx, "staff.sign_in")


# --------------------------------------------------------------------------- admin commands


def test_an_admin_adds_an_account_that_can_sign_in(ctx: Context, admin: str) -> None:
    person = accounts.add_staff(ctx, by=admin, username="m.castellano",
                                name="  Maria   Castellano ", role="manager",
                                password="gold-plated-9")
    assert (person.username, person.name, person.role) == ("m.castellano",
                                                           "Maria Castellano", Role.MANAGER)
    assert accounts.sign_in(ctx, username="m.castellano", password="gold-plated-9") == person
    [event] = audit(ctx, "staff.add")
    assert (event.staff_id, event.entity_id) == (staff_id(ctx, admin), person.id)
    assert event.after == {"username": "m.castellano", "name": "Maria Castellano",
                           "role": "manager"}
    no_secrets(ctx, "gold-plated-9")


def test_the_first_admin_is_added_without_an_admin(ctx: Context, practice: Practice) -> None:
    def retire_the_admin(session: Session) -> None:  # the test practice's own admin
        row = session.exec(select(Staff).where(Staff.username == practice.admin)).one()
        row.active = False

    run_write(ctx.engine, retire_the_admin)
    assert not accounts.anyone_can_sign_in(ctx)
    with pytest.raises(NotAllowed):  # the first account added must be an admin
        accounts.add_staff(ctx, by="", username="newbie", name="New Person",
                           role=Role.RECEPTIONIST, password="long enough pw")
    first = accounts.add_staff(ctx, by="", username="chief", name="Bo Boss", role=Role.ADMIN,
                               password="long enough pw")
    assert accounts.anyone_can_sign_in(ctx)
    [event] = audit(ctx, "staff.add")
    assert (event.staff_id, event.entity_id) == (None, first.id)
    assert event.after == {"username": "chief", "name": "Bo Boss", "role": "admin",
                           "first_admin": True}
    with pytest.raises(NotAllowed):  # from now on, only an admin adds accounts
        accounts.add_staff(ctx, by="", username="second", name="Sec Ond", role=Role.ADMIN,
                           password="long enough pw")
    with pytest.raises(NotAllowed):
        accounts.add_staff(ctx, by=practice.staff, username="second", name="Sec Ond",
                           role=Role.ADMIN, password="long enough pw")


def test_only_an_active_admin_manages_accounts(ctx: Context, admin: str, sam: str) -> None:
    accounts.add_staff(ctx, by=admin, username="maria", name="Maria Castellano",
                       role=Role.MANAGER, password="gold-plated-9")
    before = len(audit(ctx))
    for by in ("maria", "sam", "desk", "nobody"):
        with pytest.raises(NotAllowed, match="managing staff accounts needs an admin"):
            accounts.add_staff(ctx, by=by, username="newbie", name="New Person",
                               role=Role.RECEPTIONIST, password="long enough pw")
        with pytest.raises(NotAllowed):
            accounts.disable_staff(ctx, by=by, username="sam")
        with pytest.raises(NotAllowed):
            accounts.reset_password(ctx, by=by, username="sam", password="long enough pw")
    assert len(audit(ctx)) == before
    assert account(ctx, "sam").active


@pytest.mark.parametrize("username", ["a", "x" * 41, "Sam", "sam smith", "sam@home", "émile",
                                      ""])
def test_usernames_follow_the_rules(ctx: Context, admin: str, username: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        accounts.add_staff(ctx, by=admin, username=username, name="Some One",
                           role=Role.RECEPTIONIST, password="long enough pw")
    assert refused.value.field == "username"
    assert "lowercase" in refused.value.message


def test_usernames_are_unique_whatever_the_case(ctx: Context, admin: str,
                                                practice: Practice) -> None:
    accounts.add_staff(ctx, by=admin, username="ok_name-2.x", name="Some One",
                       role=Role.RECEPTIONIST, password="long enough pw")
    with pytest.raises(InvalidInput, match="taken"):
        accounts.add_staff(ctx, by=admin, username=practice.staff, name="Other Desk",
                           role=Role.RECEPTIONIST, password="long enough pw")


@pytest.mark.parametrize(("password", "reason"), [
    ("short-pw", "at least 10 characters"),
    ("x" * 201, "at most 200"),
    ("my-newbie-password", "must not contain the username"),
    ("NEWBIE and more", "must not contain the username"),
])
def test_passwords_follow_the_rules(ctx: Context, admin: str, sam: str, password: str,
                                    reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as refused:
        accounts.add_staff(ctx, by=admin, username="newbie", name="New Person",
                           role=Role.RECEPTIONIST, password=password)
    assert refused.value.field == "password"
    with pytest.raises(InvalidInput, match="password"):
        accounts.reset_password(ctx, by=admin, username="sam",
                                password=password.replace("newbie", "sam").replace(
                                    "NEWBIE", "SAM"))


def test_other_fields_are_checked(ctx: Context, admin: str) -> None:
    with pytest.raises(InvalidInput, match="^name"):
        accounts.add_staff(ctx, by=admin, username="newbie", name="  ",
                           role=Role.RECEPTIONIST, password="long enough pw")
    with pytest.raises(InvalidInput, match="^role"):
        accounts.add_staff(ctx, by=admin, username="newbie", name="New Person",
                           role="boss", password="long enough pw")
    with pytest.raises(InvalidInput, match="no staff member"):
        accounts.disable_staff(ctx, by=admin, username="ghost")


def test_reset_password_sets_a_new_one_and_lifts_the_lock(ctx: Context, admin: str,
                                                          sam: str) -> None:
    fail(ctx, "sam", 4)
    with pytest.raises(AccountLocked):
        accounts.sign_in(ctx, username="sam", password="fifth miss!")
    accounts.reset_password(ctx, by=admin, username="sam", password="fresh-start-77")
    row = account(ctx, "sam")
    assert (row.failed_signins, row.locked_until) == (0, None)
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, username="sam", password=SAM_PW)
    assert accounts.sign_in(ctx, username="sam", password="fresh-start-77").username == "sam"
    [reset] = audit(ctx, "staff.reset_password")
    [unlock] = audit(ctx, "staff.unlock")
    assert (reset.staff_id, reset.entity_id, reset.after) == (
        staff_id(ctx, admin), row.id, None)
    assert unlock.after == {"via": "reset_password"}
    no_secrets(ctx, "fresh-start-77", SAM_PW)
    accounts.reset_password(ctx, by=admin, username="sam", password="fresh-start-78")
    assert len(audit(ctx, "staff.unlock")) == 1  # not locked this time: no unlock event


def test_disable_keeps_the_row_but_ends_sign_in(ctx: Context, admin: str, sam: str) -> None:
    person = accounts.disable_staff(ctx, by=admin, username="sam")
    assert person.username == "sam"
    assert not account(ctx, "sam").active
    [event] = audit(ctx, "staff.disable")
    assert (event.staff_id, event.entity_id, event.before, event.after) == (
        staff_id(ctx, admin), person.id, {"active": True}, {"active": False})
    with pytest.raises(InvalidInput, match="disabled"):
        accounts.disable_staff(ctx, by=admin, username="sam")
    with pytest.raises(InvalidInput, match="disabled"):
        accounts.reset_password(ctx, by=admin, username="sam", password="long enough pw")
    assert "sam" not in [s.view.username for s in accounts.staff_status(ctx)]


def test_the_last_admin_cannot_disable_themself(ctx: Context, practice: Practice,
                                                admin: str) -> None:
    accounts.disable_staff(ctx, by=admin, username=practice.admin)  # the practice's own
    with pytest.raises(InvalidInput, match="last active admin"):
        accounts.disable_staff(ctx, by=admin, username=admin)
    accounts.add_staff(ctx, by=admin, username="ann", name="Ann Other", role=Role.ADMIN,
                       password="another admin pw")
    accounts.disable_staff(ctx, by=admin, username=admin)
    assert not account(ctx, admin).active
    with pytest.raises(NotAllowed):  # a disabled admin is no admin
        accounts.disable_staff(ctx, by=admin, username="ann")


def test_staff_status_shows_locks_and_missing_passwords(ctx: Context, practice: Practice,
                                                        sam: str, clock: FrozenClock) -> None:
    fail(ctx, "sam", 4)
    with pytest.raises(AccountLocked):
        accounts.sign_in(ctx, username="sam", password="fifth miss!")
    found = {s.view.username: s for s in accounts.staff_status(ctx)}
    assert not found[practice.staff].password_set
    assert found["sam"].password_set
    assert found["sam"].locked_until == clock.now + timedelta(minutes=15)
    assert found["root"].locked_until is None
    clock.advance(minutes=15)
    assert {s.view.username: s for s in accounts.staff_status(ctx)}["sam"].locked_until is None


# --------------------------------------------------------------------------- the demo


def test_every_demo_account_signs_in_with_its_documented_password(ctx: Context) -> None:
    demo.seed_demo(ctx, seed=3)
    for _name, username, role in DEMO_STAFF:
        person = accounts.sign_in(ctx, username=username,
                                  password=demo_password(username))
        assert person.role is role
    assert demo_password("rita") == "rita-demo-2027"


def test_the_readme_lists_every_demo_password() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for _name, username, role in DEMO_STAFF:
        assert f"| `{username}` |" in readme
        assert f"| {role.value} | `{demo_password(username)}` |" in readme
