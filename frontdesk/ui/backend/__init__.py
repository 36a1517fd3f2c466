"""The UI's door to the services, one area per module, composed into the ``Backend`` of
``door.py``.

``door.py`` and its areas load the services (SQLAlchemy, Alembic): screens import them only
inside workers and for type checking, so the first paint never waits. ``boards.py`` (what the
day screens read) and ``changes.py`` (what a screen asks of a visit) are plain values the
screens import at start.
"""
