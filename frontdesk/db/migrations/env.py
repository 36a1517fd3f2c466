"""Alembic environment: always run with a connection handed in by frontdesk.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import frontdesk.db.models  # noqa: F401  (registers the tables)

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - we never run alembic's own CLI
    raise RuntimeError("run migrations with `frontdesk db upgrade`")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
