"""`frontdesk waitlist list | matches` name patients and their phones: each read is audited
(``patient.list``, who and how many, from the command line), as the other lists are."""

from __future__ import annotations

from sqlalchemy import text

from frontdesk.db.engine import make_engine
from tests.cli.conftest import Desk
from tests.cli.test_waitlist import THU_TEN


def lists(desk: Desk) -> list[tuple[str, str, str]]:
    engine = make_engine(desk.db)
    try:
        with engine.connect() as conn:
            return [(r[0], str(r[1]), str(r[2])) for r in conn.execute(text(
                "SELECT a.action, s.username, a.after FROM audit_event a "
                "JOIN staff s ON s.id = a.staff_id WHERE a.action = 'patient.list' "
                "ORDER BY a.id"))]
    finally:
        engine.dispose()


def test_the_list_and_the_matches_read_from_the_command_line_are_audited(desk: Desk) -> None:
    p = desk.practice
    added = desk.run("waitlist", "add", "--patient", str(p.other_patient_id), "--visit-type",
                     "facet-diagnostic", "--region", "lumbar", "--levels", "L4-L5", "--side",
                     "left", "--as", "desk")
    assert added.exit_code == 0, added.stderr
    assert lists(desk) == []

    listed = desk.run("waitlist", "list", "--as", "sched")
    assert listed.exit_code == 0, listed.stderr
    visit = desk.book(THU_TEN)
    desk.run("cancel", str(visit.id), "--reason", "called off", "--as", "desk")
    matched = desk.run("waitlist", "matches", "--appointment", str(visit.id), "--as", "desk")
    assert matched.exit_code == 0, matched.stderr

    found = lists(desk)
    assert [(a, who) for a, who, _ in found] == [("patient.list", "sched"),
                                                ("patient.list", "desk")]
    assert '"waitlist"' in found[0][2]
    assert '"rows": 1' in found[0][2]
    assert '"waitlist matches"' in found[1][2]
