"""``frontdesk reminders status`` and ``retry`` on a frozen clock, and email consent on the
patient commands: the status counts agree with the daily report's reminder lines; the desk
reads, a manager re-queues; nothing printed names a patient."""

from __future__ import annotations

import json
from datetime import date

from frontdesk.db.engine import make_engine
from frontdesk.services.context import Context
from frontdesk.services.worklists.reminders import report_lines
from tests.cli.conftest import Desk, assert_clean
from tests.ui.test_reminders_screen import outbox

DAY = "2027-03-10"


def filled(desk: Desk) -> dict[str, int]:
    engine = make_engine(desk.db)
    try:
        ctx = Context(engine=engine, clock=desk.clock)
        first = desk.book(desk.clock.now.replace(hour=16))
        second = desk.book(desk.clock.now.replace(hour=17))
        return outbox(ctx, [first, second])
    finally:
        engine.dispose()


def test_status_counts_agree_with_the_report_lines_and_name_no_patient(desk: Desk) -> None:
    filled(desk)
    shown = desk.run("reminders", "status", "--date", DAY, "--as", "desk", "--json")
    assert_clean(shown)
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.stdout)
    engine = make_engine(desk.db)
    try:
        lines = report_lines(Context(engine=engine, clock=desk.clock), day=date(2027, 3, 10))
    finally:
        engine.dispose()
    assert {line.label.split()[0].lower(): line.figure.n for line in lines} == {
        status: found["counts"][status] for status in ("sent", "failed", "unsure")}
    assert [r["status"] for r in found["reminders"]] == ["sent", "failed", "unsure"]
    text = desk.run("reminders", "status", "--date", DAY, "--as", "desk")
    assert "1 sent, 1 failed, 1 unsure" in text.stdout
    assert "Delivery log" in text.stdout
    for detail in ("Casey", "Testcase", "Jordan", "Sample"):
        assert detail not in text.stdout


def test_only_a_manager_re_queues_and_a_sent_one_cannot_be(desk: Desk) -> None:
    ids = filled(desk)
    refused = desk.run("reminders", "retry", str(ids["failed"]), "--as", "desk")
    assert refused.exit_code == 6
    sent = desk.run("reminders", "retry", str(ids["sent"]), "--as", "mgr")
    assert sent.exit_code == 2
    assert "is sent: only a failed or unsure one can be re-queued" in sent.output
    done = desk.run("reminders", "retry", str(ids["failed"]), "--as", "mgr")
    assert done.exit_code == 0, done.output
    assert f"reminder {ids['failed']} re-queued" in done.output
    after = json.loads(desk.run("reminders", "status", "--date", DAY, "--as", "desk",
                                "--json").stdout)
    assert after["counts"]["failed"] == 0
    assert after["counts"]["pending"] == 1
    assert after["log"][-1]["outcome"] == "requeued"


def test_email_consent_on_the_patient_commands(desk: Desk) -> None:
    casey = str(desk.practice.patient_id)
    refused = desk.run("patients", "edit", casey, "--email-consent", "--as", "desk")
    assert refused.exit_code == 2
    assert "email reminders need an email address" in refused.output
    edited = desk.run("patients", "edit", casey, "--email", "casey@example.test",
                      "--email-consent", "--as", "desk")
    assert edited.exit_code == 0, edited.output
    assert "email consent" in edited.output
    shown = desk.run("patients", "show", casey, "--as", "desk")
    assert "casey@example.test · reminders: yes" in shown.stdout
