"""staff sign-in columns; the audit trail becomes append-only

Staff get a password hash (argon2; empty until one is set), a count of failed sign-ins in a row
and the moment a lockout ends. The database refuses UPDATE and DELETE (and, on PostgreSQL,
TRUNCATE) of audit events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from frontdesk.db.schema import create_audit_guards, drop_audit_guards

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200),
                                   nullable=True))
        batch.add_column(sa.Column('failed_signins', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(),
                                   nullable=True))
    create_audit_guards(op.get_bind())


def downgrade() -> None:
    drop_audit_guards(op.get_bind())
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('locked_until')
        batch.drop_column('failed_signins')
        batch.drop_column('password_hash')
