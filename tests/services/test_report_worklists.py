"""The daily report's worklists section on SQLite and PostgreSQL: each list's figures as its own
service counts them (so the report and the lists agree), in every format, for a location too;
a list that cannot be read leaves the rest of the report whole."""

from __future__ import annotations

import json
from datetime import date

import pytest

from frontdesk.services.context import Context
from frontdesk.services.report import daily_report, export
from frontdesk.services.report import worklists as gathering
from frontdesk.services.report.worklists import COULD_NOT_READ
from frontdesk.services.worklists import confirmations, recalls, reminders, waitlist
from tests.practice import Practice
from tests.services.test_confirmations import THU, book

GROUPS = ["Confirmations", "Reminders", "Waitlist", "Recalls"]


def by_group(lines: object) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for line in lines:  # type: ignore[attr-defined]
        out.setdefault(line.worklist, []).append((line.label, line.figure.n))
    return out


@pytest.mark.parametrize("where", [None, "Test Clinic"])
def test_each_worklist_is_in_the_report_as_its_own_list_counts_it(
        ctx: Context, practice: Practice, where: str | None) -> None:
    first = book(ctx, practice, THU, 10, "new-patient", patient=practice.other_patient_id)
    book(ctx, practice, THU, 8)
    confirmations.record(ctx, staff=practice.staff, appointment_id=first.id,
                         outcome="confirmed", expected_version=first.version)
    place = None if where is None else practice.location_id
    report = daily_report(ctx, by="mgr", day=THU, location=where)
    found = by_group(report.worklists)
    assert list(found) == GROUPS
    assert found["Confirmations"] == [
        (w.label, w.figure.n) for w in confirmations.report_lines(ctx, THU, place)]
    assert ("To confirm", 2) in found["Confirmations"]
    assert ("Confirmed", 1) in found["Confirmations"]
    assert found["Reminders"] == [
        (w.label, w.figure.n) for w in reminders.report_lines(ctx, day=THU)]
    assert found["Waitlist"] == [
        (w.label, w.figure.n)
        for w in waitlist.report_lines(ctx, by="mgr", day=THU, location_id=place)]
    assert found["Recalls"] == [
        (w.label, w.figure.n)
        for w in recalls.report_lines(ctx, by="mgr", day=THU, location_id=place)]
    doc = json.loads(export.to_json(report))
    assert doc["worklists"]["confirmations"]["confirmed"] == 1
    assert set(doc["worklists"]) == {"confirmations", "reminders", "waitlist", "recalls"}


def test_a_list_that_cannot_be_read_leaves_the_report_whole(
        ctx: Context, practice: Practice, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> list[object]:
        raise RuntimeError("a row nobody understands")

    monkeypatch.setattr(gathering, "GATHERERS", tuple(
        (name, broken if name == "Waitlist" else gather)
        for name, gather in gathering.GATHERERS))
    report = daily_report(ctx, by="mgr", day=date(2027, 3, 10))
    found = by_group(report.worklists)
    assert found["Waitlist"] == [(COULD_NOT_READ, 0)]
    assert list(found) == GROUPS  # the others are all there
    assert report.visits_total is not None
