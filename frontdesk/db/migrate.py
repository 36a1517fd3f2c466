"""Schema upgrades through Alembic, driven from code (``frontdesk db upgrade`` and app start).

Every start and every command asks whether the schema is current. That question is one query
against ``alembic_version`` compared with ``HEAD`` (:mod:`frontdesk.db.revision`), the packaged
newest revision (a test keeps it equal to the migrations' head): Alembic, with Mako and
Pygments, is imported only when there is something to upgrade, or for the developer helpers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from frontdesk.db.revision import HEAD as HEAD  # re-exported: migrate.HEAD
from frontdesk.db.roles import may_change_schema

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


class SchemaBehind(Exception):
    """The schema is older than this frontdesk, and the role connected may not upgrade it (the
    application role of a least-privilege PostgreSQL set-up): its owner must."""

    def __init__(self, current: str | None, head: str | None) -> None:
        now = f"at revision {current}" if current else "empty"
        super().__init__(
            f"the database schema is {now} and this frontdesk needs revision {head}; this "
            "database role may not change the schema, so its owner must run "
            "`frontdesk db upgrade`")
        self.current, self.head = current, head


def head_revision() -> str:
    """The revision this frontdesk needs (without reading the migration scripts)."""
    return HEAD


def script_head() -> str | None:
    """The head of the migration scripts, as Alembic reads them (slow: for the tests)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None for a database without frontdesk's tables."""
    with engine.connect() as connection:
        try:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no such table: a new database
            return None
    return str(found[0][0]) if len(found) == 1 else None


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision. Returns True when anything ran.

    A role that may not change the schema (see :func:`may_change_schema`) never tries: it gets
    :class:`SchemaBehind` when there is something to do, and nothing when the schema is current.
    """
    current, head = current_revision(engine), head_revision()
    if current == head:
        return False
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        if not may_change_schema(connection):
            raise SchemaBehind(current, head)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return True


def revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a new revision against ``engine``'s current schema."""
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
