"""Reminders that are really sent, on SQLite and PostgreSQL: planning from consent, exactly one
claim per row, email to a real SMTP server on loopback (with its iCalendar invitation), texts
to an HTTP endpoint and through a command, retries with the delivery log, skipped rows when a
visit moves or consent is withdrawn, unsure rows after a sender died, a manager's re-queue, and
the report's figures agreeing with the day's outbox.

The frozen clock is Wed 2027-03-10 09:00 in Tulsa; the visit is Fri 12 March 10:00.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import Session, col, select

from frontdesk.db.engine import make_engine, run_write
from frontdesk.db.models import (
    Appointment,
    AuditEvent,
    Patient,
    Reminder,
    ReminderAttempt,
    VisitType,
)
from frontdesk.domain.reminders import ReminderSettings
from frontdesk.services import scheduling
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput, NotAllowed
from frontdesk.services.worklists import reminders as rem
from frontdesk.services.worklists.reminders import outbox, sender
from frontdesk.services.worklists.reminders.status import lines_of
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.reminder_receivers import (
    Inbox,
    MailBox,
    email_settings,
    http_server,
    sms_settings,
    smtp_server,
)

CHICAGO = ZoneInfo("America/Chicago")
VISIT = datetime(2027, 3, 12, 10, 0, tzinfo=CHICAGO).astimezone(UTC)


def with_reminders(ctx: Context, settings: ReminderSettings) -> Context:
    return replace(ctx, settings=replace(ctx.settings, reminders=settings))


def consent(ctx: Context, patient_id: int, *, email: bool = True, sms: bool = True) -> None:
    def work(session: Session) -> None:
        p = session.get(Patient, patient_id)
        assert p is not None
        p.email, p.email_consent = "casey@example.test", email
        p.mobile, p.sms_consent = "+19185550177", sms
        session.add(p)

    run_write(ctx.engine, work)


def book(ctx: Context, p: Practice, start: datetime = VISIT) -> int:
    found = scheduling.book(ctx, staff=p.scheduler, patient_id=p.patient_id,
                            visit_type="follow-up", provider_id=p.able,
                            location_id=p.location_id, start=start,
                            accept_warnings=scheduling.WARNING_CODES)
    return found.id


def rows(ctx: Context) -> list[Reminder]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Reminder).order_by(col(Reminder.id))).all())


def log_of(ctx: Context, reminder_id: int) -> list[str]:
    with Session(ctx.engine) as session:
        return [a.outcome for a in session.exec(
            select(ReminderAttempt).where(col(ReminderAttempt.reminder_id) == reminder_id)
            .order_by(col(ReminderAttempt.id))).all()]


# -- planning --------------------------------------------------------------------------------

def test_planning_makes_one_row_per_consented_channel_and_time_once(
        ctx: Context, practice: Practice) -> None:
    ctx = with_reminders(ctx, replace(email_settings(2525), sms=sms_settings(
        url="http://127.0.0.1:9/sms").sms, sms_before=(24 * 60,)))
    consent(ctx, practice.patient_id)
    appt = book(ctx, practice)
    assert rem.plan(ctx) == rem.Planned(made=3, skipped=0)
    assert rem.plan(ctx) == rem.Planned(made=0, skipped=0)
    made = rows(ctx)
    assert sorted((r.channel, r.before_min) for r in made) == [
        ("email", 120), ("email", 2880), ("sms", 1440)]
    assert all(r.appointment_id == appt and r.visit_starts_at == VISIT for r in made)
    assert {r.message_id for r in made} == {f"<reminder-{r.id}.{r.channel}@"
                                            "tulsapainmanagement.frontdesk>" for r in made}


def test_no_consent_no_reminder_and_a_channel_not_set_up_plans_nothing(
        ctx: Context, practice: Practice) -> None:
    consent(ctx, practice.patient_id, email=False, sms=True)
    book(ctx, practice)
    assert rem.plan(with_reminders(ctx, email_settings(2525))) == rem.Planned(0, 0)
    assert rem.plan(with_reminders(ctx, ReminderSettings())) == rem.Planned(0, 0)


def test_two_planners_at_once_make_each_row_once_and_neither_fails(
        db_url: str, clock: FrozenClock, ctx: Context, practice: Practice) -> None:
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    results: list[object] = []
    barrier = threading.Barrier(2)

    def planner() -> None:
        engine = make_engine(db_url)
        own = with_reminders(Context(engine=engine, clock=clock), email_settings(2525))
        barrier.wait()
        try:
            results.append(rem.plan(own))
        except Exception as exc:  # pragma: no cover - the failure the test looks for
            results.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=planner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(x, rem.Planned) for x in results), results
    assert sum(x.made for x in results if isinstance(x, rem.Planned)) == 2
    assert len(rows(ctx)) == 2


def test_a_late_booking_gets_only_the_nearest_past_reminder_and_none_after_the_visit(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    ctx = with_reminders(ctx, email_settings(2525, email_before=(48 * 60, 24 * 60, 120)))
    consent(ctx, practice.patient_id)
    book(ctx, practice, datetime(2027, 3, 10, 14, 0, tzinfo=CHICAGO).astimezone(UTC))
    rem.plan(ctx)
    assert [r.before_min for r in rows(ctx)] == [120]  # 48 h and 24 h are past: not made
    clock.now = datetime(2027, 3, 10, 12, 30, tzinfo=CHICAGO).astimezone(UTC)
    book(ctx, practice, datetime(2027, 3, 10, 14, 0, tzinfo=CHICAGO).astimezone(UTC)
         + timedelta(minutes=30))
    rem.plan(ctx)  # every time of the second visit is past: only the nearest is made
    assert sorted(r.before_min for r in rows(ctx)) == [120, 120]
    clock.now = datetime(2027, 3, 10, 15, 0, tzinfo=CHICAGO).astimezone(UTC)
    assert rem.plan(ctx).skipped == 2  # both visits have begun: their rows are skipped


def test_a_moved_visit_skips_the_old_rows_and_plans_new_ones(
        ctx: Context, practice: Practice) -> None:
    ctx = with_reminders(ctx, email_settings(2525))
    consent(ctx, practice.patient_id)
    appt = book(ctx, practice)
    rem.plan(ctx)
    moved = VISIT - timedelta(days=1)
    scheduling.reschedule(ctx, staff=practice.scheduler, appointment_id=appt, start=moved,
                          accept_warnings=scheduling.WARNING_CODES)
    assert rem.plan(ctx) == rem.Planned(made=1, skipped=2)  # 48 h before is past
    by_start = {(r.visit_starts_at, r.before_min): r for r in rows(ctx)}
    assert {r.status for (s, _), r in by_start.items() if s == VISIT} == {"skipped"}
    assert {r.status for (s, _), r in by_start.items() if s == moved} == {"pending"}
    old = next(r for (s, _), r in by_start.items() if s == VISIT)
    assert old.last_error == "visit moved"
    assert log_of(ctx, old.id or 0) == ["skipped"]


def test_withdrawn_consent_skips_the_pending_reminder_even_at_sending_time(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)
        consent(ctx, practice.patient_id, email=False)
        clock.advance(hours=1)  # the 48 h reminder is due
        rid = rem.claim(ctx, "test:1")  # claimed before the next plan: checked again
        assert rid is not None
        assert rem.work_due(ctx, claimer="test:1").sent == 0  # plan skips the other
        outcome = sender.send_one(ctx, rid)
        assert outcome.kind == "skipped"
        assert "consent" in outcome.detail
        assert box.messages == []


# -- claims ----------------------------------------------------------------------------------

def test_two_senders_never_claim_the_same_row(
        db_url: str, clock: FrozenClock, ctx: Context, practice: Practice) -> None:
    consent(ctx, practice.patient_id)
    for day in (12, 15, 16):
        book(ctx, practice, datetime(2027, 3, day, 10, tzinfo=CHICAGO).astimezone(UTC))
    ctx = with_reminders(ctx, email_settings(2525, email_before=(14 * 24 * 60,)))
    rem.plan(ctx)  # all three past due: due now
    claimed: dict[str, list[int]] = {"a:1": [], "b:2": []}
    barrier = threading.Barrier(2)

    def sender(name: str) -> None:
        engine = make_engine(db_url)
        own = with_reminders(Context(engine=engine, clock=clock), ctx.settings.reminders)
        barrier.wait()
        try:
            while (rid := rem.claim(own, name)) is not None:
                claimed[name].append(rid)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=sender, args=(n,)) for n in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = claimed["a:1"] + claimed["b:2"]
    assert sorted(everything) == sorted(r.id or 0 for r in rows(ctx))
    assert len(set(everything)) == len(everything) == 3
    assert {r.claimed_by for r in rows(ctx)} <= {"a:1", "b:2"}


# -- email -----------------------------------------------------------------------------------

def test_the_email_reaches_the_smtp_server_with_the_invitation_and_no_clinical_detail(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)
        appt = book(ctx, practice)
        assert rem.plan(ctx).made == 2  # the planner runs ahead of time
        clock.advance(hours=1)
        done = rem.work_due(ctx)
        assert (done.planned, done.sent) == (0, 1)
    [message] = box.messages
    assert box.recipients == [["casey@example.test"]]
    assert message["Subject"].strip() == ("Reminder: your appointment at Tulsa Pain Management on "
                                  "Friday, March 12")
    row = next(r for r in rows(ctx) if r.status == "sent")
    assert message["Message-ID"] == row.message_id
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Hello Casey" in text
    assert "10:00 AM" in text
    assert "arrive by 9:45 AM" in text
    assert "1 Test Way, Tulsa, OK 74101" in text
    with Session(ctx.engine) as session:
        names = [v.name for v in session.exec(select(VisitType)).all()]
    assert not any(n.lower() in text.lower() for n in names)
    assert "Able" not in text  # nor the provider
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == VISIT
    assert event.decoded("DTSTART").tzinfo is not None
    assert str(event["UID"]) == f"appointment-{appt}@tulsa-pain-management"
    assert str(event["SUMMARY"]) == "Appointment at Tulsa Pain Management"
    assert str(event["LOCATION"]) == "Test Clinic, 1 Test Way, Tulsa, OK 74101"
    assert row.sent_at == clock.now
    assert row.attempts == 1
    assert log_of(ctx, row.id or 0) == ["sent"]
    with Session(ctx.engine) as session:
        events = session.exec(select(AuditEvent).where(
            col(AuditEvent.entity) == "reminder", col(AuditEvent.entity_id) == row.id)).all()
    assert [(e.action, e.staff_id) for e in events] == [("reminder.claim", None),
                                                        ("reminder.sent", None)]
    assert "casey" not in str([(e.before, e.after) for e in events]).lower()


def test_a_refused_recipient_fails_at_once_and_a_busy_server_is_tried_again(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server(MailBox(answers=["451 try later", "554 no such mailbox casey"])) as (
            box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)  # the planner runs ahead of time
        clock.advance(hours=1)
        assert rem.work_due(ctx).retried == 1
        row = next(r for r in rows(ctx) if r.before_min == 2880)
        assert (row.status, row.attempts, row.next_try_at) == (
            "pending", 1, clock.now + timedelta(minutes=5))
        clock.advance(minutes=5)
        assert rem.work_due(ctx).failed == 1
    row = next(r for r in rows(ctx) if r.before_min == 2880)
    assert row.status == "failed"
    assert row.last_error == "mail server refused the message (554)"  # not the server's text
    assert log_of(ctx, row.id or 0) == ["retry", "failed"]


# -- text messages ---------------------------------------------------------------------------

def test_a_text_goes_to_the_http_endpoint_with_the_idempotency_key(
        ctx: Context, practice: Practice, clock: FrozenClock, tmp_path: Path) -> None:
    headers = tmp_path / "sms-headers"
    headers.write_text("# the provider's token\nAuthorization: Bearer test-token\n")
    headers.chmod(0o600)
    with http_server() as (inbox, url):
        settings = sms_settings(url=url)
        ctx = with_reminders(ctx, replace(settings, sms=replace(
            settings.sms, headers_file=str(headers))))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        clock.advance(hours=25)  # 24 h before the visit
        assert rem.work_due(ctx).sent == 1
    [(got_headers, body)] = inbox.requests
    row = rows(ctx)[0]
    assert got_headers["idempotency-key"] == row.message_id
    assert got_headers["authorization"] == "Bearer test-token"
    assert body["to"] == "+19185550177"
    assert body["body"].startswith("Tulsa Pain Management: reminder of your appointment on "
                                   "Friday, March 12 at 10:00 AM")
    assert "Follow" not in body["body"]


def test_a_failing_endpoint_is_tried_again_until_it_accepts(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with http_server(Inbox(statuses=[503, 429])) as (inbox, url):
        ctx = with_reminders(ctx, sms_settings(url=url))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        clock.advance(hours=25)
        for _ in range(3):
            rem.work_due(ctx)
            clock.advance(hours=1)
    row = rows(ctx)[0]
    assert (row.status, row.attempts) == ("sent", 3)
    assert log_of(ctx, row.id or 0) == ["retry", "retry", "sent"]
    assert len({h["idempotency-key"] for h, _ in inbox.requests}) == 1
    assert len(inbox.requests) == 3


def test_a_4xx_answer_fails_at_once(ctx: Context, practice: Practice,
                                    clock: FrozenClock) -> None:
    with http_server(Inbox(statuses=[400])) as (inbox, url):
        ctx = with_reminders(ctx, sms_settings(url=url))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        clock.advance(hours=25)
        assert rem.work_due(ctx).failed == 1
    assert rows(ctx)[0].status == "failed"
    assert len(inbox.requests) == 1


def test_a_text_goes_through_the_practice_command(
        ctx: Context, practice: Practice, clock: FrozenClock, tmp_path: Path) -> None:
    out = tmp_path / "sent.txt"
    script = tmp_path / "send-sms"
    script.write_text(
        f"#!{sys.executable}\n"
        "import os, sys\n"
        f"with open({str(out)!r}, 'a') as f:\n"
        "    f.write(sys.argv[1] + '|' + os.environ['FRONTDESK_MESSAGE_ID'] + '|'\n"
        "            + sys.stdin.read() + '\\n')\n")
    script.chmod(0o700)
    ctx = with_reminders(ctx, sms_settings(command=(str(script), "{to}")))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    clock.advance(hours=25)
    assert rem.work_due(ctx).sent == 1
    to, key, text = out.read_text().strip().split("|")
    assert to == "+19185550177"
    assert key == rows(ctx)[0].message_id
    assert "10:00 AM" in text


def test_a_command_that_fails_is_tried_again(
        ctx: Context, practice: Practice, clock: FrozenClock, tmp_path: Path) -> None:
    ctx = with_reminders(ctx, sms_settings(command=("/bin/false",), max_attempts=2))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    clock.advance(hours=25)
    rem.work_due(ctx)
    clock.advance(hours=1)
    rem.work_due(ctx)
    row = rows(ctx)[0]
    assert (row.status, row.last_error) == ("failed", "command exited 1")
    assert log_of(ctx, row.id or 0) == ["retry", "failed"]


# -- a sender that died, and the manager's re-queue ------------------------------------------

def test_a_row_left_sending_by_a_dead_sender_is_unsure_and_not_sent_again(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)  # the planner runs ahead of time
        clock.advance(hours=1)
        rem.plan(ctx)
        dead = f"{outbox.me().rsplit(':', 1)[0]}:{2**22 + 7}"  # a pid no process has
        rid = rem.claim(ctx, dead)
        assert rid is not None
        done = rem.work_due(ctx)
        assert (done.unsure, done.sent) == (1, 0)
        assert box.messages == []
        row = next(r for r in rows(ctx) if r.id == rid)
        assert row.status == "unsure"
        assert log_of(ctx, rid) == ["unsure"]
        with pytest.raises(NotAllowed):
            rem.retry(ctx, by=practice.staff, reminder_id=rid)
        rem.retry(ctx, by=practice.manager, reminder_id=rid)
        with pytest.raises(InvalidInput, match="pending"):
            rem.retry(ctx, by=practice.manager, reminder_id=rid)
        assert rem.work_due(ctx).sent == 1
    assert len(box.messages) == 1
    assert log_of(ctx, rid) == ["unsure", "requeued", "sent"]
    from frontdesk.services.audit import audit_events

    said = [(e.staff, e.summary) for e in reversed(audit_events(
        ctx, by=practice.manager, action="reminder.")) if e.entity_id == rid]
    row = next(r for r in rows(ctx) if r.id == rid)
    about = f"reminder {rid} (email, appointment {row.appointment_id})"
    assert said == [
        (None, f"reminder {rid}: claimed for sending"),
        (None, f"{about}: may have gone out: its sender stopped while sending"),
        ("mgr", f"{about}: re-queued to be sent again"),
        (None, f"reminder {rid}: claimed for sending"),
        (None, f"{about}: sent")]


def test_a_claim_older_than_the_timeout_is_unsure_whoever_made_it(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    ctx = with_reminders(ctx, email_settings(2525))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    rem.plan(ctx)
    clock.advance(hours=1)
    rid = rem.claim(ctx, "another-host:1")
    assert rem.recover(ctx) == []  # it may still be sending
    clock.advance(minutes=16)
    assert rem.recover(ctx) == [rid]


# -- the day's outbox and the report ---------------------------------------------------------

def test_the_report_lines_count_what_the_days_outbox_shows(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with http_server(Inbox(statuses=[200, 400])) as (_inbox, url):
        ctx = with_reminders(ctx, sms_settings(url=url))
        consent(ctx, practice.patient_id)
        first = book(ctx, practice)
        second = book(ctx, practice, VISIT + timedelta(hours=3))
        clock.advance(hours=28)  # both due: Thu 10:00 and 13:00
        rem.work_due(ctx)
    day = date(2027, 3, 11)
    found = rem.day_outbox(ctx, by=practice.staff, day=day)
    assert found.counts["sent"] == 1
    assert found.counts["failed"] == 1
    lines = {line.label: line.figure for line in rem.report_lines(ctx, day=day)}
    assert lines == {line.label: line.figure for line in lines_of(found)}
    assert lines["Sent"].n == 1
    assert lines["Failed"].n == 1
    assert lines["Unsure (may have gone "
                                                                      "out)"].n == 0
    assert set(lines["Sent"].ids + lines["Failed"].ids) == {first, second}
    assert [line.outcome for line in found.log] == ["sent", "failed"]


def test_nothing_in_the_log_or_the_audit_names_the_patient(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with http_server(Inbox(statuses=[400])) as (_inbox, url):
        ctx = with_reminders(ctx, sms_settings(url=url))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        clock.advance(hours=25)
        rem.work_due(ctx)
    with Session(ctx.engine) as session:
        said = str([(a.detail) for a in session.exec(select(ReminderAttempt)).all()])
        said += str([(e.before, e.after) for e in session.exec(
            select(AuditEvent).where(col(AuditEvent.action).startswith("reminder."))).all()])
        said += str([r.last_error for r in session.exec(select(Reminder)).all()])
    for detail in ("Casey", "Testcase", "5550177", "example.test"):
        assert detail not in said


def test_appointment_rows_are_never_touched_by_the_sender(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    ctx = with_reminders(ctx, email_settings(2525))
    consent(ctx, practice.patient_id)
    appt = book(ctx, practice)
    with Session(ctx.engine) as session:
        before = session.get(Appointment, appt)
        assert before is not None
        version = before.version
    rem.plan(ctx)
    with Session(ctx.engine) as session:
        after = session.get(Appointment, appt)
        assert after is not None
        assert after.version == version


# -- consent in the patient record -----------------------------------------------------------

def test_email_consent_needs_an_address_and_goes_with_it(
        ctx: Context, practice: Practice) -> None:
    from frontdesk.services import directory
    from frontdesk.services.errors import InvalidDetails
    from frontdesk.services.patients.edit import edit_patient

    with pytest.raises(InvalidDetails, match="email reminders need an email address"):
        directory.add_patient(ctx, staff=practice.staff, name="Riley Example",
                              dob=date(1990, 1, 2), phone="918-555-0199", email_consent=True)
    added = directory.add_patient(ctx, staff=practice.staff, name="Riley Example",
                                  dob=date(1990, 1, 2), phone="918-555-0199",
                                  email="riley@example.test", email_consent=True)
    assert added.email_consent
    with pytest.raises(InvalidDetails, match="email reminders need an email address"):
        edit_patient(ctx, staff=practice.staff, patient_id=practice.patient_id, version=None,
                     email_consent=True)
    cleared = edit_patient(ctx, staff=practice.staff, patient_id=added.id, version=None,
                           email="")
    assert not cleared.email_consent  # no address: no consent to use it
    given = edit_patient(ctx, staff=practice.staff, patient_id=practice.patient_id,
                         version=None, email="casey@example.test", email_consent=True)
    assert given.email_consent
    assert given.version == 2


def test_an_accented_name_goes_out_as_seven_bit_mail_and_reads_back_the_same() -> None:
    from email import message_from_bytes, policy

    from frontdesk.services.worklists.reminders.letter import Letter
    from frontdesk.services.worklists.reminders.transport import email_message

    letter = Letter(1, "email", "<reminder-1.email@x.frontdesk>", "jose@example.test",
                    "Hola José, see you at 10:00 AM.", subject="Recordatorio: José", ics=b"")
    raw = email_message(email_settings(2525), letter).as_bytes()
    assert raw.isascii()
    back = message_from_bytes(raw, policy=policy.default)
    assert str(back["Subject"]).strip() == "Recordatorio: José"
    body = back.get_body(("plain",))
    assert body is not None
    assert "Hola José" in body.get_content()


def test_an_endpoint_that_does_not_answer_in_time_is_unsure_and_not_sent_twice(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    """The request was sent but no answer came in time: the text may have gone out, so it is
    unsure (a manager decides), never tried again by itself."""
    with http_server(Inbox(delay=1.5)) as (inbox, url):
        settings = sms_settings(url=url)
        ctx = with_reminders(ctx, replace(settings, sms=replace(settings.sms, timeout_s=1)))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        clock.advance(hours=25)
        assert rem.work_due(ctx).unsure == 1
        inbox.delay = 0
        clock.advance(hours=1)
        assert rem.work_due(ctx).sent == 0
    row = rows(ctx)[0]
    assert row.status == "unsure"
    assert row.last_error.startswith("SMS endpoint did not answer after the request was sent")
    assert log_of(ctx, row.id or 0) == ["unsure"]
    assert len(inbox.requests) == 1


def test_an_endpoint_that_refuses_the_connection_is_tried_again(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    from tests.reminder_receivers import free_port

    ctx = with_reminders(ctx, sms_settings(url=f"http://127.0.0.1:{free_port()}/sms"))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    clock.advance(hours=25)
    assert rem.work_due(ctx).retried == 1
    row = rows(ctx)[0]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "SMS endpoint not reachable (ConnectionRefusedError)"


def test_a_connection_lost_after_the_message_was_handed_over_is_unsure_not_retried(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    """A server that takes the whole message and hangs up before answering: it may have
    delivered it, so the reminder is unsure and not sent again by itself."""
    import socket

    handed: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 test ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == b"EHLO":
                    conn.sendall(b"250 test\r\n")
                elif verb in (b"MAIL", b"RCPT"):
                    conn.sendall(b"250 ok\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    body = b""
                    for part in lines:
                        body += part
                        if part == b".\r\n":
                            break
                    handed.append(body)
                    return  # hang up without an answer

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    ctx = with_reminders(ctx, email_settings(listener.getsockname()[1]))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    rem.plan(ctx)
    clock.advance(hours=1)
    try:
        assert rem.work_due(ctx).unsure == 1
        worker.join(5)
    finally:
        listener.close()
    assert len(handed) == 1
    row = next(r for r in rows(ctx) if r.before_min == 2880)
    assert row.status == "unsure"
    assert row.last_error.startswith("connection lost after the message was handed over")
    clock.advance(hours=1)
    rem.work_due(ctx)
    assert log_of(ctx, row.id or 0) == ["unsure"]  # not tried again


# -- the security review's findings ------------------------------------------------------------

def test_a_redirect_of_the_text_is_never_followed_and_the_token_stays_home(
        ctx: Context, practice: Practice, clock: FrozenClock, tmp_path: Path) -> None:
    """A 302 of the POST would be followed as a GET carrying the Authorization header to
    wherever it points, and its 200 taken for "sent": it is failed, and nothing follows it."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    elsewhere: list[dict[str, str]] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            elsewhere.append(dict(self.headers))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{far.server_address[1]}/x")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    far = ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)
    near = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    for server in (far, near):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    headers = tmp_path / "sms-headers"
    headers.write_text("Authorization: Bearer secret-token\n")
    headers.chmod(0o600)
    try:
        settings = sms_settings(url=f"http://127.0.0.1:{near.server_address[1]}/sms")
        ctx = with_reminders(ctx, replace(settings, sms=replace(
            settings.sms, headers_file=str(headers))))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        clock.advance(hours=25)
        assert rem.work_due(ctx).failed == 1
    finally:
        for server in (far, near):
            server.shutdown()
            server.server_close()
    assert elsewhere == []
    row = rows(ctx)[0]
    assert row.status == "failed"
    assert row.last_error.startswith("HTTP 302: the SMS endpoint redirected")


