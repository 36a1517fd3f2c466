"""The practice file read and checked: every problem with its line, and the hours words."""

from __future__ import annotations

from datetime import time

import pytest

from frontdesk.domain.practice import (
    HoursError,
    cells,
    hours_text,
    parse_hours,
    parse_practice,
    render,
)
from frontdesk.domain.practice.hours import shifts_of


def _phone(text: str) -> str:
    digits = "".join(c for c in text if c.isdigit())
    digits = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    if len(digits) != 10:
        raise ValueError("not a valid phone number")
    return "+1" + digits


WRONG = """\
[practice]
name = "Clinic"
phone = "918-555-0100"
motto = "no"

[[locations]]
name = "North"
address = "1 Main St"
zip = "7410"
phone = "918-555-0101"
timezone = "America/Tulsa"
rooms = [
  { name = "Exam 1", kind = "exam" },
  { name = "exam 1", kind = "closet" },
]

[[locations]]
name = "north"
address = "2 Main St"
zip = "74101"
phone = "123"
timezone = "America/Chicago"

[[visit_types]]
code = "follow-up"
name = "Follow-up"
duration = "twenty"
room = "exam"
colour = "chartreuse"

[[providers]]
name = "Dr. Quill"
kind = "physician"
visit_types = ["follow-up", "botox"]
hours = { North = "Mon-Fri 8 to 5" }

[[providers]]
name = "Lee Marsh"
kind = "nurse"
hours = { Nowhere = "Mon 08:00-12:00", North = "Mon 08:00-12:00, lunch 13:00-14:00" }

[[staff]]
username = "Bo Boss!"
name = "Bo"
role = "admin"

[holidays]
calendar = "uk"
dates = [{ date = "someday", name = "x" }]

[plans.okcare]
name = "OK Care"
rules = "okcare"
"""

EXPECTED = [
    (4, "unknown key 'motto' in [practice]"),
    (9, "zip: a ZIP code is 5 digits"),
    (11, "timezone 'America/Tulsa' is not a time zone name"),
    (14, "kind 'closet' is not one of exam, procedure, massage"),
    (14, "room 'exam 1' is declared twice (first on line 13)"),
    (18, "location 'north' is declared twice (first on line 7)"),
    (21, "phone: not a valid phone number"),
    (27, "duration must be a whole number, got text"),
    (29, "colour 'chartreuse' is not one of"),
    (34, "visit type 'botox' is not in [[visit_types]]"),
    (35, "hours at North: '8' is not a time range like 08:00-12:00"),
    (39, "kind 'nurse' is not one of physician, app, therapist"),
    (40, "location 'Nowhere' is not in [[locations]]"),
    (40, "hours at North: lunch 13:00-14:00 is not inside the hours"),
    (43, "username: 2-40 lower-case letters"),
    (48, "calendar 'uk'"),
    (49, "date must be a day such as 2027-12-24"),
    (53, "plans.okcare.rules: must be a [payers.KEY] rule set key"),
]


def test_every_problem_is_reported_with_its_line_in_one_run() -> None:
    parsed, problems = parse_practice(WRONG, phone=_phone)
    assert parsed is None
    found = [(p.line, p.reason) for p in problems]
    for line, words in EXPECTED:
        assert any(n == line and words in reason for n, reason in found), (line, words, found)
    assert len(found) == len(EXPECTED), found


def test_a_toml_syntax_error_names_its_line() -> None:
    parsed, problems = parse_practice('[practice]\nname = "Clinic"\nphone = 918-555\n',
                                      phone=_phone)
    assert parsed is None
    assert len(problems) == 1
    assert problems[0].line == 3
    assert problems[0].reason.startswith("not valid TOML")


def test_an_unknown_section_and_a_missing_key_are_named() -> None:
    text = '[practise]\nname = "x"\n\n[[staff]]\nusername = "dana"\nrole = "admin"\n'
    _parsed, problems = parse_practice(text, phone=_phone)
    assert [(p.line, p.reason) for p in problems] == [
        (1, "unknown section 'practise' (known: practice, locations, visit_types, providers, "
            "staff, holidays, payers, plans, reminders)"),
        (4, '[staff] needs name = "…"'),
    ]


def test_a_provider_in_two_places_at_once_is_refused() -> None:
    text = """\
[[providers]]
name = "Dr. Quill"
kind = "physician"
hours = { North = "Mon 08:00-12:00", South = "Mon 11:00-15:00" }
"""
    _parsed, problems = parse_practice(text, phone=_phone)
    assert [(p.line, p.reason) for p in problems] == [
        (4, "hours overlap: Mon 11:00 at North and South")]


def test_sections_left_out_are_not_managed() -> None:
    parsed, problems = parse_practice('[[staff]]\nusername = "dana"\nname = "Dana"\n'
                                      'role = "receptionist"\n', phone=_phone)
    assert problems == []
    assert parsed is not None
    assert parsed.staff is not None
    assert parsed.locations is parsed.providers is parsed.holidays is parsed.payers is None


def test_lines_of_rooms_given_as_tables_of_their_own() -> None:
    text = """\
[[locations]]
name = "North"
address = "1 Main St"
zip = "74101"
phone = "918-555-0101"
timezone = "America/Chicago"

[[locations.rooms]]
name = "Exam 1"
kind = "exam"

[[locations.rooms]]
name = "Exam 2"
kind = "lab"
"""
    _parsed, problems = parse_practice(text, phone=_phone)
    assert [(p.line, p.reason) for p in problems] == [
        (14, "kind 'lab' is not one of exam, procedure, massage")]


