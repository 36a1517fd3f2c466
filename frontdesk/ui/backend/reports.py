"""The manager's reads: the daily report, a figure's drill-down, the audit log, and writing a
report out as a file only its owner can read."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from frontdesk.ui.backend.core import BackendCore

if TYPE_CHECKING:  # the report's services load when the manager first asks (F4), not at start
    from frontdesk.services.audit import AuditLine
    from frontdesk.services.report import DailyReport, DrillTable, Figure

EXTENSIONS = {"csv": "csv", "html": "html", "json": "json", "text": "txt"}


class ReportDoor(BackendCore):
    """What the daily report, its drill-down and the audit log ask of the services."""

    AUDIT_LIMIT: ClassVar[int] = 500

    def audit(self, since: date, *, staff: str | None, patient_id: int | None,
              action: str | None) -> list[AuditLine]:
        """The audit log from the start of ``since`` (practice time), newest first."""
        from frontdesk.services import audit

        start = datetime.combine(since, time(), ZoneInfo(self.zone))
        return audit.audit_events(self.ctx, by=self._acting(), since=start, staff=staff,
                                  patient_id=patient_id, action=action, limit=self.AUDIT_LIMIT)

    def daily_report(self, day: date, location: str | None) -> DailyReport:
        from frontdesk.services import report

        return report.daily_report(self.ctx, by=self._acting(), day=day, location=location)

    def drill(self, figure: Figure) -> DrillTable:
        from frontdesk.services import report

        return report.drill(self.ctx, figure, by=self._acting())

    def export_report(self, summary: DailyReport, kind: str) -> Path:
        """Write ``summary`` as ``kind`` (csv, html, json, text) under the data directory's
        ``reports`` folder, readable by its owner only (or by the shared group the settings
        name); returns the file."""
        from frontdesk.services import files, paths
        from frontdesk.services.report import export as report_export

        render = {"csv": report_export.to_csv, "html": report_export.to_html,
                  "json": report_export.to_json, "text": report_export.to_text}[kind]
        modes = files.file_modes(self.ctx.settings)
        folder = paths.data_dir() / "reports"
        files.make_folders(folder, modes)
        place = "" if summary.location is None else "-" + "-".join(
            summary.location.lower().split())
        target = folder / f"daily-{summary.day.isoformat()}{place}.{EXTENSIONS[kind]}"
        report_export.write_private(target, render(summary), modes)
        return target
