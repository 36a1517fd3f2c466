"""The today board: one day's appointments at one location or all of them, as a table."""
