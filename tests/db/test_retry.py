"""PostgreSQL deadlocks are retried, not shown to the person at the desk."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session

from frontdesk.db.engine import make_engine, run_write
from frontdesk.services.context import Context
from tests.practice import build_practice


@pytest.mark.postgres
def test_a_real_deadlock_is_retried_and_both_writes_land(pg_url: str) -> None:
    engine = make_engine(pg_url)
    practice = build_practice(Context(engine=engine))
    a, b = practice.patient_id, practice.other_patient_id
    barrier = threading.Barrier(2)
    attempts = {"first": 0, "second": 0}
    errors: list[BaseException] = []

    def writer(name: str, one: int, two: int) -> None:
        def work(session: Session) -> None:
            attempts[name] += 1
            session.exec(text("UPDATE patient SET payer = :p WHERE id = :i"),  # type: ignore[call-overload]
                         params={"p": name, "i": one})
            if attempts[name] == 1:
                barrier.wait(timeout=10)  # both hold their first row lock: now cross over
            session.exec(text("UPDATE patient SET payer = :p WHERE id = :i"),  # type: ignore[call-overload]
                         params={"p": name, "i": two})

        try:
            run_write(engine, work)
        except BaseException as exc:  # surfaced to the test below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=("first", a, b)),
               threading.Thread(target=writer, args=("second", b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]  # the deadlock victim ran again
    with engine.connect() as conn:
        payers = set(conn.execute(text("SELECT payer FROM patient WHERE id IN (:a, :b)"),
                                  {"a": a, "b": b}).scalars())
    assert len(payers) == 1  # the retried writer committed both rows last
    engine.dispose()
