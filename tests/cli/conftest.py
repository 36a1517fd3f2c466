"""Fixtures for the command line: a prepared practice database and a runner with a frozen clock.

The clock is handed to the CLI as click's ``obj`` (``Runtime(clock=…)``), the same object the
group builds for itself in production; there is no hidden option or environment seam for it.
Who runs a command is proven the way a practice's script proves it: ``--as USERNAME`` with that
person's password in a file only its owner can read (``--password-file``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from frontdesk.cli import Runtime, main
from frontdesk.db.engine import make_engine
from frontdesk.services import scheduling
from frontdesk.services.accounts import passwords
from frontdesk.services.context import Context
from frontdesk.services.views import AppointmentView
from tests.conftest import FrozenClock
from tests.practice import (
    TEST_HASHER,
    TEST_PASSWORDS,
    Practice,
    build_practice,
    give_passwords,
)

TABLES = ("appointment", "patient", "audit_event")


@dataclass
class Desk:
    """A practice database and a way to run ``frontdesk --db <it> …`` against it."""

    db: str
    practice: Practice
    clock: FrozenClock
    passwords: dict[str, str] = field(default_factory=lambda: dict(TEST_PASSWORDS))

    def run(self, *args: str, db: str | None = None, **kwargs: Any) -> Result:
        """``frontdesk --db … ARGS``; an ``--as`` of a known account comes with its password."""
        return invoke("--db", db or self.db, *args, clock=self.clock, passwords=self.passwords,
                      **kwargs)

    def state(self) -> dict[str, Any]:
        """Row counts plus every appointment's status and version: any write changes it."""
        engine = make_engine(self.db)
        try:
            with engine.connect() as conn:
                found: dict[str, Any] = {
                    t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                    for t in TABLES
                }
                found["appointments"] = [tuple(r) for r in conn.execute(text(
                    "SELECT id, status, version, starts_at FROM appointment ORDER BY id"))]
        finally:
            engine.dispose()
        return found

    def book(self, start: datetime, *, patient: int | None = None) -> AppointmentView:
        """Book through the service (not the CLI) to set up a test."""
        engine = make_engine(self.db)
        try:
            ctx = Context(engine=engine, clock=self.clock)
            return scheduling.book(
                ctx, staff="desk", patient_id=patient or self.practice.patient_id,
                visit_type="facet-diagnostic", provider_id=self.practice.able,
                location_id=self.practice.location_id, start=start, region="lumbar",
                levels="L4-L5", side="bilateral", accept_warnings=scheduling.WARNING_CODES,
            )
        finally:
            engine.dispose()


def invoke(*args: str, clock: FrozenClock | None = None,
           passwords: Mapping[str, str] | None = None, **kwargs: Any) -> Result:
    """Run the command line. ``passwords``: for an ``--as USERNAME`` among them (and no
    ``--password-file`` given), the password goes in a file only this user can read."""
    argv = list(args)
    with tempfile.TemporaryDirectory() as folder:
        if passwords and "--as" in argv and "--password-file" not in argv:
            who = argv[argv.index("--as") + 1]
            if who in passwords:
                argv += ["--password-file", password_file(Path(folder), passwords[who])]
        return CliRunner().invoke(main, argv, obj=Runtime(clock=clock), **kwargs)


def password_file(folder: Path, password: str) -> str:
    """A file holding ``password``, readable by its owner only (0600)."""
    target = folder / f"password-{len(os.listdir(folder))}"
    target.touch(mode=0o600)
    target.write_text(password + "\n")
    return str(target)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test seam: the cheap argon2 cost the test accounts were hashed with, so a sign-in
    neither pays the production cost nor rehashes (production: the defaults)."""
    monkeypatch.setattr(passwords, "PASSWORD_HASHER", TEST_HASHER)


def assert_clean(result: Result) -> None:
    """The person never sees a traceback, and no exception escaped the command."""
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))


def _prepare(url: str, clock: FrozenClock) -> Desk:
    engine = make_engine(url)
    try:
        ctx = Context(engine=engine, clock=clock)
        practice = build_practice(ctx)
        give_passwords(ctx)
    finally:
        engine.dispose()
    return Desk(url, practice, clock)


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory,
              monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real data or config directory, whatever the environment says."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FRONTDESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("FRONTDESK_CONFIG_DIR", str(home / "config"))
    monkeypatch.delenv("FRONTDESK_DB", raising=False)
    monkeypatch.delenv("FRONTDESK_DEBUG", raising=False)


@pytest.fixture
def desk(sqlite_url: str, clock: FrozenClock) -> Desk:
    return _prepare(sqlite_url, clock)


@pytest.fixture
def pg_desk(pg_url: str, clock: FrozenClock) -> Desk:
    return _prepare(pg_url, clock)
