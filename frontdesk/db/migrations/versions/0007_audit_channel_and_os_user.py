"""every audit event says where it came from: the channel and the OS user

The channel is how the person acted (app, ssh, browser, cli); the OS user is the real user the
acting process ran as, read from its uid. Events written before this revision have neither.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding nullable columns is not an UPDATE: the append-only guards let it through.
    op.add_column('audit_event', sa.Column(
        'channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
    op.add_column('audit_event', sa.Column(
        'os_user', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch copy: copying the table would drop
    # its append-only triggers with it.
    op.drop_column('audit_event', 'os_user')
    op.drop_column('audit_event', 'channel')
