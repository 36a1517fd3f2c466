"""The outside-the-process benchmark's screen matching, on screens captured from tmux at 80x24
(bench/seen.py; nothing here is timed)."""

from __future__ import annotations

from bench import seen

FORM = """\
          ╭──────────────────────────────────────────────────────────╮
          │                                                          │
          │  frontdesk · sign in                                     │
          │                                                          │
          │  {username:<56}│
          │                                                          │
          │  Password                                                │
          │                                                          │
          │  Enter signs in · ctrl+q quits                           │
          │                                                          │
          ╰──────────────────────────────────────────────────────────╯
"""

BOARD = """\
 {day} · All locations
 0 visits · Tulsa Midtown 0 · Tulsa South 0 · Broken Arrow 0 · Owasso 0 ·
 Bartlesville 0

  No appointments on Sun 6 Dec 2026 at any location.

 f2 Call  ⏎ Details  x Cancel  ionf Status  ←→ Day  d Day view  a Al▏^p palette
"""


def test_sign_in_form_and_echo() -> None:
    empty = FORM.format(username="Username")
    typed = FORM.format(username="z")
    assert seen.sign_in_ready(empty)
    assert not seen.username_echoed(empty, "z")
    assert seen.username_echoed(typed, "z")
    assert seen.username_echoed(FORM.format(username="zz"), "z")
    assert not seen.username_echoed(FORM.format(username="zebra"), "z")
    assert not seen.sign_in_ready(" Opening the database…\n")


def test_board_today_and_next_day() -> None:
    today = BOARD.format(day="Sun 6 Dec 2026 (today)")
    tomorrow = BOARD.format(day="Mon 7 Dec 2026")
    assert seen.board_ready(today)
    assert not seen.board_ready(tomorrow)
    assert seen.board_day(today) == "Sun 6 Dec 2026"
    assert seen.board_day(tomorrow) == "Mon 7 Dec 2026"
    assert seen.board_day(FORM.format(username="Username")) is None


def test_bare_app_answer() -> None:
    assert seen.bare_answered(f"{seen.BARE_READY} · key: z\n", "z")
    assert not seen.bare_answered(f"{seen.BARE_READY}\n", "z")
