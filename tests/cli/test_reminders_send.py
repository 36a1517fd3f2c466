"""``frontdesk reminders send`` as the practice runs it — a process of its own — killed with
SIGKILL at the worst moments, then started again: the receiver has each reminder at most once,
and the row is sent or unsure (and ``reminders status`` says so), never sent twice.

The moments: after the claim, before anything went out (the mail server never greets); inside
DATA (the server holds the message, not yet answered); after the server accepted but before
"sent" was committed (the database is held locked so the sender cannot record it); and an HTTP
text endpoint that is slow to answer — on SQLite and PostgreSQL. The sender runs on the real
clock, so the visit is made 47 hours from now with a reminder 48 hours before it: due at once.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from frontdesk.db.engine import make_engine, run_write
from frontdesk.db.models import Appointment, Patient, Reminder, ReminderAttempt
from tests.cli.conftest import Desk, invoke
from tests.reminder_receivers import (
    Inbox,
    MailBox,
    http_server,
    smtp_server,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]


def visit_soon(desk: Desk) -> int:
    """A booked visit 47 hours from the real now, for a patient who agreed to email and texts."""
    start = (datetime.now(UTC) + timedelta(hours=47)).replace(second=0, microsecond=0)
    engine = make_engine(desk.db)

    def work(session: Session) -> int:
        patient = session.get(Patient, desk.practice.patient_id)
        assert patient is not None
        patient.email, patient.email_consent = "casey@example.test", True
        patient.mobile, patient.sms_consent = "+19185550177", True
        session.add(patient)
        appt = Appointment(
            patient_id=desk.practice.patient_id, visit_type_id=2,
            provider_id=desk.practice.able, location_id=desk.practice.location_id,
            room_id=desk.practice.exam_rooms[0], starts_at=start,
            ends_at=start + timedelta(minutes=20), block_start=start,
            block_end=start + timedelta(minutes=20), status="booked", booked_by_id=1,
            booked_at=start - timedelta(days=3), updated_at=start - timedelta(days=3))
        session.add(appt)
        session.flush()
        assert appt.id is not None
        return appt.id

    try:
        return run_write(engine, work)
    finally:
        engine.dispose()


def settings(folder: Path, *, smtp_port: int | None = None, url: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[reminders]"]
    if smtp_port is not None:
        lines += ['email_before = ["48h"]', "sms_before = []", "[reminders.smtp]",
                  'host = "127.0.0.1"', f"port = {smtp_port}", 'security = "none"',
                  'from = "Test Practice <reminders@test.example>"', "timeout_s = 60"]
    else:
        lines += ["email_before = []", 'sms_before = ["48h"]', "[reminders.sms]",
                  f'url = "{url}"', "timeout_s = 60"]
    (folder / "settings.toml").write_text("\n".join(lines) + "\n")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_desk(request: pytest.FixtureRequest) -> Desk:
    """The practice on SQLite and on PostgreSQL, for the kills that need no lock of a file."""
    found: Desk = request.getfixturevalue("desk" if request.param == "sqlite" else "pg_desk")
    return found


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config"


def sender(desk: Desk, config: Path, *, once: bool = True) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env.update(FRONTDESK_CONFIG_DIR=str(config), FRONTDESK_DATA_DIR=str(config.parent / "d"))
    argv = [sys.executable, "-m", "frontdesk", "--db", desk.db, "reminders", "send"]
    return subprocess.Popen(argv + (["--once"] if once else []), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def reminder(desk: Desk) -> Reminder | None:
    engine = make_engine(desk.db)
    try:
        with Session(engine) as session:
            return session.exec(select(Reminder)).first()
    finally:
        engine.dispose()


def outcomes(desk: Desk) -> list[str]:
    engine = make_engine(desk.db)
    try:
        with Session(engine) as session:
            return [a.outcome for a in session.exec(select(ReminderAttempt)).all()]
    finally:
        engine.dispose()


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)  # reaped: the pid is gone, as after a real crash


def restart(desk: Desk, config: Path) -> None:
    again = sender(desk, config)
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err.decode()


def claimed(desk: Desk) -> bool:
    row = reminder(desk)
    return row is not None and row.status == "sending"


def shows_unsure(desk: Desk) -> None:
    row = reminder(desk)
    assert row is not None
    assert row.status == "unsure"
    day = row.due_at.astimezone(ZoneInfo("America/Chicago")).date().isoformat()
    result = desk.run("reminders", "status", "--date", day, "--as", "mgr")
    assert result.exit_code == 0, result.output
    assert "1 unsure" in result.output
    assert "sender gone" in result.output
    assert "casey" not in result.output.lower()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that takes connections but never greets: the sender waits before sending."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        yield int(listener.getsockname()[1])


def test_the_sender_sends_once_and_a_second_run_sends_nothing(any_desk: Desk,
                                                             config: Path) -> None:
    desk = any_desk
    visit_soon(desk)
    with smtp_server() as (box, port):
        settings(config, smtp_port=port)
        restart(desk, config)
        restart(desk, config)
    assert len(box.messages) == 1
    row = reminder(desk)
    assert row is not None
    assert row.status == "sent"
    assert outcomes(desk) == ["sent"]


def test_killed_after_the_claim_before_anything_went_out(
        any_desk: Desk, config: Path, silent_server: int) -> None:
    desk = any_desk
    visit_soon(desk)
    settings(config, smtp_port=silent_server)
    proc = sender(desk, config)
    wait_for(lambda: claimed(desk))
    kill(proc)
    with smtp_server() as (box, port):
        settings(config, smtp_port=port)  # the mail server is back
        restart(desk, config)
    assert box.messages == []  # not sent again by itself
    shows_unsure(desk)
    assert outcomes(desk) == ["unsure"]


def test_killed_inside_data_before_the_server_answered(any_desk: Desk, config: Path) -> None:
    desk = any_desk
    visit_soon(desk)
    with smtp_server(MailBox(hold=True)) as (box, port):
        settings(config, smtp_port=port)
        proc = sender(desk, config)
        assert box.entered.wait(30)
        kill(proc)
        box.release.set()
        box.hold = False
        restart(desk, config)
    assert len(box.messages) == 1
    shows_unsure(desk)


@contextmanager
def row_held(desk: Desk) -> Iterator[None]:
    """The reminder held by another transaction, so the sender cannot record it: SQLite's
    write lock; PostgreSQL's row lock (the sender reads the row FOR UPDATE to record it)."""
    if desk.db.startswith("postgresql"):
        engine = make_engine(desk.db)
        try:
            with engine.connect() as conn, conn.begin() as txn:
                conn.execute(text("SELECT id FROM reminder FOR UPDATE"))
                yield
                txn.rollback()
        finally:
            engine.dispose()
        return
    lock = sqlite3.connect(desk.db, timeout=30, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")
        yield
        lock.execute("ROLLBACK")
    finally:
        lock.close()


def test_killed_after_the_server_accepted_before_sent_was_committed(
        any_desk: Desk, config: Path) -> None:
    desk = any_desk
    visit_soon(desk)
    with smtp_server(MailBox(hold=True)) as (box, port):
        settings(config, smtp_port=port)
        proc = sender(desk, config)
        assert box.entered.wait(30)
        wait_for(lambda: claimed(desk))
        with row_held(desk):  # the sender cannot write "sent" now
            box.hold = False
            box.release.set()  # the server answers 250
            proc_done = False
            try:
                proc.wait(timeout=1.5)
                proc_done = True
            except subprocess.TimeoutExpired:
                pass
            assert not proc_done  # it is waiting to record "sent"
            kill(proc)
        restart(desk, config)
    assert len(box.messages) == 1
    shows_unsure(desk)


def test_killed_while_the_text_endpoint_is_slow(any_desk: Desk, config: Path) -> None:
    desk = any_desk
    visit_soon(desk)
    with http_server(Inbox(delay=3)) as (inbox, url):
        settings(config, url=url)
        proc = sender(desk, config)
        assert inbox.entered.wait(30)
        kill(proc)
        inbox.delay = 0
        restart(desk, config)
    assert len(inbox.requests) == 1
    shows_unsure(desk)


def test_a_manager_re_queues_an_unsure_reminder_and_it_goes_out_once_more(
        desk: Desk, config: Path, silent_server: int) -> None:
    visit_soon(desk)
    settings(config, smtp_port=silent_server)
    proc = sender(desk, config)
    wait_for(lambda: claimed(desk))
    kill(proc)
    restart(desk, config)
    row = reminder(desk)
    assert row is not None
    refused = desk.run("reminders", "retry", str(row.id), "--as", "desk")
    assert refused.exit_code == 6
    assert "re-queueing a reminder needs a manager or admin" in refused.output
    done = invoke("--db", desk.db, "reminders", "retry", str(row.id), "--as", "mgr",
                  passwords=desk.passwords)  # the real clock, as the sender's: due now
    assert done.exit_code == 0, done.output
    with smtp_server() as (box, port):
        settings(config, smtp_port=port)
        restart(desk, config)
    assert len(box.messages) == 1
    assert outcomes(desk) == ["unsure", "requeued", "sent"]


def test_a_missing_or_bad_id_is_said_plainly(desk: Desk) -> None:
    result = desk.run("reminders", "retry", "99", "--as", "mgr")
    assert result.exit_code == 2
    assert "no reminder with id 99" in result.output
    assert "Traceback" not in result.output



@pytest.mark.parametrize("wrong", ["missing", "readable", "unencrypted"])
def test_a_wrong_setup_is_said_at_start_and_nothing_is_tried(
        desk: Desk, config: Path, wrong: str) -> None:
    """A password file that is missing or others can read, or a mail server without
    encryption elsewhere: the sender refuses to start, says why, and no reminder is made or
    tried (a wrong setup is never counted as a delivery try)."""
    visit_soon(desk)
    password = config.parent / "smtp-password"
    with smtp_server() as (box, port):
        settings(config, smtp_port=port)
        toml = config / "settings.toml"
        toml.write_text(toml.read_text() + f'password_file = "{password}"\n'
                        'username = "reminders"\n')
        if wrong != "missing":
            password.write_text("hunter2\n")
            password.chmod(0o644 if wrong == "readable" else 0o600)
        if wrong == "unencrypted":
            toml.write_text(toml.read_text().replace('host = "127.0.0.1"',
                                                     'host = "mail.example.test"'))
        proc = sender(desk, config)
        _out, err = proc.communicate(timeout=60)
    said = err.decode()
    assert proc.returncode == 1, said
    assert "reminders not sent: correct the setup" in said
    assert {"missing": f"cannot read the SMTP password file {password}: No such file",
            "readable": f"the SMTP password file {password} can be read by other users: "
                        "chmod 600 it first",
            "unencrypted": "reminders.smtp.security: none (no encryption) only for a mail "
                           "server on this machine"}[wrong] in said
    assert "Traceback" not in said
    assert "hunter2" not in said
    assert box.messages == []
    assert reminder(desk) is None
    assert outcomes(desk) == []