def test_lunch_splits_the_day_and_clauses_add_up() -> None:
    shifts = shifts_of(cells(parse_hours(
        "Mon-Thu 08:00-17:00, lunch 12:00-13:00; Fri 08:00-12:00")))
    assert [(s.rrule, s.start, s.end) for s in shifts] == [
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", time(8), time(12)),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH", time(13), time(17)),
    ]


@pytest.mark.parametrize("text", [
    "Mon-Fri 08:00-17:00, lunch 12:00-13:00",
    "Mon,Wed,Fri 09:00-15:00; Tue 08:00-12:00, 13:00-15:00, 16:00-18:00",
    "Sat-Mon 07:30-11:45",
    "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 09:00-12:00",
])
def test_hours_read_back_as_written(text: str) -> None:
    meaning = cells(parse_hours(text))
    again = frozenset().union(*(cells(parse_hours(t)) for t in hours_text(meaning)))
    assert again == meaning


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty hours"),
    ("08:00-12:00", "names no weekdays"),
    ("Mon", "gives no hours"),
    ("Mon 12:00-08:00", "ends before it starts"),
    ("Mon 08:00-12:00, 11:00-13:00", "overlap"),
    ("Funday 08:00-12:00", "is not a weekday"),
    ("Mon 25:00-26:00", "is not a time of day"),
    ("RRULE:FREQ=SOMETIMES 08:00-12:00", "not an RRULE"),
    ("RRULE:FREQ=WEEKLY;COUNT=3 08:00-12:00", "may not carry"),
    ("RRULE:FREQ=MINUTELY 08:00-12:00", "must repeat weekly or monthly"),
    ("RRULE:FREQ=SECONDLY;INTERVAL=1 08:00-12:00", "must repeat weekly or monthly"),
    ("RRULE:FREQ=DAILY 08:00-12:00", "must repeat weekly or monthly"),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9 08:00-12:00", "the rule picks days"),
])
def test_wrong_hours_say_why(text: str, words: str) -> None:
    with pytest.raises(HoursError, match=words):
        parse_hours(text)


def test_a_rendered_file_reads_back_the_same() -> None:
    from tests.practice_file import CLINIC

    parsed, problems = parse_practice(CLINIC, phone=_phone)
    assert problems == []
    assert parsed is not None
    again, more = parse_practice(render(parsed), phone=_phone)
    assert more == []
    assert again == parsed


def test_lines_after_a_multi_line_prep_are_still_right() -> None:
    text = '''\
[[visit_types]]
code = "follow-up"
name = "Follow-up"
duration = 20
room = "exam"
prep = """
Arrive early.
colour = "not a key: inside the text"
"""
colour = "mauve"
'''
    _parsed, problems = parse_practice(text, phone=_phone)
    assert [(p.line, p.reason[:22]) for p in problems] == [(10, "colour 'mauve' is not ")]


def test_a_monthly_rule_is_hours_too() -> None:
    [shift] = parse_hours("RRULE:FREQ=MONTHLY;BYDAY=1SA 09:00-12:00")
    assert shift.rrule == "FREQ=MONTHLY;BYDAY=1SA"


@pytest.mark.parametrize("hours", [
    'North = "Sat 09:00-12:00", South = "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 10:00-13:00"',
    'North = "RRULE:FREQ=MONTHLY;BYDAY=1SA 09:00-12:00", '
    'South = "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SA 11:00-13:00"',
])
def test_rules_are_in_one_place_at_a_time_too(hours: str) -> None:
    text = f'[[providers]]\nname = "Dr. Quill"\nkind = "physician"\nhours = {{ {hours} }}\n'
    _parsed, problems = parse_practice(text, phone=_phone)
    assert [(p.line, p.reason[:36]) for p in problems] == [
        (4, "hours overlap: Sat 1" + problems[0].reason[20:36])]
    assert problems[0].reason.endswith("at North and South (in the weeks a rule picks)")


def test_rules_that_never_meet_are_fine() -> None:
    text = """\
[[providers]]
name = "Dr. Quill"
kind = "physician"
hours = { North = "Mon-Fri 08:00-12:00", South = "RRULE:FREQ=WEEKLY;BYDAY=SA 09:00-12:00" }
"""
    _parsed, problems = parse_practice(text, phone=_phone)
    assert problems == []


def test_a_bad_element_of_a_multi_line_list_is_reported_at_its_own_line() -> None:
    text = """\
[[providers]]
name = "Dr. Quill"
kind = "physician"
visit_types = [
  "follow-up",
  "no-such-visit",
]

[providers.hours]
North = [
  "Mon 08:00-12:00",
  "Tue 12:00-08:00",
]

[[visit_types]]
code = "follow-up"
name = "Follow-up"
duration = 20
room = "exam"
"""
    _parsed, problems = parse_practice(text, phone=_phone)
    assert [(p.line, p.reason[:40]) for p in problems] == [
        (6, "visit type 'no-such-visit' is not in [[v"),
        (12, "hours at North: '12:00-08:00' ends befor")]


def test_the_practice_zone_is_a_key_of_its_own() -> None:
    parsed, problems = parse_practice('[practice]\nname = "Clinic"\nphone = "918-555-0100"\n',
                                      phone=_phone)
    assert problems == []
    assert parsed is not None
    assert parsed.practice is not None
    assert parsed.practice.timezone == "America/Chicago"
    _parsed, problems = parse_practice('[practice]\nname = "Clinic"\nphone = "918-555-0100"\n'
                                       'timezone = "Tulsa"\n', phone=_phone)
    assert [(p.line, p.reason[:30]) for p in problems] == [(4, "timezone 'Tulsa' is not a time")]
