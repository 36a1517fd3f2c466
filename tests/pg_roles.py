"""A least-privilege PostgreSQL set-up for tests, made the way docs/postgresql.md makes it: an
owner role that owns a database of its own and runs the migrations, and an application role
given its grants by ``frontdesk db grant-app-role``. Names are unique per run; everything is
dropped afterwards (roles are shared by the whole server)."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from click.testing import Result
from sqlalchemy import text
from sqlalchemy.engine import make_url

from frontdesk.db.engine import make_engine
from tests.cli.conftest import invoke
from tests.conftest import PG_ADMIN_URL


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str
    database: str
    owner_url: str
    app_url: str


def _url(user: str, database: str, password: str | None = None) -> str:
    url = make_url(PG_ADMIN_URL).set(username=user, password=password, database=database)
    return url.render_as_string(hide_password=False)


@contextmanager
def owner_and_app(*, app_password: str | None = None) -> Iterator[Roles]:
    """The two roles and an empty database owned by the owner (not yet migrated)."""
    suffix = uuid.uuid4().hex[:8]
    roles = Roles(owner=f"fd_owner_{suffix}", app=f"fd_app_{suffix}",
                  database=f"frontdesk_roles_{suffix}",
                  owner_url=_url(f"fd_owner_{suffix}", f"frontdesk_roles_{suffix}"),
                  app_url=_url(f"fd_app_{suffix}", f"frontdesk_roles_{suffix}", app_password))
    admin = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {roles.owner} LOGIN"))
            if app_password is None:
                conn.execute(text(f"CREATE ROLE {roles.app} LOGIN"))
            else:
                assert re.fullmatch(r"[\w-]+", app_password)  # safe to quote as a literal
                conn.execute(text(f"CREATE ROLE {roles.app} LOGIN PASSWORD '{app_password}'"))
            conn.execute(text(f"CREATE DATABASE {roles.database} OWNER {roles.owner}"))
        yield roles
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {roles.database} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {roles.app}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {roles.owner}"))
        admin.dispose()


def frontdesk(*args: str) -> Result:
    """``frontdesk ARGS`` in-process, away from the real data and settings folders."""
    with pytest.MonkeyPatch.context() as env, tempfile.TemporaryDirectory() as home:
        env.setenv("FRONTDESK_DATA_DIR", f"{home}/data")
        env.setenv("FRONTDESK_CONFIG_DIR", f"{home}/config")
        env.delenv("FRONTDESK_DB", raising=False)
        return invoke(*args)


def upgrade_and_grant(roles: Roles) -> None:
    """As the owner: `frontdesk db upgrade`, then `frontdesk db grant-app-role APP`."""
    for args in (["db", "upgrade"], ["db", "grant-app-role", roles.app]):
        result = frontdesk("--db", roles.owner_url, *args)
        assert result.exit_code == 0, result.output
