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
host = "smtp.clinic.example"
port = 465
security = "ssl"
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
        assert rem.smtp.host == "smtp.clinic.example"
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
    ('[reminders.templates]\nsubject = "{last_name}"\n', "reminders.templates.subject"),
])
def test_a_secret_or_machine_setting_or_a_bad_template_is_refused(
        ctx: Context, boss: str, extra: str, key: str) -> None:
    with pytest.raises(PracticeFileError) as refused:
        practice.apply_practice(ctx, staff=boss, text=CLINIC + "\n" + extra)
    [problem] = refused.value.problems
    assert key in problem.reason
