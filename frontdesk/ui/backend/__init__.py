"""The UI's door to the services, one area per module.

Imported only inside workers (and for type checking), so the first paint never waits for
SQLAlchemy or Alembic to load.
"""
