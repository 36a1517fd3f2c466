"""A small practice as a file, for the practice-file tests (synthetic names only)."""

from __future__ import annotations

CLINIC = """\
[practice]
name = "Prairie Spine Clinic"
phone = "(918) 555-0199"

[[locations]]
name = "Prairie North"
address = "100 N Main St, Tulsa, OK"
zip = "74103"
phone = "918.555.0190"
timezone = "America/Chicago"
rooms = [
  { name = "Exam A", kind = "exam" },
  { name = "Exam B", kind = "exam" },
  { name = "Suite", kind = "procedure" },
]

[[locations]]
name = "Prairie South"
address = "200 S Main St, Tulsa, OK"
zip = "74137"
phone = "+1 918 555 0191"
timezone = "America/Chicago"
rooms = [
  { name = "Exam 1", kind = "exam" },
]

[[visit_types]]
code = "new-patient"
name = "New-patient evaluation"
duration = 60
room = "exam"
colour = "green"
prep = "Bring your photo ID and insurance card."

[[visit_types]]
code = "follow-up"
name = "Follow-up"
duration = 20
room = "exam"
colour = "cyan"

[[visit_types]]
code = "facet-diagnostic"
name = "Diagnostic facet injection"
duration = 30
buffer_before = 15
buffer_after = 15
room = "procedure"
procedure = true
colour = "magenta"

[[providers]]
name = "Dr. Robin Quill"
credentials = "MD"
kind = "physician"
visit_types = ["new-patient", "follow-up", "facet-diagnostic"]
hours = { "Prairie North" = "Mon-Thu 08:00-17:00, lunch 12:00-13:00; Fri 08:00-12:00" }

[[providers]]
name = "Lee Marsh"
credentials = "APRN"
kind = "app"
visit_types = ["new-patient", "follow-up"]
hours = { "Prairie North" = "Tue,Thu 08:00-12:00", "Prairie South" = "Mon,Wed,Fri 09:00-15:00" }

[[staff]]
username = "boss"
name = "Bo Boss"
role = "admin"

[[staff]]
username = "dana"
name = "Dana Desk"
role = "receptionist"

[holidays]
calendar = "us"
dates = [
  { date = 2027-03-19, name = "Staff training" },
]

[payers.okcare]
label = "OK Care"
max_rfa = 1

[plans.okcare]
name = "OK Care"
aliases = ["okc", "ok care plus"]
rules = "okcare"
"""
