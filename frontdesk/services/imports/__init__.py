"""Bringing another system's data over: its patients (CSV) and its visits (CSV or iCalendar).

Each import reads the file into rows with their line numbers (``reading``, ``calendar``),
matches names to the practice's (``lookups``), checks every row (``patients``;
``appointments`` with ``schedule``: clashes, rooms and what a scheduler must look at), writes
the good ones in ONE transaction with one audit event holding counts only (``common``), and
says what happened to each row in a report file (``outcome``). docs/importing.md documents the
columns.
"""

from frontdesk.services.imports.appointments import import_appointments
from frontdesk.services.imports.common import ImportClashed, Progress
from frontdesk.services.imports.outcome import ImportResult, Line, write_report
from frontdesk.services.imports.patients import import_patients
from frontdesk.services.imports.reading import parse_mapping

__all__ = [
    "ImportClashed",
    "ImportResult",
    "Line",
    "Progress",
    "import_appointments",
    "import_patients",
    "parse_mapping",
    "write_report",
]
