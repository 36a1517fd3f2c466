"""The daily report as documents: pick a form by name, write a file only its owner can read.

The forms are pure functions from one :class:`~frontdesk.services.report.values.DailyReport`,
so the command line and the report screen's export key write the same files, and every form
carries the same numbers: JSON and CSV in ``data``, plain text (for an email) in ``text``, one
HTML page in ``html_page``. Nothing here names a patient: a report holds counts, staff,
providers, locations, visit types and override reasons only.

Loaded only when something is exported (``from frontdesk.services.report import export``):
the report package does not import it.
"""

from __future__ import annotations

from pathlib import Path

from frontdesk.db.files import PRIVATE, FileModes
from frontdesk.services.errors import InvalidInput
from frontdesk.services.files import private_file
from frontdesk.services.report.export.data import CSV_COLUMNS, as_dict, csv_rows, to_csv, to_json
from frontdesk.services.report.export.data import _cell as _cell  # tests check the guard here
from frontdesk.services.report.export.html_page import to_html
from frontdesk.services.report.export.text import SPARKS, sparkline, to_text
from frontdesk.services.report.values import DailyReport

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "SPARKS",
    "as_dict",
    "csv_rows",
    "render",
    "sparkline",
    "to_csv",
    "to_html",
    "to_json",
    "to_text",
    "write_private",
]

FORMATS = ("text", "csv", "json", "html")


def render(report: DailyReport, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    writers = {"text": to_text, "csv": to_csv, "json": to_json, "html": to_html}
    if fmt not in writers:
        raise InvalidInput("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    return writers[fmt](report)


def write_private(path: Path, text: str, modes: FileModes = PRIVATE) -> None:
    """Write ``text`` (UTF-8) to ``path``, readable by its owner only (mode 0600), or with
    ``modes`` from the shared-group setting, by that group too (0660).

    The text goes into a private temporary file beside ``path`` (created 0600), which then
    replaces ``path``: a file that was there with wider permissions is replaced, not reused,
    so the report is never readable by others, not even for a moment, and never half written.
    """
    with private_file(path, modes) as out:
        out.write(text.encode("utf-8"))
