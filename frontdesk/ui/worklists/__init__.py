"""The worklists' screens: confirmations, the waitlist, recalls and the reminders' log."""