def test_a_visit_moved_and_moved_back_is_reminded_again(
        ctx: Context, practice: Practice) -> None:
    ctx = with_reminders(ctx, email_settings(2525))
    consent(ctx, practice.patient_id)
    appt = book(ctx, practice)
    rem.plan(ctx)
    for start in (VISIT - timedelta(days=1), VISIT):
        scheduling.reschedule(ctx, staff=practice.scheduler, appointment_id=appt, start=start,
                              accept_warnings=scheduling.WARNING_CODES)
        rem.plan(ctx)
    back = [r for r in rows(ctx) if r.visit_starts_at == VISIT]
    assert sorted((r.before_min, r.status) for r in back) == [(120, "pending"),
                                                              (2880, "pending")]
    assert all(log_of(ctx, r.id or 0) == ["skipped", "replanned"] for r in back)
    assert {r.status for r in rows(ctx) if r.visit_starts_at != VISIT} == {"skipped"}
    with Session(ctx.engine) as session:
        audited = session.exec(select(AuditEvent.action).where(
            col(AuditEvent.entity_id).in_([r.id for r in back]),
            col(AuditEvent.entity) == "reminder")).all()
    assert sorted(audited).count("reminder.replanned") == 2
    from frontdesk.services.audit import audit_events

    said = [e.summary for e in audit_events(ctx, by=practice.manager, action="reminder.")
            if e.entity_id == back[0].id]
    assert (f"reminder {back[0].id} (email, appointment {appt}): wanted again (the visit is "
            "back at its time, or consent given again): pending") in said


