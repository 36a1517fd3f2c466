"""indexes for a block's callback and a call's relief report

Booking, moving or cancelling a diagnostic block looks up its relief-report callback by
appointment; saving a relief report looks up the one already taken in the same call.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 16:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_callback_task_appointment_id', 'callback_task', ['appointment_id'])
    op.create_index('ix_relief_report_call_id', 'relief_report', ['call_id'])


def downgrade() -> None:
    op.drop_index('ix_relief_report_call_id', table_name='relief_report')
    op.drop_index('ix_callback_task_appointment_id', table_name='callback_task')
