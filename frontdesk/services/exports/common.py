"""What both exports share: the practice's name and identifier system, one consistent read of
the database, and the audit event."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from frontdesk.db import queries as q
from frontdesk.db.models import PracticeSetting
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import acting
from frontdesk.services.context import Context, write

#: The identifier systems used when the practice names none of its own.
DEFAULT_SYSTEM = "urn:frontdesk"
_URI = re.compile(r"^(urn:[a-z0-9][a-z0-9-]{0,31}(:[\w.~%!$&'()*+,;=:@/-]+)?"
                  r"|https?://[\w.-]+(:\d+)?(/[\w.~%!$&'()*+,;=:@/-]*)?)$", re.IGNORECASE)


def practice_value(session: Session) -> dict[str, Any]:
    """The ``practice`` table of the practice's own settings (``frontdesk practice apply``)."""
    row = session.get(PracticeSetting, "practice")
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def practice_name(session: Session, ctx: Context) -> str:
    """The practice's name: its own setting, else the settings file's."""
    name = practice_value(session).get("name")
    return name.strip() if isinstance(name, str) and name.strip() else ctx.settings.practice_name


def identifier_system(session: Session) -> str:
    """The base of the practice's identifier systems: the ``identifier_system`` of its
    ``practice`` setting when that is a URI (``https://clinic.example/ids``), else
    ``urn:frontdesk``. A patient's id is then in ``<base>:patient`` (a URN) or
    ``<base>/patient`` (a URL)."""
    base = practice_value(session).get("identifier_system")
    if isinstance(base, str) and _URI.match(base.strip()):
        return base.strip().rstrip("/:")
    return DEFAULT_SYSTEM


def system(base: str, kind: str) -> str:
    """The identifier system for ``kind`` (patient, practitioner…) under ``base``."""
    return f"{base}:{kind}" if base.startswith("urn:") else f"{base}/{kind}"


def slug(text: str) -> str:
    """Lower-case words joined by dashes, for a file name or a UID's domain part."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "practice"


@contextmanager
def snapshot(ctx: Context) -> Iterator[Session]:
    """One read of the whole database as of one moment, so every file counts the same rows:
    SQLite's deferred transaction already is one; PostgreSQL needs REPEATABLE READ."""
    engine = ctx.engine
    if ctx.dialect == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine, expire_on_commit=False) as session:
        yield session


def audit(ctx: Context, *, by: str, action: str, entity: str, entity_id: int | None,
          after: dict[str, Any]) -> None:
    """The export's one audit event (counts and ids only), as ``by`` acts: still allowed now."""

    def work(session: Session) -> None:
        person = acting(session, by, Permission.EXPORT)
        q.add_audit(session, origin=ctx.origin.stamp, at=ctx.now(), staff_id=person.id,
                    action=action, entity=entity, entity_id=entity_id, after=after)

    write(ctx, work)
