"""indexes for the manager's daily report

The daily report reads a day's bookings by when they were made, calls by when they were
logged, relief reports by when they were taken and callbacks by when they were closed. Its
14-day trend counts bookings made, cancellations and no-shows from the two appointment indexes
alone: they cover every column those counts read.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 17:40:00
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_appointment_booked_at', 'appointment',
                    ['booked_at', 'location_id', 'status', 'hold_expires_at'])
    op.create_index('ix_appointment_status_start', 'appointment',
                    ['status', 'starts_at', 'location_id', 'hold_expires_at'])
    op.create_index('ix_call_ended_at', 'call', ['ended_at'])
    op.create_index('ix_call_started_at', 'call', ['started_at'])
    op.create_index('ix_relief_report_reported_at', 'relief_report', ['reported_at'])
    op.create_index('ix_callback_task_done_at', 'callback_task', ['done_at'])


def downgrade() -> None:
    op.drop_index('ix_callback_task_done_at', table_name='callback_task')
    op.drop_index('ix_relief_report_reported_at', table_name='relief_report')
    op.drop_index('ix_call_started_at', table_name='call')
    op.drop_index('ix_call_ended_at', table_name='call')
    op.drop_index('ix_appointment_status_start', table_name='appointment')
    op.drop_index('ix_appointment_booked_at', table_name='appointment')