def test_consent_withdrawn_then_given_again_is_reminded_again(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)
        consent(ctx, practice.patient_id, email=False)
        assert rem.plan(ctx).skipped == 2
        consent(ctx, practice.patient_id, email=True)
        assert rem.plan(ctx).made == 2
        clock.advance(hours=1)
        assert rem.work_due(ctx).sent == 1
    assert len(box.messages) == 1


def test_after_a_sender_outage_only_the_latest_due_reminder_goes_out(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)  # 48 h and 2 h
        clock.now = VISIT - timedelta(minutes=60)  # the sender was down until now
        done = rem.work_due(ctx)
        assert (done.sent, done.skipped) == (1, 1)
    assert len(box.messages) == 1
    early = next(r for r in rows(ctx) if r.before_min == 2880)
    assert early.status == "skipped"
    assert early.last_error.startswith("a later reminder of this visit is due now")
    assert next(r for r in rows(ctx) if r.before_min == 120).status == "sent"


def test_a_retry_due_after_the_later_reminder_went_out_is_skipped(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server(MailBox(answers=["451 try later"])) as (box, port):
        ctx = with_reminders(ctx, email_settings(port, retry_min=240))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)
        clock.advance(hours=1)
        assert rem.work_due(ctx).retried == 1  # the 48 h one waits 4 h now
        clock.now = VISIT - timedelta(minutes=90)  # the 2 h one went out...
        rem.work_due(ctx)
        assert len(box.messages) == 2  # the refused try and the 2 h one
        assert rem.work_due(ctx).sent == 0  # ...the 48 h retry is past its time too
    early = next(r for r in rows(ctx) if r.before_min == 2880)
    assert early.status == "skipped"


