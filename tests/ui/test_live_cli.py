"""Live refresh across processes: the command line books while the board is open."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from tests.cli.conftest import password_file
from tests.practice import TEST_PASSWORDS, Practice, give_passwords
from tests.ui.conftest import settled, shown
from tests.ui.test_day_view import day_view, drawn
from tests.ui.test_week_view import drawn as week_drawn
from tests.ui.test_week_view import week_view


def patients(rows: list[dict[str, str]]) -> list[str]:
    return [row["patient"] for row in rows]


def desk_proof(ctx: Context, folder: Path) -> list[str]:
    """``--as desk`` with her password in a file only she can read, as a script proves it."""
    give_passwords(ctx, "desk")
    return ["--as", "desk", "--password-file", password_file(folder, TEST_PASSWORDS["desk"])]


async def test_a_cli_booking_in_another_process_appears_within_two_seconds(
    sqlite_url: str, sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView],
    tmp_path: Path,
) -> None:
    proof = desk_proof(sqlite_ctx, tmp_path)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await settled(pilot)
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J."]
        cli = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "frontdesk", "--db", sqlite_url, "book",
            "--patient", str(practice.other_patient_id), "--visit-type", "follow-up",
            "--provider", str(practice.able), "--location", str(practice.location_id),
            "--start", "2027-03-10T14:00", "--accept", "same-day", "--accept", "duplicate",
            *proof,  # Sample's second follow-up today: the warnings read and accepted
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await cli.communicate()
        assert cli.returncode == 0, err.decode()
        committed = time.monotonic()
        while len(shown(screen)) < 3 and time.monotonic() - committed < 6:
            await pilot.pause(0.05)
        seen_after = time.monotonic() - committed
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J.", "Sample, J."]
        assert seen_after < 2.5  # polled every 2 s; a little slack for a loaded machine


async def test_a_cli_move_and_cancel_appear_on_the_open_day_and_week_views(
    sqlite_url: str, sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView],
    tmp_path: Path,
) -> None:
    proof = desk_proof(sqlite_ctx, tmp_path)
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("d")
        day = await day_view(pilot)
        assert "B 10:00 Testcase, C." in drawn(day)

        async def cli(*args: str) -> None:
            run = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "frontdesk", "--db", sqlite_url, *args, *proof,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            _, err = await run.communicate()
            assert run.returncode == 0, err.decode()

        await cli("reschedule", str(booked[0].id), "--start", "2027-03-10T11:00")
        committed = time.monotonic()
        while "B 11:00 Testcase, C." not in drawn(day) and time.monotonic() - committed < 6:
            await pilot.pause(0.05)
        assert "B 11:00 Testcase, C." in drawn(day)
        assert time.monotonic() - committed < 2.5

        await pilot.press("w")
        week = await week_view(pilot)
        assert any("Samp" in line for line in week_drawn(week))
        await cli("cancel", str(booked[1].id), "--reason", "called to cancel")
        committed = time.monotonic()
        while (any("Samp" in line for line in week_drawn(week))
               and time.monotonic() - committed < 6):
            await pilot.pause(0.05)
        assert not any("Samp" in line for line in week_drawn(week))
        assert time.monotonic() - committed < 2.5
