"""The desk's worklists: who to call today, and what came of each call.

- ``confirmations``: the next working day's visits to confirm, with what to remind;
- ``reminders``: the outbox of email and text reminders and the sender that works it;
- ``waitlist``: callers who want an earlier time, matched to time that opens;
- ``recalls``: patients due for a next step (a repeat procedure, a relief callback, a
  follow-up).

Each list's ``report_lines`` counts what its list shows, for the daily report.
"""