def test_a_channel_or_time_turned_off_is_not_sent(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    with smtp_server() as (box, port):
        on = with_reminders(ctx, email_settings(port))
        consent(on, practice.patient_id)
        book(on, practice)
        rem.plan(on)
        clock.advance(hours=1)
        off = with_reminders(ctx, email_settings(port, email_before=(120,)))
        done = rem.work_due(off)
        assert (done.sent, done.skipped) == (0, 1)
        assert rem.work_due(with_reminders(ctx, email_settings(port, email_before=()))
                             ).skipped == 1
    assert box.messages == []
    assert {r.last_error for r in rows(ctx)} == {
        "no longer set up: this channel or time was turned off in the settings"}


def test_a_recovery_never_overwrites_a_send_recorded_meanwhile(
        ctx: Context, practice: Practice, clock: FrozenClock, db_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """recover reads the claims without a lock; a slow sender records "sent" between that
    read and recover's write. On PostgreSQL both commit; the sent stays sent. (SQLite lets
    one writer at a time: the sender's record waits for recover and then wins.)"""
    ctx = with_reminders(ctx, email_settings(2525))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    rem.plan(ctx)
    clock.advance(hours=1)
    rid = rem.claim(ctx, "other-host:77")
    assert rid is not None
    clock.advance(minutes=16)  # older than the claim timeout: taken for a dead sender
    real, recorded = outbox.utc, []
    engine = make_engine(db_url)
    own = replace(ctx, engine=engine)

    def sent() -> None:
        try:
            recorded.append(outbox.record(own, rid, "other-host:77",
                                          outbox.Outcome("sent", "250")))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            recorded.append(exc)

    worker = threading.Thread(target=sent)

    def in_between(moment: datetime) -> datetime:
        if not worker.is_alive() and not recorded:
            worker.start()
            worker.join(timeout=10 if ctx.dialect == "postgresql" else 1)
        return real(moment)

    monkeypatch.setattr(outbox, "utc", in_between)
    try:
        marked = rem.recover(ctx)
    finally:
        monkeypatch.undo()
        worker.join(timeout=30)
        engine.dispose()
    row = next(r for r in rows(ctx) if r.id == rid)
    assert recorded == [True]
    assert row.status == "sent"  # whoever wrote first, the sent is what stays
    if ctx.dialect == "postgresql":  # both committed: recover found its claim gone
        assert marked == []
        assert log_of(ctx, rid) == ["sent"]


def test_a_skip_never_overwrites_a_row_claimed_meanwhile(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    from frontdesk.services.context import write

    ctx = with_reminders(ctx, email_settings(2525))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    rem.plan(ctx)
    clock.advance(hours=1)
    rid = rem.claim(ctx, "test:1")
    assert rid is not None
    assert write(ctx, lambda s: outbox.skip(s, ctx, rid, "visit moved")) == 0
    assert next(r for r in rows(ctx) if r.id == rid).status == "sending"


def test_a_bad_row_never_stops_the_sender_and_says_why(
        ctx: Context, practice: Practice, clock: FrozenClock,
        caplog: pytest.LogCaptureFixture) -> None:
    from frontdesk.db.models import Location

    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port, max_attempts=2))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)
        clock.advance(hours=1)

        def broken(session: Session) -> None:
            location = session.get(Location, practice.location_id)
            assert location is not None
            location.timezone = "Not/AZone"
            session.add(location)

        run_write(ctx.engine, broken)
        assert rem.work_due(ctx).retried == 1
        clock.advance(hours=1)
        rem.work_due(ctx)  # the second try of two: failed
    assert box.messages == []
    row = next(r for r in rows(ctx) if r.before_min == 2880)
    assert row.status == "failed"
    assert row.last_error == (f"location {practice.location_id} has an unknown time zone: "
                              "correct it in the practice file")
    assert log_of(ctx, row.id or 0) == ["retry", "failed"]


