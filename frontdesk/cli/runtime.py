"""What the root group hands its commands: the chosen database, opened once, and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from frontdesk.cli.errors import open_failed

if TYPE_CHECKING:
    from frontdesk.services.config import LoadedSettings
    from frontdesk.services.context import Context
    from frontdesk.services.light import Light


@dataclass
class Runtime:
    """What the group hands its commands. Tests pass one as click's ``obj`` to freeze the clock."""

    clock: Callable[[], datetime] | None = None
    db: str | None = None
    demo: bool = False
    as_json: bool = False
    _context: Context | None = field(default=None, repr=False)
    _light: Light | None = field(default=None, repr=False)
    _light_tried: bool = field(default=False, repr=False)
    _loaded: LoadedSettings | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)

    def target(self) -> str:
        """--db, else (unless --demo) $FRONTDESK_DB, else the default or the demo file.

        An ambient FRONTDESK_DB never turns ``--demo`` onto a practice's database.
        """
        from frontdesk.services.paths import demo_db, resolve_db

        return demo_db() if self.demo and not self.db else resolve_db(self.db)

    def context(self, *, target: str | None = None, upgrade: bool = True) -> Context:
        """The open (and, by default, migrated) database; opened once per command."""
        if self._context is None:
            from frontdesk.services.context import open_context
            from frontdesk.services.origin import cli_origin

            where = target or self.target()
            loaded = self._settings()
            try:
                self._context = open_context(where, settings=loaded.settings,
                                             clock=self._clock(), upgrade=upgrade,
                                             origin=cli_origin())
            except Exception as exc:
                raise open_failed(where, exc) from None
            self._warn(where)
        return self._context

    def light(self) -> Light | None:
        """The light way to the database for a read command (:mod:`frontdesk.services.light`:
        no database stack to import), when it can answer; None: use :meth:`context`."""
        if not self._light_tried and self._context is None:
            self._light_tried = True
            from frontdesk.services.light import open_light
            from frontdesk.services.origin import cli_origin

            where = self.target()
            self._light = open_light(where, settings=self._settings().settings,
                                     clock=self._clock(), origin=cli_origin())
            if self._light is not None:
                self._warn(where)
        return self._light

    def settings_problems(self) -> tuple[str, ...]:
        """The settings file's problems ("file: key: reason" lines)."""
        return self._settings().problems

    def _clock(self) -> Callable[[], datetime]:
        return self.clock or _utc_now

    def _settings(self) -> LoadedSettings:
        """The settings, loaded once; their problems said once, on standard error."""
        if self._loaded is None:
            from frontdesk.services.config import load_settings

            self._loaded = load_settings()
            for problem in self._loaded.problems:
                click.echo(f"warning: {problem}", err=True)
        return self._loaded

    def _warn(self, where: str) -> None:
        if self._warned:
            return
        from frontdesk.services.files import database_warnings

        self._warned = True
        for warning in database_warnings(where, self._settings().settings):
            click.echo(f"warning: {warning}", err=True)

    def close(self) -> None:
        if self._light is not None:
            self._light.close()
            self._light = None
        if self._context is not None:
            self._context.engine.dispose()
            self._context = None


def _utc_now() -> datetime:
    return datetime.now(UTC)
