"""Find slots, book, hold, reschedule, cancel and set status — each write one transaction with
its audit event, attributed to a staff member.

The database is the last word on double-booking (see db/schema.py); the checks here give the
person a useful answer — a clear reason, or "slot just taken" with the next alternatives.

``slots`` finds free starts and ``fitting`` checks one; ``reading`` reads appointments;
``booking``, ``moving`` and ``status`` are the writes, each run through ``transaction``.
Callers use the names below (``scheduling.book(...)``), so a test can replace them here.
"""

from frontdesk.services.scheduling.booking import book, confirm_hold, extend_hold, release_hold
from frontdesk.services.scheduling.fitting import SlotFit, fitting_visit_types
from frontdesk.services.scheduling.guards import (
    WARNING_CODES,
    BookingNeedsConfirmation,
    BookingWarning,
    FirstVisitRefused,
)
from frontdesk.services.scheduling.moving import reschedule
from frontdesk.services.scheduling.reading import (
    VISITS,
    appointments_on,
    get_appointment,
    next_visit_day,
    upcoming_for,
)
from frontdesk.services.scheduling.slots import find_slots
from frontdesk.services.scheduling.status import cancel, set_status
from frontdesk.services.views import AppointmentView

__all__ = [
    "VISITS",
    "WARNING_CODES",
    "AppointmentView",
    "BookingNeedsConfirmation",
    "BookingWarning",
    "FirstVisitRefused",
    "SlotFit",
    "appointments_on",
    "book",
    "cancel",
    "confirm_hold",
    "extend_hold",
    "find_slots",
    "fitting_visit_types",
    "next_visit_day",
    "get_appointment",
    "release_hold",
    "reschedule",
    "set_status",
    "upcoming_for",
]
