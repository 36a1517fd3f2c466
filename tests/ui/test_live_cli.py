"""Live refresh across processes: the command line books while the board is open."""

from __future__ import annotations

import asyncio
import sys
import time

from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from frontdesk.ui.app import FrontDeskApp
from tests.practice import Practice
from tests.ui.conftest import settled, shown


def patients(rows: list[dict[str, str]]) -> list[str]:
    return [row["patient"] for row in rows]


async def test_a_cli_booking_in_another_process_appears_within_two_seconds(
    sqlite_url: str, sqlite_ctx: Context, practice: Practice, booked: list[AppointmentView]
) -> None:
    async with FrontDeskApp(context=sqlite_ctx).run_test(size=(80, 24)) as pilot:
        screen = await settled(pilot)
        assert patients(shown(screen)) == ["Testcase, C.", "Sample, J."]
        cli = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "frontdesk", "--db", sqlite_url, "book",
            "--patient", str(practice.other_patient_id), "--visit-type", "follow-up",
            "--provider", str(practice.able), "--location", str(practice.location_id),
            "--start", "2027-03-10T14:00", "--as", "desk",
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
