"""the trail and the overlap guards hold against plain SQL on SQLite

SQLite only (PostgreSQL already holds: it has no REPLACE, an upsert's DO UPDATE fires the UPDATE
trigger, and a refusal fails the whole transaction):

- An insert into audit_event that names an id the trail already holds is refused, so REPLACE
  INTO and INSERT OR REPLACE cannot swap an event (SQLite's REPLACE deletes the old row without
  firing DELETE triggers); an id below 1 is refused too.
- Every refusal, of the trail's guards and of the appointment guards, rolls back the whole
  transaction (RAISE(ROLLBACK)) instead of only the statement.
- Appointment block times must be UTC in the stored form 'YYYY-MM-DD HH:MM:SS.ffffff', so the
  overlap triggers' text comparisons compare instants. Existing rows in another form are
  rewritten as the same instant in the stored form first.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

from alembic import op

from frontdesk.db.schema import create_raw_sql_guards, drop_raw_sql_guards

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_raw_sql_guards(op.get_bind())


def downgrade() -> None:
    drop_raw_sql_guards(op.get_bind())
