"""What the root group hands its commands: the chosen database, opened once, and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import click

from frontdesk.cli.errors import open_failed

if TYPE_CHECKING:
    from frontdesk.services.context import Context


@dataclass
class Runtime:
    """What the group hands its commands. Tests pass one as click's ``obj`` to freeze the clock."""

    clock: Callable[[], datetime] | None = None
    db: str | None = None
    demo: bool = False
    as_json: bool = False
    _context: Context | None = field(default=None, repr=False)

    def target(self) -> str:
        """--db, else (unless --demo) $FRONTDESK_DB, else the default or the demo file.

        An ambient FRONTDESK_DB never turns ``--demo`` onto a practice's database.
        """
        from frontdesk.services.paths import demo_db, resolve_db

        return demo_db() if self.demo and not self.db else resolve_db(self.db)

    def context(self, *, target: str | None = None, upgrade: bool = True) -> Context:
        """The open (and, by default, migrated) database; opened once per command."""
        if self._context is None:
            from frontdesk.services.config import load_settings
            from frontdesk.services.context import open_context, system_clock
            from frontdesk.services.files import database_warnings
            from frontdesk.services.origin import cli_origin

            where = target or self.target()
            loaded = load_settings()
            for problem in loaded.problems:
                click.echo(f"warning: {problem}", err=True)
            try:
                self._context = open_context(where, settings=loaded.settings,
                                             clock=self.clock or system_clock, upgrade=upgrade,
                                             origin=cli_origin())
            except Exception as exc:
                raise open_failed(where, exc) from None
            for warning in database_warnings(where, loaded.settings):
                click.echo(f"warning: {warning}", err=True)
        return self._context

    def close(self) -> None:
        if self._context is not None:
            self._context.engine.dispose()
            self._context = None
