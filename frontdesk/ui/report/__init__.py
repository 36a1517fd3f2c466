"""The manager's screens: the daily report, its drill-down lists, the audit log."""
