"""Recalls: patients due for a next step, as a worklist with call outcomes (issue 21, part 4).

Three kinds, each with a stable key the outreach rows name as their subject:

- ``repeat:<appointment id>``: the last RFA or therapeutic injection in a region was done and
  the patient's payer allows it again — from the first eligible date the booking check itself
  gives (``domain/pathway/repeat.py``), shown ``look_ahead_days`` before it;
- ``relief:<callback id>``: a relief-report callback overdue (``services/callbacks.py``);
- ``follow-up:<appointment id>``: a diagnostic block done whose next step is not booked.

A visit of the next step's kind booked after the procedure closes a recall by itself; so do a
"booked" or "declined" outcome; "not now" hides it until its day; a recent "left a message" or
"no answer" sorts it after the untried ones. The most overdue come first.
"""

from frontdesk.services.worklists.recalls.gather import WORKLIST
from frontdesk.services.worklists.recalls.listing import Recall, recalls
from frontdesk.services.worklists.recalls.outcomes import Recorded, record_outcome
from frontdesk.services.worklists.recalls.report import Progress, progress, report_lines

__all__ = ["WORKLIST", "Progress", "Recall", "Recorded", "progress", "recalls",
           "record_outcome", "report_lines"]
