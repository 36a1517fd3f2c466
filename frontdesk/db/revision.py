"""The schema revision this frontdesk needs, on its own so that reading it loads nothing else
(the light read path compares it without SQLAlchemy or Alembic: :mod:`frontdesk.db.light`)."""

#: The newest revision in migrations/versions: a new migration moves it (tests/db checks).
HEAD = "0010"
