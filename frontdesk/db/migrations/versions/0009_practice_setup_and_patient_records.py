"""the practice set up from a file, patient records that can be kept right, imported visits

- ``location.zip``, ``provider.credentials``; ``location``, ``room`` and ``visit_type`` get
  ``active`` (retired by ``frontdesk practice apply``, kept for the visits they had);
- ``patient``: mobile with text-message consent, email, address with ZIP, alerts staff must
  see, the old system's id (imports), the record it was merged into, a version (every edit is
  made against the version seen) and when it was last changed;
- ``appointment``: the old system's id of an imported visit and why a scheduler must look at
  it (an imported visit outside the provider's hours);
- ``practice_setting``: the practice's name, phone and payer catalogue as applied from the
  practice file.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def _text(table: str, name: str, length: int) -> None:
    op.add_column(table, sa.Column(name, _TEXT(length=length), nullable=False,
                                   server_default=''))


def _active(table: str) -> None:
    op.add_column(table, sa.Column('active', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))


def upgrade() -> None:
    _text('location', 'zip', 10)
    _active('location')
    _text('provider', 'credentials', 40)
    _active('room')
    _active('visit_type')

    for name, length in (('mobile', 20), ('email', 120), ('address', 200), ('city', 60),
                         ('state', 2), ('zip', 10), ('alert_note', 200)):
        _text('patient', name, length)
    op.add_column('patient', sa.Column('sms_consent', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column('patient', sa.Column('alerts', sa.JSON(), nullable=False,
                                       server_default=sa.text("'[]'")))
    op.add_column('patient', sa.Column('external_id', _TEXT(length=40), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':  # SQLite adds a reference only inline
        op.execute('ALTER TABLE patient ADD COLUMN merged_into_id INTEGER '
                   'REFERENCES patient (id)')
    else:
        op.add_column('patient', sa.Column('merged_into_id', sa.Integer(), nullable=True))
        op.create_foreign_key('patient_merged_into_id_fkey', 'patient', 'patient',
                              ['merged_into_id'], ['id'])
    op.add_column('patient', sa.Column('version', sa.Integer(), nullable=False,
                                       server_default='1'))
    op.add_column('patient', sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index('ix_patient_external_id', 'patient', ['external_id'], unique=True)
    op.create_index('ix_patient_mobile', 'patient', ['mobile'])
    op.create_index('ix_patient_dob', 'patient', ['dob'])

    op.add_column('appointment', sa.Column('external_id', _TEXT(length=60), nullable=True))
    op.add_column('appointment', sa.Column('attention', _TEXT(length=200), nullable=True))
    op.create_index('ix_appointment_external_id', 'appointment', ['external_id'], unique=True)

    op.create_table(
        'practice_setting',
        sa.Column('key', _TEXT(length=40), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('practice_setting')
    op.drop_index('ix_appointment_external_id', table_name='appointment')
    for name in ('attention', 'external_id'):
        op.drop_column('appointment', name)
    op.drop_index('ix_patient_dob', table_name='patient')
    op.drop_index('ix_patient_mobile', table_name='patient')
    op.drop_index('ix_patient_external_id', table_name='patient')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('patient_merged_into_id_fkey', 'patient', type_='foreignkey')
    for name in ('updated_at', 'version', 'merged_into_id', 'external_id', 'alerts',
                 'sms_consent', 'alert_note', 'zip', 'state', 'city', 'address', 'email',
                 'mobile'):
        op.drop_column('patient', name)  # SQLite 3.35+ drops a column in place
    for table in ('visit_type', 'room', 'location'):
        op.drop_column(table, 'active')
    op.drop_column('provider', 'credentials')
    op.drop_column('location', 'zip')
