"""In the app under umask 022: a database others can read is named in a warning when it
opens, unless the shared-group setting allows its group; a new one is made private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from textual.message import Message
from textual.notifications import Notification, Notify

from frontdesk.domain.settings import Settings, StorageSettings
from frontdesk.ui.app import make_app
from tests.conftest import FrozenClock
from tests.practice import Practice
from tests.ui.conftest import settled

pytestmark = pytest.mark.usefixtures("umask_022")


async def notifications(db: Path, clock: FrozenClock, settings: Settings) -> list[Notification]:
    seen: list[Message] = []
    app = make_app(str(db), clock=clock, settings=settings, staff="desk")
    async with app.run_test(message_hook=seen.append) as pilot:
        await settled(pilot)
    return [m.notification for m in seen if isinstance(m, Notify)]


@pytest.fixture
def database(sqlite_url: str, practice: Practice) -> Path:
    """The tiny practice's database (made 0600, as every new one is)."""
    return Path(sqlite_url)


async def test_a_database_others_can_read_is_named_in_a_warning(
        database: Path, clock: FrozenClock) -> None:
    os.chmod(database, 0o644)
    shown = await notifications(database, clock, Settings())
    assert [(n.title, n.severity, n.message) for n in shown] == [(
        "Patient data not private", "warning",
        f"other users on this computer can read the database {database} (mode 0644); "
        f"to keep its patient data private: chmod 600 {database}*")]


async def test_no_warning_for_the_shared_group_or_a_private_database(
        database: Path, clock: FrozenClock, own_group: str) -> None:
    os.chmod(database, 0o660)
    group = Settings(storage=StorageSettings(shared_group=own_group))
    assert await notifications(database, clock, group) == []
    os.chmod(database, 0o600)
    assert await notifications(database, clock, Settings()) == []


async def test_the_app_makes_a_new_database_and_its_folder_private(
        tmp_path: Path, clock: FrozenClock) -> None:
    db = tmp_path / "new" / "frontdesk.db"
    assert await notifications(db, clock, Settings()) == []
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
