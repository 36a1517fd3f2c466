"""The practice file's ``[reminders]``: the practice's times, wording and servers go in with
``practice apply`` (a plan line first), come back out with ``export``, and lie over the
settings file's — whose password file and SMS command stay: no secret is ever in the practice
file."""

from __future__ import annotations

import pytest

from frontdesk.domain.settings import parse_settings
from frontdesk.services import accounts, practice
from frontdesk.services.accounts import passwords
from frontdesk.services.context import Context, open_context
from frontdesk.services.practice.apply import PracticeFileError
from tests.conftest import FrozenClock
from tests.practice import TEST_HASHER
from tests.practice_file import CLINIC

REMINDERS = '''
[reminders]
email_before = ["72h", "3h"]
sms_before = ["24h"]

[reminders.templates]
sms_body = "{practice}: see you {date} at {time}. {practice_phone}"

[reminders.smtp]
from = "Prairie Spine Clinic <remind@clinic.example>"
'''


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "PASSWORD_HASHER", TEST_HASHER)


@pytest.fixture
def boss(ctx: Context) -> str:
    accounts.add_staff(ctx, by="", username="boss", name="Bo Boss", role="admin",
                       password="Correct-Horse-Battery-9")
    return "boss"


def test_the_file_s_reminders_lie_over_the_settings_file_s_and_round_trip(
        ctx: Context, boss: str, db_url: str, clock: FrozenClock) -> None:
    done = practice.apply_practice(ctx, staff=boss, text=CLINIC + REMINDERS)
    assert done.applied
    [change] = [c for c in done.changes if c.kind == "reminders"]
    assert ("[reminders] email_before", "—", "72h, 3h") in change.fields
    machine, problems = parse_settings({"reminders": {
        "email_before": ["1h"], "poll_s": 5,
        "smtp": {"password_file": "/etc/frontdesk/smtp", "host": "localhost"},
        "sms": {"command": ["/usr/local/bin/send-sms", "{to}"]}}})
    assert problems == []
    reopened = open_context(db_url, settings=machine, clock=clock, upgrade=False)
    try:
        rem = reopened.settings.reminders
        assert rem.email_before == (72 * 60, 3 * 60)  # the practice file's
        assert rem.poll_s == 5  # the machine's
        assert rem.smtp.host == "localhost"  # where the password goes: the machine's
        assert rem.smtp.sender == "Prairie Spine Clinic <remind@clinic.example>"
        assert rem.smtp.password_file == "/etc/frontdesk/smtp"  # stays the settings file's
        assert rem.sms.command == ("/usr/local/bin/send-sms", "{to}")
        assert rem.templates.sms_body.startswith("{practice}: see you")
    finally:
        reopened.engine.dispose()
    exported = practice.export_practice(ctx, staff=boss)
    assert "[reminders.smtp]" in exported
    assert practice.read_file(exported).reminders == practice.read_file(
        CLINIC + REMINDERS).reminders
    assert practice.apply_practice(ctx, staff=boss, text=exported).changes == ()


@pytest.mark.parametrize(("extra", "key"), [
    ('[reminders.smtp]\npassword_file = "/etc/pw"\n', "reminders.smtp.password_file"),
    ('[reminders.sms]\ncommand = ["/bin/send"]\n', "reminders.sms.command"),
    ('[reminders]\npoll_s = 5\n', "reminders.poll_s"),
    ('[reminders.smtp]\nhost = "mail.elsewhere.example"\n', "reminders.smtp.host"),
    ('[reminders.smtp]\nport = 25\n', "reminders.smtp.port"),
    ('[reminders.smtp]\nsecurity = "none"\n', "reminders.smtp.security"),
    ('[reminders.smtp]\nusername = "someone"\n', "reminders.smtp.username"),
    ('[reminders.sms]\nurl = "https://sms.elsewhere.example/v1"\n', "reminders.sms.url"),
    ('[reminders.templates]\nsubject = "{last_name}"\n', "reminders.templates.subject"),
])
def test_a_secret_or_machine_setting_or_a_bad_template_is_refused(
        ctx: Context, boss: str, extra: str, key: str) -> None:
    with pytest.raises(PracticeFileError) as refused:
        practice.apply_practice(ctx, staff=boss, text=CLINIC + "\n" + extra)
    [problem] = refused.value.problems
    assert key in problem.reason
    assert "settings.toml" in problem.reason or "placeholder" in problem.reason


def test_a_stored_practice_file_never_moves_where_the_sender_s_secrets_go() -> None:
    """A practice file stored before these keys were refused (or written into the database
    by hand) still cannot point the sender's password or token at another server."""
    from frontdesk.domain.settings import practice_overlay

    machine, problems = parse_settings({"reminders": {
        "smtp": {"host": "smtp.practice.example", "security": "starttls", "username": "rem",
                 "password_file": "/etc/frontdesk/smtp-password",
                 "from": "P <rem@practice.example>"},
        "sms": {"url": "https://sms.provider.example/v1",
                "headers_file": "/etc/frontdesk/sms-headers"}}})
    assert problems == []
    stored = {"reminders": {"smtp": {"host": "mail.attacker.example", "port": 25,
                                     "security": "none", "username": "x"},
                            "sms": {"url": "http://169.254.169.254/anything"}}}
    rem = practice_overlay(machine, stored).reminders
    assert (rem.smtp.host, rem.smtp.port, rem.smtp.security, rem.smtp.username) == (
        "smtp.practice.example", 587, "starttls", "rem")
    assert rem.sms.url == "https://sms.provider.example/v1"


@pytest.mark.parametrize(("host", "allowed"), [
    ("localhost", True), ("127.0.0.1", True), ("::1", True), ("127.0.0.2", True),
    ("smtp.practice.example", False), ("10.0.0.5", False)])
def test_an_unencrypted_mail_server_only_on_this_machine(host: str, allowed: bool) -> None:
    settings, problems = parse_settings({"reminders": {"smtp": {
        "host": host, "security": "none", "from": "P <r@practice.example>"}}})
    if allowed:
        assert problems == []
        assert settings.reminders.smtp.security == "none"
    else:
        [problem] = problems
        assert problem.key == "reminders.smtp.security"
        assert "this machine" in problem.reason
        assert settings.reminders.smtp.security == "starttls"
