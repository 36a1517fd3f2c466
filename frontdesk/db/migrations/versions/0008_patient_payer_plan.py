"""a patient's payer is a plan from the practice's payer catalogue, with a member id

``payer_key`` names the plan (settings: ``[plans.KEY]``); ``payer`` keeps the text typed or
imported before the catalogue. Existing rows keep their text and no key: the app recognises
text that is a plan's name or alias, lists the rest as "not recognised" for staff to fix
(``frontdesk patients payers``), and ``frontdesk patients payers --map`` stores the matches.
The mapping is not done here because the catalogue is the practice's setting, which a
migration cannot see.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('patient', sa.Column(
        'payer_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.add_column('patient', sa.Column(
        'member_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
        server_default=''))


def downgrade() -> None:
    op.drop_column('patient', 'member_id')
    op.drop_column('patient', 'payer_key')
