"""worklists and reminders

- ``patient.email_consent``: agreed to reminders by email;
- ``outreach``: every try from a worklist (confirmations, recalls, waitlist offers) to reach a
  patient, with its outcome;
- ``waitlist_entry``: callers who want an earlier time, and where and when they can come;
- ``reminder``: the outbox of reminders, one per visit, channel and time before the visit;
- ``reminder_attempt``: the delivery log.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_AT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.add_column('patient', sa.Column('email_consent', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))

    op.create_table(
        'waitlist_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('visit_type_id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.Integer(), nullable=True),
        sa.Column('region', _TEXT(length=16), nullable=True),
        sa.Column('levels', _TEXT(length=40), nullable=True),
        sa.Column('side', _TEXT(length=16), nullable=True),
        sa.Column('location_ids', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column('weekdays', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column('earliest', sa.Time(), nullable=True),
        sa.Column('latest', sa.Time(), nullable=True),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('note', _TEXT(length=500), nullable=False),
        sa.Column('status', _TEXT(length=16), nullable=False),
        sa.Column('created_at', _AT(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('closed_at', _AT(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('booked_appointment_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.ForeignKeyConstraint(['visit_type_id'], ['visit_type.id']),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['closed_by_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['booked_appointment_id'], ['appointment.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_waitlist_entry_patient_id', 'waitlist_entry', ['patient_id'])
    op.create_index('ix_waitlist_status_visit', 'waitlist_entry', ['status', 'visit_type_id'])

    op.create_table(
        'outreach',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('worklist', _TEXT(length=16), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.Integer(), nullable=True),
        sa.Column('waitlist_id', sa.Integer(), nullable=True),
        sa.Column('subject', _TEXT(length=80), nullable=False),
        sa.Column('outcome', _TEXT(length=24), nullable=False),
        sa.Column('note', _TEXT(length=500), nullable=False),
        sa.Column('at', _AT(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id']),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id']),
        sa.ForeignKeyConstraint(['waitlist_id'], ['waitlist_entry.id']),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['call_id'], ['call.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_outreach_patient_id', 'outreach', ['patient_id'])
    op.create_index('ix_outreach_waitlist_id', 'outreach', ['waitlist_id'])
    op.create_index('ix_outreach_list_appointment', 'outreach', ['worklist', 'appointment_id'])
    op.create_index('ix_outreach_list_subject', 'outreach', ['worklist', 'subject'])
    op.create_index('ix_outreach_list_at', 'outreach', ['worklist', 'at'])

    op.create_table(
        'reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.Integer(), nullable=False),
        sa.Column('channel', _TEXT(length=8), nullable=False),
        sa.Column('before_min', sa.Integer(), nullable=False),
        sa.Column('visit_starts_at', _AT(), nullable=False),
        sa.Column('due_at', _AT(), nullable=False),
        sa.Column('status', _TEXT(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_try_at', _AT(), nullable=False),
        sa.Column('claimed_at', _AT(), nullable=True),
        sa.Column('claimed_by', _TEXT(length=80), nullable=False),
        sa.Column('sent_at', _AT(), nullable=True),
        sa.Column('message_id', _TEXT(length=200), nullable=False),
        sa.Column('last_error', _TEXT(length=300), nullable=False),
        sa.Column('created_at', _AT(), nullable=False),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('appointment_id', 'channel', 'before_min', 'visit_starts_at'),
    )
    op.create_index('ix_reminder_appointment_id', 'reminder', ['appointment_id'])
    op.create_index('ix_reminder_sent_at', 'reminder', ['sent_at'])
    op.create_index('ix_reminder_status_next', 'reminder', ['status', 'next_try_at'])

    op.create_table(
        'reminder_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reminder_id', sa.Integer(), nullable=False),
        sa.Column('at', _AT(), nullable=False),
        sa.Column('outcome', _TEXT(length=16), nullable=False),
        sa.Column('detail', _TEXT(length=300), nullable=False),
        sa.ForeignKeyConstraint(['reminder_id'], ['reminder.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_reminder_attempt_reminder_id', 'reminder_attempt', ['reminder_id'])
    op.create_index('ix_reminder_attempt_at', 'reminder_attempt', ['at'])


def downgrade() -> None:
    op.drop_table('reminder_attempt')
    op.drop_table('reminder')
    op.drop_table('outreach')
    op.drop_table('waitlist_entry')
    op.drop_column('patient', 'email_consent')
