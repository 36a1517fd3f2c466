"""The manager's daily report screen on the demo practice: F4 opens it, every number drills
down to the rows behind it, the screen agrees with ``frontdesk report daily``, and exports are
readable by their owner only."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from textual.app import App
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from frontdesk.db.engine import run_write
from frontdesk.db.models import Appointment, AuditEvent, Location, Patient, Staff
from frontdesk.domain.calls import CallOutcome
from frontdesk.services import report as report_service
from frontdesk.services.context import Context
from frontdesk.services.demo.content import demo_password
from frontdesk.ui.app import FrontDeskApp
from frontdesk.ui.calendar.board.screen import TodayScreen
from frontdesk.ui.report.audit import AuditScreen
from frontdesk.ui.report.drill import DrillScreen, FigureTable
from frontdesk.ui.report.layout import INDENT, sections, short_visit
from frontdesk.ui.report.screen import ReportScreen
from tests.cli.conftest import invoke
from tests.conftest import FrozenClock
from tests.ui.call_helpers import app_for, quiet, shown

TUESDAY = date(2027, 3, 9)
MANAGER = "maria"  # the demo practice's manager: the report and the audit log are hers


async def open_report(pilot: Pilot[None]) -> ReportScreen:
    app = pilot.app
    assert isinstance(app, FrontDeskApp)
    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(app.screen, TodayScreen):
            break
    await pilot.press("f4")
    await quiet(pilot)
    screen = app.screen
    assert isinstance(screen, ReportScreen)
    assert screen.report is not None
    return screen


def table(screen: Any, key: str) -> FigureTable:
    return screen.query_one(f"#report-{key}", FigureTable)


def cells(grid: DataTable[Any]) -> list[list[str]]:
    return [[str(c) for c in grid.get_row_at(n)] for n in range(grid.row_count)]


def screen_text(screen: ReportScreen) -> str:
    parts = [str(s.render()) for s in screen.query(Static)]
    for grid in screen.query(FigureTable):
        parts += [" ".join(row) for row in cells(grid)]
    return "\n".join(parts)


def listings(ctx: Context) -> list[tuple[str, Any]]:
    """The ``patient.list`` audit events, oldest first: (who, what was recorded)."""
    with Session(ctx.engine) as session:
        return [(who, after) for after, who in session.exec(
            select(AuditEvent.after, Staff.username)
            .join(Staff, col(Staff.id) == AuditEvent.staff_id)
            .where(AuditEvent.action == "patient.list").order_by(col(AuditEvent.id)))]


def patient_names(ctx: Context) -> list[str]:
    with Session(ctx.engine) as session:
        return [f"{p.first_name} {p.last_name}" for p in session.exec(select(Patient))]


def last_override(ctx: Context) -> tuple[date, str]:
    """The local day and location of the demo's latest payer-rule override."""
    with Session(ctx.engine) as session:
        event, place = session.exec(
            select(AuditEvent, Location.name)
            .join(Appointment, col(Appointment.id) == AuditEvent.entity_id)
            .join(Location, col(Location.id) == Appointment.location_id)
            .where(AuditEvent.action == "payer.override")
            .order_by(col(AuditEvent.at).desc())).first() or (None, "")
    assert event is not None
    return event.at.replace(tzinfo=UTC).astimezone(ZoneInfo("America/Chicago")).date(), place


async def back_a_day(pilot: Pilot[None], screen: ReportScreen) -> None:
    await pilot.press("left_square_bracket")
    await quiet(pilot)
    assert screen.report is not None
    assert screen.report.day == TUESDAY