def test_the_sender_survives_a_pass_that_fails(
        ctx: Context, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def boom(_ctx: Context) -> object:
        raise RuntimeError("Casey Testcase casey@example.test")

    monkeypatch.setattr(outbox, "plan", boom)
    stop = threading.Event()
    passes: list[int] = []

    def counting(seconds: float) -> bool:
        passes.append(1)
        if len(passes) == 2:
            stop.set()
        return stop.is_set()

    monkeypatch.setattr(stop, "wait", counting)
    with caplog.at_level("ERROR", logger="frontdesk.reminders"):
        assert sender.run(with_reminders(ctx, email_settings(2525)), stop=stop) == sender.Pass()
    assert len(passes) == 2
    assert "reminders pass failed (RuntimeError)" in caplog.text
    assert "casey" not in caplog.text.lower()


@pytest.mark.parametrize("address", ["josé@example.test", "a>b@example.test"])
def test_an_address_the_mail_server_cannot_take_as_it_is_fails_and_is_never_unsure(
        ctx: Context, practice: Practice, clock: FrozenClock, address: str) -> None:
    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)

        def odd(session: Session) -> None:  # stored before the address check was tightened
            p = session.get(Patient, practice.patient_id)
            assert p is not None
            p.email = address
            session.add(p)

        run_write(ctx.engine, odd)
        book(ctx, practice)
        rem.plan(ctx)
        clock.advance(hours=1)
        assert rem.work_due(ctx).failed == 1
    assert box.messages == []
    row = next(r for r in rows(ctx) if r.before_min == 2880)
    assert row.status == "failed"
    assert row.last_error.startswith("the patient's email address cannot be used")


