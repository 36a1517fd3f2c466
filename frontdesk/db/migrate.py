"""Schema upgrades through Alembic, driven from code (``frontdesk db upgrade`` and app start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from frontdesk.db.roles import may_change_schema

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
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


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision. Returns True when anything ran.

    A role that may not change the schema (see :func:`may_change_schema`) never tries: it gets
    :class:`SchemaBehind` when there is something to do, and nothing when the schema is current.
    """
    current, head = current_revision(engine), head_revision()
    if current == head:
        return False
    config = _config()
    with engine.begin() as connection:
        if not may_change_schema(connection):
            raise SchemaBehind(current, head)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return True


def revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a new revision against ``engine``'s current schema."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