class TestScreen:
    async def test_f4_opens_today_and_esc_goes_back(self, demo: Context) -> None:
        app = app_for(demo, staff=MANAGER)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_report(pilot)
            assert shown(screen, "#report-title").startswith(
                "Daily report · Wed 10 Mar 2027 (today) · All locations · as of 09:00")
            titles = [str(s.render()) for s in screen.query(".report-heading")]
            assert [t.split(":")[0] for t in titles] == [
                "Appointments on the day", "Bookings made that day", "Calls",
                "Pathway", "Worklists", "Utilisation", "Payer-rule overrides", "14 days"]
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, TodayScreen)

    async def test_a_receptionist_finds_f4_greyed_out(self, demo: Context) -> None:
        app = app_for(demo, staff="rita")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            await pilot.app.workers.wait_for_complete()
            board = app.screen
            assert isinstance(board, TodayScreen)
            assert app.check_action("daily_report", ()) is None  # shown greyed, does nothing
            await pilot.press("f4")
            await pilot.pause()
            assert app.screen is board

    async def test_a_manager_moved_to_the_desk_meanwhile_is_told_plainly(
            self, demo: Context) -> None:
        app = app_for(demo, staff=MANAGER)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await open_report(pilot)
            await back_a_day(pilot, screen)  # a day with visits done

            def demote(session: Session) -> None:  # an admin changes her role meanwhile
                maria = session.exec(select(Staff).where(Staff.username == MANAGER)).one()
                maria.role = "receptionist"

            run_write(demo.engine, demote)
            grid = table(screen, "appointments")
            grid.focus()
            grid.cursor_coordinate = Coordinate(grid.row_count - 1, 4)  # all locations, Done
            await pilot.press("enter")  # the services check again: no list for her now
            await quiet(pilot)
            assert not isinstance(app.screen, DrillScreen)
            assert [n.message for n in app._notifications][-1] == (
                "That list could not be read: seeing the daily report needs a manager or "
                "admin.")
            await pilot.press("r")
            await quiet(pilot)
            assert shown(screen, "#report-loading") == (
                "The report could not be read: seeing the daily report needs a manager or "
                "admin. Press r to try again.")

    async def test_two_columns_on_a_wide_terminal_one_on_a_narrow(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(160, 50)) as pilot:
            screen = await open_report(pilot)
            right = screen.query_one("#report-right")
            assert [b.id for b in right.query(".report-section")] == [
                "report-box-bookings", "report-box-funnel", "report-box-worklists",
                "report-box-overrides", "report-box-trend"]
            await pilot.resize_terminal(100, 30)
            await quiet(pilot)
            assert not screen.query("#report-columns")
            assert len(screen.query(".report-section")) == 8
            assert isinstance(pilot.app.focused, FigureTable)

    async def test_no_patient_name_on_the_summary(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(160, 50)) as pilot:
            screen = await open_report(pilot)
            await back_a_day(pilot, screen)
            text = screen_text(screen)
            assert "Bookings made that day" in text
            assert not [n for n in patient_names(demo) if n in text]

    async def test_a_number_drills_down_to_its_appointments(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(80, 24)) as pilot:
            screen = await open_report(pilot)
            await back_a_day(pilot, screen)
            assert screen.report is not None
            grid = table(screen, "appointments")
            done = screen.report.status_total("completed")
            assert done.n > 0
            last = grid.row_count - 1
            assert cells(grid)[last][0] == "All locations"
            grid.focus()
            grid.cursor_coordinate = Coordinate(last, 4)  # Done
            await pilot.pause()  # scrolled into view: what Enter opens is on screen
            await pilot.press("enter")
            await quiet(pilot)
            drill = pilot.app.screen
            assert isinstance(drill, DrillScreen)
            rows = drill.query_one("#drill-rows", DataTable)
            assert rows.row_count == done.n == int(cells(grid)[last][4])
            listed = cells(rows)
            assert {r[5] for r in listed} == {"completed"}
            names = set(patient_names(demo))
            assert all(r[1] in names for r in listed)  # the drill-down shows who
            assert set(drill.table.appointment_ids) == set(done.ids)
            assert listings(demo)[-1] == (  # who, which list, how many: never the rows
                MANAGER, {"command": f"report drill: {done.title}", "rows": done.n})
            await pilot.press("escape")
            await pilot.pause()
            assert pilot.app.screen is screen
            assert pilot.app.focused is grid

    async def test_the_drill_down_shows_no_control_character(self) -> None:
        """A call-back note (free text, typed or imported) with an escape sequence, a bell
        and a line break: the table shows "?" for each, never the character itself."""
        from frontdesk.services.report import DrillTable

        note = "call back: \x1b[2J\x1b]0;owned\x07after 5\npm"
        drilled = DrillTable("Callbacks \x1b[31mopen", ("Due", "Patient", "For"),
                             (("Wed 03/10 14:00", "Jordan\x9bSample", note),), (None,))
        async with App[None]().run_test(size=(80, 24)) as pilot:
            await pilot.app.push_screen(DrillScreen(drilled))
            await pilot.pause()
            shown_cells = cells(pilot.app.screen.query_one("#drill-rows", DataTable))
            title = str(pilot.app.screen.query_one("#drill-title", Static).render())
        assert shown_cells == [["Wed 03/10 14:00", "Jordan?Sample",
                                "call back: ?[2J?]0;owned?after 5?pm"]]
        assert title == "Callbacks ?[31mopen · 1 row"

    async def test_enter_opens_the_highlighted_number_of_the_one_table_that_shows_one(
            self, demo: Context) -> None:
        """At 80x24 (issue 20): only the focused table shows a highlighted cell, Tab brings
        the next table's into view, and Enter opens exactly the number highlighted."""
        async with app_for(demo, staff=MANAGER).run_test(size=(80, 24)) as pilot:
            screen = await open_report(pilot)
            await back_a_day(pilot, screen)
            assert screen.report is not None
            grids = list(screen.query(FigureTable))
            visits, bookings = table(screen, "appointments"), table(screen, "bookings")

            def highlighted() -> list[FigureTable]:
                return [g for g in grids if g.show_cursor]

            assert pilot.app.focused is visits
            assert highlighted() == [visits]
            await pilot.press("tab")
            await pilot.pause()
            assert pilot.app.focused is bookings
            assert highlighted() == [bookings]  # the table left behind shows no cell
            assert bookings.cursor_on_screen()
            headings = {h.parent.id: h for h in screen.query(".report-heading") if h.parent}
            assert headings["report-box-bookings"].styles.text_style.reverse  # where Tab went
            assert screen.can_view_entire(headings["report-box-bookings"])  # scrolled to it
            assert not headings["report-box-appointments"].styles.text_style.reverse

            await pilot.press("shift+tab")
            await pilot.pause()
            last = visits.row_count - 1
            visits.cursor_coordinate = Coordinate(last, 4)  # "Done" of every location
            await pilot.pause()
            assert highlighted() == [visits]
            assert visits.cursor_on_screen()
            await pilot.press("enter")
            await quiet(pilot)
            drill = pilot.app.screen
            assert isinstance(drill, DrillScreen)
            done = screen.report.status_total("completed")
            assert drill.table.title == done.title == "Completed on the day"
            assert drill.query_one("#drill-rows", DataTable).row_count == done.n
            assert set(drill.table.appointment_ids) == set(done.ids)
            await pilot.press("escape")
            await pilot.pause()

    async def test_enter_on_a_table_scrolled_out_of_sight_shows_it_first(
            self, demo: Context) -> None:
        """The report scrolled away (the mouse wheel) from the focused table: Enter brings
        its highlighted number back into view and opens nothing; Enter again opens it."""
        async with app_for(demo, staff=MANAGER).run_test(size=(80, 24)) as pilot:
            screen = await open_report(pilot)
            await back_a_day(pilot, screen)
            bookings = table(screen, "bookings")
            bookings.focus()
            await pilot.pause()
            figure = bookings.figure_at(bookings.cursor_coordinate)
            assert figure is not None
            assert figure.title.startswith("Booked by ")
            body = screen.query_one("#report-body")
            body.scroll_to(y=body.max_scroll_y, animate=False, immediate=True)
            await pilot.pause()
            assert not bookings.cursor_on_screen()
            await pilot.press("enter")
            await quiet(pilot)
            assert pilot.app.screen is screen
            assert bookings.cursor_on_screen()
            await pilot.press("enter")
            await quiet(pilot)
            drill = pilot.app.screen
            assert isinstance(drill, DrillScreen)
            assert drill.table.title == figure.title
            assert drill.query_one("#drill-rows", DataTable).row_count == figure.n

    async def test_a_zero_says_so_and_opens_nothing(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(80, 24)) as pilot:
            screen = await open_report(pilot)
            grid = table(screen, "calls")
            grid.focus()
            await pilot.pause()  # it scrolls into view
            zero = next(n for n, row in enumerate(cells(grid)) if row[1] == "0")
            grid.cursor_coordinate = Coordinate(zero, 1)
            await pilot.press("enter")
            await quiet(pilot)
            assert pilot.app.screen is screen
            assert any("zero" in str(n.message) for n in pilot.app._notifications)

    async def test_calls_and_callbacks_drill_down(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(120, 40)) as pilot:
            screen = await open_report(pilot)
            await back_a_day(pilot, screen)
            report = screen.report
            assert report is not None
            for key, row, expected in (
                    ("calls", 0, report.calls.booked),
                    ("funnel", 3, report.funnel.callbacks_outstanding),
                    ("trend", 0, report.trend[-1].bookings)):  # counted, looked up on Enter
                grid = table(screen, key)
                grid.focus()
                grid.cursor_coordinate = Coordinate(row, 1)
                await pilot.pause()  # scrolled into view: what Enter opens is on screen
                await pilot.press("enter")
                await quiet(pilot)
                drill = pilot.app.screen
                assert isinstance(drill, DrillScreen), key
                assert expected.n > 0
                assert drill.query_one("#drill-rows", DataTable).row_count == expected.n
                assert drill.table.title == expected.title
                await pilot.press("escape")
                await pilot.pause()

    async def test_days_and_locations(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(80, 24)) as pilot:
            screen = await open_report(pilot)
            await back_a_day(pilot, screen)
            title = shown(screen, "#report-title")
            assert "Tue 9 Mar 2027" in title
            assert "All locations" in title
            await pilot.press("l")
            await pilot.pause()
            options = pilot.app.screen.query_one(OptionList)
            owasso = next(n for n in range(options.option_count)
                          if str(options.get_option_at_index(n).prompt) == "Owasso")
            options.highlighted = owasso
            await pilot.press("enter")
            await quiet(pilot)
            assert screen.report is not None
            assert screen.report.location == "Owasso"
            assert "· Owasso" in shown(screen, "#report-title")
            assert {line.location for line in screen.report.visits} == {"Owasso"}
            notes = " ".join(str(s.render()) for s in screen.query(".report-note"))
            assert "Calls are practice-wide" in notes
            await pilot.press("t")
            await quiet(pilot)
            assert screen.report.day == date(2027, 3, 10)
            assert screen.report.location == "Owasso"

    async def test_export_writes_a_file_only_its_owner_reads(
            self, demo: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("FRONTDESK_DATA_DIR", str(tmp_path))
        async with app_for(demo, staff=MANAGER).run_test(size=(80, 24)) as pilot:
            await open_report(pilot)
            await pilot.press("e")
            await pilot.pause()
            await pilot.press("enter")  # CSV, the first choice
            await quiet(pilot)
        written = tmp_path / "reports" / "daily-2027-03-10.csv"
        assert written.read_text().startswith(
            "date,section,location,provider,staff,visit_type,category,measure,value,detail")
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700


class TestScreenAndCliAgree:
    """What the screen shows is what ``frontdesk report daily --format json`` prints."""

    @pytest.mark.parametrize("one_location", [False, True])
    async def test_on_the_demo(self, demo: Context, demo_url: str, clock: FrozenClock,
                               one_location: bool) -> None:
        day, place = last_override(demo)  # a day with a payer override, so none is empty
        location = place if one_location else None
        args = ["--db", demo_url, "report", "daily", "--as", MANAGER, "--date",
                day.isoformat(), "--format", "json"]
        if location:
            args += ["--location", location]
        result = invoke(*args, clock=clock, passwords={MANAGER: demo_password(MANAGER)})
        assert result.exit_code == 0, result.output
        cli = json.loads(result.stdout)
        async with app_for(demo, staff=MANAGER).run_test(size=(160, 50)) as pilot:
            screen = await open_report(pilot)
            screen.location = location
            await pilot.press("g")
            await pilot.pause()
            await pilot.press(*day.isoformat(), "enter")
            await quiet(pilot)
            assert screen.report is not None
            assert screen.report.day == day
            shown_tables = {key: cells(table(screen, key)) for key in
                            ("appointments", "bookings", "calls", "funnel", "utilisation",
                             "trend")}
            overrides = cells(table(screen, "overrides"))
            why = " ".join(str(s.render()) for s in screen.query(".report-note"))
        assert cli["date"] == day.isoformat()
        assert cli["location"] == location

        # appointments: one row per location (its totals) then its visit types
        keys = [k for k, _ in report_service.STATUS_COLUMNS] + ["total"]
        expected_rows = []
        for place in dict.fromkeys(a["location"] for a in cli["appointments"]):
            lines = [a for a in cli["appointments"] if a["location"] == place]
            expected_rows.append([place, *(str(sum(a[k] for a in lines)) for k in keys)])
            expected_rows += [[_short(a), *(str(a[k]) for k in keys)] for a in lines]
        if len({a["location"] for a in cli["appointments"]}) > 1:
            expected_rows.append(["All locations",
                                  *(str(cli["appointment_totals"][k]) for k in keys)])
        assert shown_tables["appointments"] == expected_rows

        # bookings: one row per staff member (their total) then location and visit type
        expected_rows = []
        for name in dict.fromkeys(b["staff_name"] for b in cli["bookings"]):
            lines = [b for b in cli["bookings"] if b["staff_name"] == name]
            expected_rows.append([name, "", "", str(sum(b["count"] for b in lines))])
            expected_rows += [["", b["location"], short_visit(b["visit_type"], b["visit_name"]),
                               str(b["count"])] for b in lines]
        assert shown_tables["bookings"] == expected_rows
        assert sum(b["count"] for b in cli["bookings"]) == cli["bookings_total"]

        calls = {r[0]: int(r[1]) for r in shown_tables["calls"]}
        assert calls["All calls logged"] == cli["calls"]["logged"]
        assert calls["Still open (not logged yet)"] == cli["calls"]["still_open"]
        assert calls["Booked"] == cli["calls"]["by_outcome"]["booked"]
        assert {o.label: calls[o.label] for o in CallOutcome} == {
            o.label: cli["calls"]["by_outcome"][o.value] for o in CallOutcome}
        assert {"Moved a visit", "Cancelled a visit"} <= set(calls)
        assert sum(calls.values()) - calls["All calls logged"] - calls[
            "Still open (not logged yet)"] == cli["calls"]["logged"]

        assert [int(r[1]) for r in shown_tables["funnel"]] == [
            cli["funnel"][k] for k in ("diagnostic_done", "relief_reports",
                                       "rfa_consults_booked", "callbacks_outstanding",
                                       "callbacks_overdue", "callbacks_relief_report",
                                       "callbacks_call_back")]
        assert [r[0].strip() for r in shown_tables["funnel"][-2:]] == [
            "of them relief reports", "of them call backs"]

        assert [[r[1], r[2]] for r in shown_tables["utilisation"]] == [
            [_hours(u["booked_minutes"]), _hours(u["template_minutes"])]
            for u in cli["utilisation"]]
        assert [r[0] for r in shown_tables["utilisation"] if not r[0].startswith("\xa0")] == [
            u["location"] for u in cli["utilisation"] if u["provider"] is None]

        assert overrides
        assert len(overrides) == len(cli["overrides"])
        assert [r[1] for r in overrides] == [o["authorised_by_name"] for o in cli["overrides"]]
        assert all(o["reason"] in why for o in cli["overrides"])

        assert [[int(x) for x in r[1:]] for r in reversed(shown_tables["trend"])] == [
            [t["bookings"], t["cancellations"], t["no_shows"]] for t in cli["trend"]]


def _short(line: dict[str, Any]) -> str:
    return INDENT + short_visit(line["visit_type"], line["visit_name"])


def _hours(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


class TestSnapshots:
    async def _report(self, pilot: Pilot[None]) -> None:
        await open_report(pilot)
        await pilot.press("left_square_bracket")
        await quiet(pilot)

    def test_report_at_80x24(self, snap_compare: Any, demo: Context) -> None:
        assert snap_compare(app_for(demo, staff=MANAGER), terminal_size=(80, 24),
                            run_before=self._report)

    def test_report_at_160x50(self, snap_compare: Any, demo: Context) -> None:
        assert snap_compare(app_for(demo, staff=MANAGER), terminal_size=(160, 50),
                            run_before=self._report)


def test_sections_keep_every_number_of_the_report(demo: Context) -> None:
    """The layout drops nothing: each status, outcome and funnel step has its cell."""
    report = report_service.daily_report(demo, by=MANAGER, day=TUESDAY)
    drawn = {s.key: s for s in sections(report)}
    figures = {id(c.figure) for s in drawn.values() for row in s.rows for c in row if c.figure}
    for line in report.visits:
        assert all(id(f) in figures for f in line.cells)
    assert all(id(line.calls) in figures for line in report.calls.lines)
    assert all(id(getattr(report.funnel, k)) in figures
               for k in ("diagnostic_done", "relief_reports", "rfa_consults_booked",
                         "callbacks_outstanding", "callbacks_overdue"))
    assert all(id(figure) in figures for _, figure in report.funnel.callbacks_by_kind)


class TestAuditLog:
    """``a`` on the report: the audit log, filtered by date, person, patient and action."""

    async def _open(self, pilot: Pilot[None]) -> AuditScreen:
        await open_report(pilot)
        await pilot.press("a")
        await quiet(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AuditScreen)
        return screen

    async def _filter(self, pilot: Pilot[None], selector: str, text: str) -> None:
        field = pilot.app.screen.query_one(selector, Input)
        field.value = text
        field.focus()
        await pilot.press("enter")
        await quiet(pilot)

    async def test_filters_by_person_action_and_patient(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(120, 40)) as pilot:
            screen = await self._open(pilot)
            assert screen.lines  # the demo's last week: overrides, the seeding
            assert [line.at for line in screen.lines] == sorted(
                (line.at for line in screen.lines), reverse=True)
            event, appt = override_and_patient(demo)
            with Session(demo.engine) as session:
                who = session.get(Staff, event.staff_id)
            assert who is not None
            await self._filter(pilot, "#audit-since", "2027-02-17")  # the demo's three weeks
            await self._filter(pilot, "#audit-staff", who.username)
            assert screen.lines
            assert {line.staff for line in screen.lines} == {who.username}
            await self._filter(pilot, "#audit-action", "payer.")
            assert screen.lines
            assert {line.action for line in screen.lines} == {"payer.override"}
            rows = screen.query_one("#audit-rows", DataTable)
            assert rows.row_count == len(screen.lines)
            text = " ".join(str(c) for n in range(rows.row_count) for c in rows.get_row_at(n))
            assert not [n for n in patient_names(demo) if n in text]
            await self._filter(pilot, "#audit-staff", "")
            await self._filter(pilot, "#audit-patient", str(appt.patient_id))
            assert screen.lines
            assert all(line.action == "payer.override" for line in screen.lines)

    async def test_a_bad_filter_is_named_and_nothing_is_read(self, demo: Context) -> None:
        async with app_for(demo, staff=MANAGER).run_test(size=(120, 40)) as pilot:
            screen = await self._open(pilot)
            before = screen.lines
            await self._filter(pilot, "#audit-staff", "nobody")
            assert "nobody" in shown(screen, "#audit-error")
            assert screen.query_one("#audit-error").display
            assert screen.lines == before
            await self._filter(pilot, "#audit-staff", "")
            await self._filter(pilot, "#audit-since", "next blursday")
            assert shown(screen, "#audit-error").startswith("Since:")
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(pilot.app.screen, ReportScreen)


def override_and_patient(ctx: Context) -> tuple[AuditEvent, Appointment]:
    with Session(ctx.engine) as session:
        event, appt = session.exec(
            select(AuditEvent, Appointment)
            .join(Appointment, col(Appointment.id) == AuditEvent.entity_id)
            .where(AuditEvent.action == "payer.override")
            .order_by(col(AuditEvent.at).desc())).first() or (None, None)
    assert event is not None
    assert appt is not None
    return event, appt
