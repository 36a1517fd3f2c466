"""The daily report's documents (JSON, CSV, text, HTML) from a report built by hand, and the
owner-only file writer."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from frontdesk.domain.calls import CallOutcome
from frontdesk.services.errors import InvalidInput
from frontdesk.services.report import (
    STATUS_COLUMNS,
    BookingLine,
    CallLine,
    Calls,
    DailyReport,
    DrillKind,
    Figure,
    Funnel,
    OverrideLine,
    TrendDay,
    UseLine,
    VisitLine,
    WorklistLine,
    export,
)

DAY = date(2027, 3, 10)
AS_OF = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)  # 9:00 AM in Tulsa
SCRIPT = "<script>alert('x')</script> & more"
FORMULA = "=HYPERLINK(\"evil\")"


class Ids:
    """Fresh, distinct ids for each figure."""

    def __init__(self) -> None:
        self.next = 1

    def fig(self, n: int, kind: DrillKind = DrillKind.APPOINTMENTS, title: str = "") -> Figure:
        ids = tuple(range(self.next, self.next + n))
        self.next += n
        return Figure(kind, ids, title or f"{n} rows")


def visit_line(ids: Ids, location: str, code: str, name: str, counts: dict[str, int]) -> VisitLine:
    cells = tuple(ids.fig(counts.get(key, 0)) for key, _ in STATUS_COLUMNS)
    total = Figure(DrillKind.APPOINTMENTS, tuple(i for c in cells for i in c.ids), name)
    return VisitLine(location, code, name, cells, total)


def override(ids: Ids, reason: str, at: datetime) -> OverrideLine:
    return OverrideLine(
        at=at, authorised_by="Sam Holloway", authorised_username="sam",
        booked_by="Rita Fairbanks", location="Tulsa Midtown", visit_code="facet-therapeutic",
        visit_name="Therapeutic facet joint injection", rules=("limit", "repeat"),
        payers=("Medicare (Novitas)",), reason=reason, appointment=ids.fig(1))


def build_report(location: str | None = None) -> DailyReport:
    ids = Ids()
    visits = (
        visit_line(ids, "Tulsa Midtown", "facet-diagnostic",
                   "Diagnostic facet joint injection (medial branch block)",
                   {"booked": 3, "confirmed": 2, "checked_in": 1, "completed": 4,
                    "cancelled": 1, "late_cancel": 2, "no_show": 1}),
        visit_line(ids, "Tulsa South", "follow-up", "Follow-up",
                   {"booked": 5, "completed": 7, "no_show": 2}),
    )
    bookings = (
        BookingLine("rita", "Rita Fairbanks", "Tulsa Midtown", "facet-diagnostic",
                    "Diagnostic facet joint injection (medial branch block)", ids.fig(6)),
        BookingLine("sam", "Sam Holloway", "Tulsa South", "follow-up", "Follow-up",
                    ids.fig(4)),
    )
    per_outcome = {"booked": 17, "moved": 4, "cancelled": 2, "callback": 3, "information": 2,
                   "declined": 1, "transferred": 0}
    lines = tuple(CallLine(o.value, o.label, ids.fig(per_outcome[o.value], DrillKind.CALLS))
                  for o in CallOutcome)
    logged = Figure(DrillKind.CALLS, tuple(i for line in lines for i in line.calls.ids), "all")
    calls = Calls(lines, logged, ids.fig(2, DrillKind.CALLS))
    funnel = Funnel(ids.fig(4), ids.fig(3, DrillKind.RELIEF_REPORTS), ids.fig(1),
                    ids.fig(5, DrillKind.CALLBACKS), ids.fig(2, DrillKind.CALLBACKS),
                    (("relief-report", ids.fig(3, DrillKind.CALLBACKS)),
                     ("call-back", ids.fig(2, DrillKind.CALLBACKS))))
    use = (
        UseLine("Tulsa Midtown", None, 600, 960, ids.fig(12)),
        UseLine("Tulsa Midtown", "Dr. Emery Flintridge, MD", 420, 480, ids.fig(8)),
        UseLine("Tulsa Midtown", "Harper Cottonwood, PA-C", 180, 480, ids.fig(4)),
        UseLine("Tulsa South", None, 90, 0, ids.fig(2)),
    )
    overrides = (
        override(ids, SCRIPT, datetime(2027, 3, 10, 14, 44, tzinfo=UTC)),
        override(ids, FORMULA, datetime(2027, 3, 10, 15, 5, tzinfo=UTC)),
    )
    first = DAY - timedelta(days=13)
    trend = tuple(TrendDay(first + timedelta(days=n), ids.fig(n + 10), ids.fig(n % 3),
                           ids.fig(1 if n == 13 else 0)) for n in range(14))
    return DailyReport(day=DAY, location=location, timezone="America/Chicago", as_of=AS_OF,
                       visits=visits, bookings=bookings, calls=calls, funnel=funnel,
                       utilisation=use, overrides=overrides, trend=trend,
                       worklists=(WorklistLine("Confirmations", "Confirmed", ids.fig(7)),
                                  WorklistLine("Confirmations", "Left a message", ids.fig(2)),
                                  WorklistLine("Waitlist", "Slots refilled", ids.fig(3))))


@pytest.fixture
def report() -> DailyReport:
    return build_report()


# --------------------------------------------------------------------------- JSON


def test_json_has_the_documented_shape_and_values(report: DailyReport) -> None:
    doc = json.loads(export.to_json(report))
    assert doc == export.as_dict(report)
    assert list(doc) == ["date", "location", "timezone", "as_of", "appointments",
                         "appointment_totals", "bookings", "bookings_total", "calls", "funnel",
                         "worklists", "utilisation", "overrides", "trend"]
    assert doc["worklists"] == {"confirmations": {"confirmed": 7, "left_a_message": 2},
                                "waitlist": {"slots_refilled": 3}}
    assert (doc["date"], doc["location"], doc["timezone"], doc["as_of"]) == (
        "2027-03-10", None, "America/Chicago", "2027-03-10T15:00:00Z")
    assert doc["appointments"][0] == {
        "location": "Tulsa Midtown", "visit_type": "facet-diagnostic",
        "visit_name": "Diagnostic facet joint injection (medial branch block)",
        "booked": 3, "confirmed": 2, "checked_in": 1, "completed": 4, "cancelled": 1,
        "late_cancel": 2, "no_show": 1, "total": 14}
    assert doc["appointment_totals"] == {
        "booked": 8, "confirmed": 2, "checked_in": 1, "completed": 11, "cancelled": 1,
        "late_cancel": 2, "no_show": 3, "total": 28}
    assert doc["bookings"][1] == {"staff": "sam", "staff_name": "Sam Holloway",
                                  "location": "Tulsa South", "visit_type": "follow-up",
                                  "visit_name": "Follow-up", "count": 4}
    assert doc["bookings_total"] == 10
    assert doc["calls"] == {
        "logged": 29, "booked_share": 0.586, "still_open": 2, "scope": "practice",
        "by_outcome": {"booked": 17, "moved": 4, "cancelled": 2, "callback": 3,
                       "information": 2, "declined": 1, "transferred": 0}}
    assert doc["funnel"] == {"diagnostic_done": 4, "relief_reports": 3,
                             "rfa_consults_booked": 1, "callbacks_outstanding": 5,
                             "callbacks_overdue": 2, "callbacks_relief_report": 3,
                             "callbacks_call_back": 2}
    assert doc["utilisation"][0] == {"location": "Tulsa Midtown", "provider": None,
                                     "booked_minutes": 600, "template_minutes": 960,
                                     "utilisation": 0.625}
    assert doc["utilisation"][1]["utilisation"] == 0.875
    assert doc["utilisation"][3]["utilisation"] is None  # no template minutes
    assert doc["overrides"][0] == {
        "at": "2027-03-10T14:44:00Z", "authorised_by": "sam",
        "authorised_by_name": "Sam Holloway", "booked_by": "Rita Fairbanks",
        "location": "Tulsa Midtown", "visit_type": "facet-therapeutic",
        "visit_name": "Therapeutic facet joint injection", "rules": ["limit", "repeat"],
        "payers": ["Medicare (Novitas)"], "reason": SCRIPT}
    assert len(doc["trend"]) == 14
    assert doc["trend"][0] == {"date": "2027-02-25", "bookings": 10, "cancellations": 0,
                               "no_shows": 0}
    assert doc["trend"][-1] == {"date": "2027-03-10", "bookings": 23, "cancellations": 1,
                                "no_shows": 1}


def test_json_names_the_location_and_a_share_is_null_without_calls() -> None:
    report = build_report("Tulsa Midtown")
    empty = Calls(tuple(CallLine(o.value, o.label, Figure(DrillKind.CALLS, (), o.label))
                        for o in CallOutcome),
                  Figure(DrillKind.CALLS, (), "all"), Figure(DrillKind.CALLS, (), "open"))
    from dataclasses import replace

    doc = export.as_dict(replace(report, calls=empty))
    assert doc["location"] == "Tulsa Midtown"
    assert doc["calls"]["booked_share"] is None
    assert doc["calls"]["scope"] == "practice"


# --------------------------------------------------------------------------- CSV


def read_csv(report: DailyReport) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export.to_csv(report))))


def test_csv_header_and_one_row_per_number(report: DailyReport) -> None:
    text = export.to_csv(report)
    assert text.splitlines()[0] == ("date,section,location,provider,staff,visit_type,category,"
                                    "measure,value,detail")
    rows = read_csv(report)
    assert all(r["date"] == "2027-03-10" for r in rows)

    def find(**wanted: str) -> list[dict[str, str]]:
        return [r for r in rows if all(r[k] == v for k, v in wanted.items())]

    assert find(section="appointments", location="Tulsa Midtown",
                visit_type="facet-diagnostic", category="late_cancel")[0]["value"] == "2"
    assert find(section="appointments", location="Tulsa Midtown",
                visit_type="facet-diagnostic", category="all")[0]["value"] == "14"
    assert find(section="appointments", location="", visit_type="",
                category="all")[0]["value"] == "28"
    assert find(section="bookings", staff="rita")[0] | {} == {
        "date": "2027-03-10", "section": "bookings", "location": "Tulsa Midtown",
        "provider": "", "staff": "rita", "visit_type": "facet-diagnostic", "category": "",
        "measure": "count", "value": "6", "detail": ""}
    assert find(section="bookings", staff="")[0]["value"] == "10"
    assert find(section="calls", category="callback")[0]["value"] == "3"
    assert find(section="calls", category="moved")[0]["value"] == "4"  # not counted as booked
    assert find(section="calls", category="cancelled")[0]["value"] == "2"
    assert find(section="calls", category="all", measure="count")[0]["value"] == "29"
    assert find(section="calls", measure="booked_share")[0]["value"] == "0.586"
    assert find(section="calls", measure="still_open")[0]["value"] == "2"
    assert find(section="funnel", category="relief_reports")[0]["value"] == "3"
    assert find(section="funnel", category="callbacks_call_back")[0]["value"] == "2"
    assert find(section="utilisation", provider="Harper Cottonwood, PA-C",
                measure="utilisation")[0]["value"] == "0.375"
    assert find(section="utilisation", location="Tulsa South",
                measure="utilisation")[0]["value"] == ""
    first = find(section="overrides")[0]
    assert (first["staff"], first["category"], first["measure"], first["value"],
            first["detail"]) == ("sam", "limit;repeat", "override", "1", SCRIPT)
    assert find(section="worklists", category="confirmations",
                measure="left_a_message")[0]["value"] == "2"
    assert find(section="worklists", category="waitlist",
                measure="slots_refilled")[0]["value"] == "3"
    assert find(section="trend", category="2027-03-10", measure="bookings")[0]["value"] == "23"
    assert len(find(section="trend")) == 14 * 3


def test_csv_guards_against_formula_injection(report: DailyReport) -> None:
    rows = read_csv(report)
    reasons = [r["detail"] for r in rows if r["section"] == "overrides"]
    assert reasons == [SCRIPT, "'" + FORMULA]
    for start in "=+-@":
        assert export._cell(f"{start}1+1") == f"'{start}1+1"
    assert export._cell("plain") == "plain"
    assert not any(cell.startswith(("=", "+", "-", "@"))
                   for r in rows for cell in r.values())


# --------------------------------------------------------------------------- text


def test_text_has_the_numbers_and_fits_80_columns(report: DailyReport) -> None:
    text = export.to_text(report)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0] == "DAILY REPORT  Wed Mar 10 2027  All locations"
    assert lines[1] == "As of 9:00 AM CST (America/Chicago)"
    assert "Appointments on the day: 28" in text
    assert "Bookings made: 10" in text
    assert "Calls logged: 29 (practice-wide)" in text
    assert "58.6%" in text  # 17 booked of 29 logged: moves and cancellations are not bookings
    assert "Moved a visit" in text
    assert "Cancelled a visit" in text
    assert "  of them call backs (a call's \"Callback scheduled\")" in text
    assert "62.5%" in text
    assert "87.5%" in text
    total = next(line for line in lines if line.startswith("Total "))
    assert total.split() == ["Total", "8", "2", "1", "11", "1", "2", "3", "28"]
    assert "  facet-diagnostic" in text
    assert "Payer-rule overrides: 2" in text
    worklists = lines.index("Worklists")
    assert [line.split() for line in lines[worklists + 3:worklists + 8]] == [
        ["Confirmations"], ["Confirmed", "7"], ["Left", "a", "message", "2"], ["Waitlist"],
        ["Slots", "refilled", "3"]]
    assert "rules: session limit, repeat rule; payers: Medicare (Novitas)" in text
    assert "8:44 AM  Tulsa Midtown  facet-therapeutic" in text
    spark = next(line for line in lines if line.startswith("Bookings   "))
    assert spark.split()[1:] == ["▄▄▅▅▅▆▆▆▆▇▇▇██", "today", "23,", "max", "23,", "total",
                                 "231"]
    day_row = next(line for line in lines if line.startswith("Day "))
    assert day_row.split()[1:] == [str(d) for d in (25, 26, 27, 28, *range(1, 11))]
    numbers = next(line for line in lines if line.startswith("Bookings  ")
                   and not set(export.SPARKS) & set(line))
    assert numbers.split()[1:] == [str(n) for n in range(10, 24)]


def test_text_cuts_long_names_to_fit() -> None:
    report = build_report()
    from dataclasses import replace

    long_place = "The Very Long Named Spine and Pain Center of North East Oklahoma " * 2
    visits = tuple(replace(v, location=long_place) for v in report.visits)
    text = export.to_text(replace(report, visits=visits))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "…" in text


def test_sparkline() -> None:
    assert export.sparkline([0, 0, 0]) == "▁▁▁"
    assert export.sparkline([0, 2, 14]) == "▁▂█"  # against zero, not the smallest value
    assert export.sparkline([5, 5]) == "██"
    assert export.sparkline([]) == ""


# --------------------------------------------------------------------------- HTML


def test_html_is_self_contained_and_escaped(report: DailyReport) -> None:
    page = export.to_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    for outside in ("http://", "https://", "<link", " src=", "url(", "<script"):
        assert outside not in page
    assert "<svg" in page
    for number in (">28<", ">58.6%<", ">62.5%<", ">10<"):
        assert number in page
    assert "Diagnostic facet joint injection (medial branch block)" in page
    assert "<h2>Worklists</h2>" in page
    assert "Slots refilled" in page


# --------------------------------------------------------------------------- render, files


def test_render_picks_the_format(report: DailyReport) -> None:
    assert export.render(report, "json") == export.to_json(report)
    assert export.render(report, "csv") == export.to_csv(report)
    with pytest.raises(InvalidInput):
        export.render(report, "pdf")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_private_creates_a_0600_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    export.write_private(target, "numbers ▁█\n")
    assert target.read_text(encoding="utf-8") == "numbers ▁█\n"
    assert mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # no temp file left


def test_write_private_narrows_an_existing_0644_file(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old and longer than the new text\n")
    os.chmod(target, 0o644)
    export.write_private(target, "new\n")
    assert target.read_text() == "new\n"
    assert mode(target) == 0o600


def test_write_private_refuses_a_missing_folder_or_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        export.write_private(tmp_path / "nope" / "r.txt", "x")
    with pytest.raises(InvalidInput, match="is a folder"):
        export.write_private(tmp_path, "x")
    assert list(tmp_path.iterdir()) == []
