"""The treatment lookup: approved answers for callers, on a screen of its own (F3)."""
