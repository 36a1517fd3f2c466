"""``frontdesk recalls`` and ``recalls record``: the list as a table and JSON, outcomes
recorded, bad input refused in one line with nothing written, identity proven."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text

from frontdesk.db.engine import make_engine
from frontdesk.services.context import Context
from tests.cli.conftest import Desk, assert_clean
from tests.services.recall_helpers import at, callback, visit


def _ctx(desk: Desk) -> Context:
    return Context(engine=make_engine(desk.db), clock=desk.clock)


def _outreach(desk: Desk) -> list[tuple[str, str, str]]:
    engine = make_engine(desk.db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT subject, outcome, note FROM outreach ORDER BY id"))]
    finally:
        engine.dispose()


def _setup(desk: Desk) -> tuple[str, str]:
    ctx = _ctx(desk)
    p = desk.practice
    block = visit(ctx, p, p.patient_id, "facet-diagnostic", date(2027, 3, 1))
    other = visit(ctx, p, p.other_patient_id, "facet-diagnostic", date(2027, 3, 8))
    task = callback(ctx, p.other_patient_id, other, due=at(date(2027, 3, 9)))
    ctx.engine.dispose()
    return f"follow-up:{block}", f"relief:{task}"


def test_the_list_as_a_table_and_as_json(desk: Desk) -> None:
    follow_up, relief = _setup(desk)
    result = desk.run("recalls", "--as", "desk")
    assert_clean(result)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["KEY", "DUE", "FROM", "PATIENT"]
    assert lines[1].startswith(f"{follow_up}  2027-03-02  Testcase, C.  (918) 555-0111")
    assert lines[1].rstrip().endswith("Not tried")
    assert lines[2].startswith(f"{relief}")
    assert lines[-1].startswith("2 due at any location.")

    data = json.loads(desk.run("recalls", "--as", "desk", "--json").stdout)
    assert [(d["key"], d["kind"], d["since"]) for d in data] == [
        (follow_up, "follow-up", "2027-03-02"), (relief, "relief", "2027-03-09")]
    assert desk.run("recalls", "--as", "desk", "--location", "Test").exit_code == 0
    nowhere = desk.run("recalls", "--as", "desk", "--location", "Nowhere")
    assert nowhere.exit_code == 2
    assert "no location 'Nowhere'" in nowhere.stderr


def test_record_outcomes_and_their_effect_on_the_list(desk: Desk) -> None:
    follow_up, relief = _setup(desk)
    done = desk.run("recalls", "record", follow_up, "not-now", "--until", "2027-03-20",
                    "--note", "Travelling", "--as", "desk")
    assert_clean(done)
    assert done.exit_code == 0
    assert done.stdout.strip() == (f"Recorded not now for {follow_up} (try 1); call again "
                                   "from Sat 20 Mar 2027.")
    listed = desk.run("recalls", "--as", "desk", "--json").stdout
    assert [d["key"] for d in json.loads(listed)] == [relief]

    noted = desk.run("recalls", "record", relief, "no-answer", "--as", "sched", "--json")
    assert json.loads(noted.stdout)["tries"] == 1
    assert _outreach(desk) == [(follow_up, "not-now", "until 2027-03-20; Travelling"),
                               (relief, "no-answer", "")]


def test_bad_outcomes_are_one_line_and_write_nothing(desk: Desk) -> None:
    follow_up, _ = _setup(desk)
    cases = [
        (("recalls", "record", follow_up, "declined", "--as", "desk"), "needs a note"),
        (("recalls", "record", follow_up, "not-now", "--as", "desk"), "needs the day"),
        (("recalls", "record", follow_up, "booked", "--as", "desk"), "book it on a call"),
        (("recalls", "record", "repeat:99", "no-answer", "--as", "desk"), "no recall"),
        (("recalls", "record", follow_up, "not-now", "--until", "someday", "--as", "desk"),
         "until"),
    ]
    for args, says in cases:
        result = desk.run(*args)
        assert_clean(result)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert says in result.stderr
    unknown = desk.run("recalls", "record", follow_up, "maybe", "--as", "desk")
    assert unknown.exit_code == 2
    assert _outreach(desk) == []


def test_unproven_is_refused_and_nothing_is_listed_or_written(desk: Desk) -> None:
    follow_up, _ = _setup(desk)
    for args in (("recalls", "--as", "desk"), ("recalls", "record", follow_up, "no-answer",
                                                 "--as", "desk")):
        result = desk.run(*args, "--password-file", "/nonexistent")
        assert_clean(result)
        assert result.exit_code == 6
    assert _outreach(desk) == []
