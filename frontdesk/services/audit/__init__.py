"""The audit trail, read back and told in plain words: who did what, and when.

The database keeps the trail append-only (``db.schema.create_audit_guards``); this package only
reads it: ``trail`` finds the events (:func:`audit_events`, for a manager or admin) and
``summaries`` words each one without patient details.
"""

from frontdesk.services.audit.trail import AuditLine, audit_events

__all__ = ["AuditLine", "audit_events"]