def test_an_error_before_the_message_was_handed_over_is_failed_not_unsure(
        ctx: Context, practice: Practice, clock: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from frontdesk.services.worklists.reminders import transport

    def cannot(*_args: object) -> object:
        raise UnicodeEncodeError("ascii", "é", 0, 1, "no")

    with smtp_server() as (box, port):
        ctx = with_reminders(ctx, email_settings(port))
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)
        clock.advance(hours=1)
        monkeypatch.setattr(transport, "email_message", cannot)
        assert rem.work_due(ctx).failed == 1
        monkeypatch.undo()
        monkeypatch.setattr(smtplib_smtp(), "rcpt", cannot)
        clock.now = VISIT - timedelta(minutes=119)
        assert rem.work_due(ctx).failed == 1
    assert box.messages == []
    assert [r.last_error for r in rows(ctx)] == [
        "cannot make the message (UnicodeEncodeError)",
        "cannot talk to the mail server (UnicodeEncodeError)"]


def smtplib_smtp() -> type:
    import smtplib

    return smtplib.SMTP


def test_the_text_command_gets_no_more_of_the_environment_than_it_needs(
        ctx: Context, practice: Practice, clock: FrozenClock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "env.txt"
    script = tmp_path / "send-sms"
    script.write_text(f"#!{sys.executable}\nimport os, sys\nsys.stdin.read()\n"
                      f"open({str(out)!r}, 'w').write(' '.join(sorted(os.environ)))\n")
    script.chmod(0o700)
    monkeypatch.setenv("FRONTDESK_DB", "postgresql://frontdesk:s3cret@db/frontdesk")
    monkeypatch.setenv("PGPASSWORD", "s3cret")
    ctx = with_reminders(ctx, sms_settings(command=(str(script), "{to}")))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    clock.advance(hours=25)
    assert rem.work_due(ctx).sent == 1
    names = set(out.read_text().split())
    assert {"FRONTDESK_SMS_TO", "FRONTDESK_MESSAGE_ID", "PATH"} <= names
    assert names <= {"FRONTDESK_SMS_TO", "FRONTDESK_MESSAGE_ID", "PATH", "LANG", "LC_ALL",
                     "LC_CTYPE", "TZ"}


def test_secrets_files_others_can_read_or_missing_stop_the_sender_before_any_try(
        ctx: Context, practice: Practice, clock: FrozenClock, tmp_path: Path) -> None:
    from frontdesk.services.worklists.reminders import transport

    password = tmp_path / "smtp-password"
    with smtp_server() as (box, port):
        settings = email_settings(port)
        settings = replace(settings, smtp=replace(settings.smtp, password_file=str(password)))
        ctx = with_reminders(ctx, settings)
        assert transport.setup_problems(settings) == [
            f"cannot read the SMTP password file {password}: No such file or directory"]
        password.write_text("hunter2\n")
        password.chmod(0o644)
        assert transport.setup_problems(settings) == [
            f"the SMTP password file {password} can be read by other users: chmod 600 it "
            "first"]
        consent(ctx, practice.patient_id)
        book(ctx, practice)
        rem.plan(ctx)
        clock.advance(hours=1)
        assert rem.work_due(ctx) == sender.Pass()
        assert box.messages == []
        assert {(r.status, r.attempts) for r in rows(ctx)} == {("pending", 0)}
        assert all(log_of(ctx, r.id or 0) == [] for r in rows(ctx))
        password.chmod(0o600)
        assert transport.setup_problems(settings) == []


def test_a_setup_gone_wrong_mid_run_is_no_delivery_try(
        ctx: Context, practice: Practice, clock: FrozenClock) -> None:
    ctx = with_reminders(ctx, email_settings(2525))
    consent(ctx, practice.patient_id)
    book(ctx, practice)
    rem.plan(ctx)
    clock.advance(hours=1)
    rid = rem.claim(ctx, "test:1")
    assert rid is not None
    assert rem.record(ctx, rid, "test:1",
                      outbox.Outcome("config", "cannot use the SMTP password file"))
    row = next(r for r in rows(ctx) if r.id == rid)
    assert (row.status, row.attempts, row.next_try_at) == (
        "pending", 0, clock.now + timedelta(minutes=5))
    assert row.last_error == "cannot use the SMTP password file"


def test_a_header_that_cannot_be_written_fails_the_text_before_anything_is_sent(
        tmp_path: Path) -> None:
    from frontdesk.services.worklists.reminders import transport
    from frontdesk.services.worklists.reminders.letter import Letter

    headers = tmp_path / "sms-headers"
    headers.write_text("Authorization: Bearer tökén\u20ac\n")
    headers.chmod(0o600)
    with http_server() as (inbox, url):
        settings = sms_settings(url=url)
        settings = replace(settings, sms=replace(settings.sms, headers_file=str(headers)))
        outcome = transport.send(settings, Letter(1, "sms", "<k>", "+19185550177", "hi"))
    assert outcome == outbox.Outcome("failed", "cannot make the request (UnicodeEncodeError)")
    assert inbox.requests == []
