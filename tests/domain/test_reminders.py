"""The reminder rules, pure: the [reminders] settings (secrets only by file path), the
templates' placeholders, which rows a visit should have, and when a row must not be sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.domain import reminders as r
from frontdesk.domain.settings import parse_settings

NOW = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
VISIT = NOW + timedelta(days=3)
BOTH = r.Reach(email_consent=True, email="a@b.example", sms_consent=True, mobile="+19185550100")
SET_UP = r.ReminderSettings(smtp=r.SmtpSettings(host="mail", sender="x@y.example"),
                            sms=r.SmsSettings(url="https://sms.example/v1"))


def problems(table: dict[str, object]) -> dict[str, str]:
    _settings, found = parse_settings({"reminders": table})
    return {p.key: p.reason for p in found}


def test_the_settings_file_sets_times_wording_and_servers() -> None:
    settings, found = parse_settings({"reminders": {
        "email_before": ["2h", "48h", "90m"], "sms_before": [],
        "templates": {"sms_body": "{practice}: {date} {time}"},
        "smtp": {"host": "smtp.example.org", "port": 465, "security": "ssl",
                 "from": "Practice <r@example.org>", "password_file": "/etc/fd/pw"},
        "sms": {"command": ["/usr/local/bin/send-sms", "{to}"]}}})
    assert found == []
    rem = settings.reminders
    assert rem.email_before == (2880, 120, 90)
    assert rem.offsets("email") == (2880, 120, 90)
    assert rem.offsets("sms") == ()  # set up, but no times
    assert rem.smtp.sender == "Practice <r@example.org>"
    assert rem.sms.command == ("/usr/local/bin/send-sms", "{to}")


def test_a_password_or_token_in_the_file_is_refused_and_never_kept() -> None:
    said = problems({"smtp": {"password": "hunter2"}, "sms": {"token": "abc"}})
    assert "password_file" in said["reminders.smtp.password"]
    assert "headers_file" in said["reminders.sms.token"]
    assert "hunter2" not in str(said)


@pytest.mark.parametrize(("table", "key"), [
    ({"email_before": ["2 days"]}, "reminders.email_before"),
    ({"email_before": ["5m"]}, "reminders.email_before"),
    ({"templates": {"subject": "Hi {last_name}"}}, "reminders.templates.subject"),
    ({"templates": {"sms_body": "{first_name.__class__}"}}, "reminders.templates.sms_body"),
    ({"templates": {"email_body": "{practice!r}"}}, "reminders.templates.email_body"),
    ({"smtp": {"security": "tls"}}, "reminders.smtp.security"),
    ({"smtp": {"from": "nobody"}}, "reminders.smtp.from"),
    ({"smtp": {"password_file": "relative/pw"}}, "reminders.smtp.password_file"),
    ({"sms": {"command": "send-sms {to}"}}, "reminders.sms.command"),
    ({"sms": {"url": "ftp://x"}}, "reminders.sms.url"),
    ({"retries": 3}, "reminders.retries"),
])
def test_a_bad_value_is_reported_with_its_key_and_the_default_kept(
        table: dict[str, object], key: str) -> None:
    assert key in problems(table)


def test_the_default_wording_names_nothing_clinical() -> None:
    t = r.Templates()
    for text in (t.subject, t.email_body, t.sms_body):
        assert r.template_problem(text) is None
        assert "{visit}" not in text
        assert "{provider}" not in text


def test_render_fills_placeholders_and_leaves_literal_braces() -> None:
    assert r.render("{{x}} {first_name} at {time}", {"first_name": "Casey",
                                                     "time": "9:00 AM"}) == "{x} Casey at 9:00 AM"


def test_a_visit_gets_a_row_per_consented_channel_and_time() -> None:
    wanted = r.wanted(SET_UP, starts_at=VISIT, reach=BOTH, now=NOW)
    assert [(w.channel, w.before_min) for w in wanted] == [
        ("email", 2880), ("email", 120), ("sms", 1440)]
    only_texts = r.Reach(sms_consent=True, mobile="+19185550100", email="a@b.example")
    assert [w.channel for w in r.wanted(SET_UP, starts_at=VISIT, reach=only_texts,
                                         now=NOW)] == ["sms"]


def test_no_consent_without_an_address_and_none_after_the_visit_began() -> None:
    no_address = r.Reach(email_consent=True, email="", sms_consent=True, mobile="")
    assert r.wanted(SET_UP, starts_at=VISIT, reach=no_address, now=NOW) == []
    assert r.wanted(SET_UP, starts_at=NOW, reach=BOTH, now=NOW) == []


def test_a_late_booking_gets_no_reminder_already_past_while_a_later_one_is_ahead() -> None:
    soon = NOW + timedelta(hours=30)  # 48 h before is past, 2 h before is ahead
    assert [w.before_min for w in r.wanted(SET_UP, starts_at=soon, reach=BOTH, now=NOW)
            if w.channel == "email"] == [120]
    sooner = NOW + timedelta(hours=1)  # both past: only the nearest, due now
    email = [w for w in r.wanted(SET_UP, starts_at=sooner, reach=BOTH, now=NOW)
             if w.channel == "email"]
    assert [w.before_min for w in email] == [120]


@pytest.mark.parametrize(("status", "start", "reach", "why"), [
    ("cancelled", VISIT, BOTH, "visit cancelled"),
    ("no_show", VISIT, BOTH, "visit no show"),
    ("booked", VISIT + timedelta(hours=1), BOTH, "visit moved"),
    ("confirmed", VISIT, r.Reach(), "no consent or no address"),
    ("booked", VISIT, BOTH, None),
])
def test_why_a_reminder_must_not_go_out(status: str, start: datetime, reach: r.Reach,
                                        why: str | None) -> None:
    assert r.stale_reason(status=status, starts_at=start, made_for=VISIT, reach=reach,
                          channel="email", now=NOW) == why


def test_headers_file_lines_and_a_bad_line_named_by_number_only() -> None:
    assert r.parse_headers("# token\nAuthorization: Bearer abc\n\nX-Account: 7\n") == (
        {"Authorization": "Bearer abc", "X-Account": "7"}, None)
    headers, problem = r.parse_headers("Authorization Bearer secret-token\n")
    assert headers == {}
    assert problem == "line 1 is not 'Name: value'"


def test_backoff_doubles_up_to_six_hours() -> None:
    settings = r.ReminderSettings()
    assert [settings.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 10)] == [5, 10, 20, 360]


def test_a_claim_timeout_shorter_than_a_whole_send_is_refused_and_raised() -> None:
    """A claim older than the timeout is taken for a dead sender's: a slow send must never
    outlast it (ten times the longest time limit)."""
    settings, found = parse_settings({"reminders": {"claim_timeout_min": 5,
                                                    "smtp": {"timeout_s": 60}}})
    [problem] = found
    assert problem.key == "reminders.claim_timeout_min"
    assert problem.reason.startswith("must be at least 10 minutes")
    assert settings.reminders.claim_timeout_min == 10
    assert problems({"claim_timeout_min": 10, "smtp": {"timeout_s": 60}}) == {}
    assert problems({"sms": {"timeout_s": 600}}) == {
        "reminders.claim_timeout_min": "must be at least 100 minutes (10 times the longest "
                                       "timeout_s) so a slow send is not taken for a dead "
                                       "sender: 100 is used"}
