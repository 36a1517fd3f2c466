"""A payer change (Ctrl+Y, Ctrl+T) that breaks the payer rules of the caller's booked
procedures: the visits that break, in plain words where the person looks, then the override
booking uses (:class:`~frontdesk.ui.widgets.override.OverrideDialog`): the person signed in
when they may override, otherwise an overrider who types their own password — and why. The
change is tried again with that signature; nothing is saved without it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from typing import Any, TypeVar

from textual.screen import Screen

from frontdesk.services.payers import BrokenPlan
from frontdesk.services.views import AppointmentView
from frontdesk.ui.backend.calls import Signed
from frontdesk.ui.text import printable, when_text
from frontdesk.ui.widgets.override import Authorised, OverrideDialog

T = TypeVar("T")
Upcoming = Callable[[int], Sequence[AppointmentView]]


def broken_text(error: BrokenPlan, when: Mapping[int, str]) -> str:
    """'The new payer's rules are broken by booked visit(s):' and one line a visit: its id,
    when, what it is and each rule it breaks."""
    lines = ["Not saved: the new payer's rules are broken by booked visit(s):"]
    for visit in error.visits:
        at = when.get(visit.appointment_id, "")
        head = f"• visit {visit.appointment_id}" + (f", {at}" if at else "") + (
            f" ({visit.visit_type})" if visit.visit_type else "")
        lines.append(printable(f"{head}: {'; '.join(visit.texts) or ', '.join(visit.rules)}"))
    return "\n".join(lines)


def dated(save: Callable[[], T], upcoming: Upcoming | None, patient_id: int,
          into: dict[int, str]) -> T:
    """``save()`` (in a worker thread); when it is refused for broken payer rules, the dates
    of the patient's upcoming visits are read into ``into`` for the refusal's words."""
    try:
        return save()
    except BrokenPlan:
        if upcoming is not None:
            with suppress(Exception):  # the dates are a courtesy: the refusal stands without
                into.update({a.id: when_text(a) for a in upcoming(patient_id)})
        raise


class PlanSigning:
    """What a patient dialog does when its save breaks payer rules: ``show`` the visits in the
    dialog, ask for the override (``acting``: the person signed in; ``may_override``: their
    role may sign), ``retry`` with the signature given; Esc: say plainly nothing was saved."""

    def __init__(self, screen: Screen[Any], *, acting: str | None, may_override: bool,
                 show: Callable[[str], None], retry: Callable[[Signed], None]) -> None:
        self.screen = screen
        self.acting = acting
        self.may_override = may_override
        self.show = show
        self.retry = retry
        self.when: dict[int, str] = {}
        self.broken = ""
        self.last: Signed | None = None

    def handle(self, error: BaseException | None) -> bool:
        """Whether ``error`` was about the override (then it is dealt with here)."""
        from frontdesk.services.accounts import AccountLocked, SignInRefused
        from frontdesk.services.errors import InvalidInput, NotAllowed

        signed, self.last = self.last, None
        if isinstance(error, BrokenPlan):
            self.broken = broken_text(error, self.when)
            if signed is None:
                self.show(self.broken)
                self.ask()
            else:  # who signed may not override payer rules
                said = _sentence(str(error).rsplit("; ", 1)[-1] if not error.may_override
                                 else "give the reason")
                self.show(f"{self.broken}\nNot authorised: {said}")
                self.ask(signed, error=f"Not authorised: {said} Try again, or Esc.")
            return True
        if signed is not None and isinstance(error, SignInRefused | AccountLocked):
            reason = ("wrong username or password" if isinstance(error, SignInRefused)
                      else str(error))
            self.show(f"{self.broken}\nNot saved: {signed.who}'s password was not accepted "
                      f"({reason}).")
            self.ask(signed, error=f"Not authorised: {reason}. Try again, or Esc.")
            return True
        if signed is not None and isinstance(error, NotAllowed | InvalidInput):
            said = _sentence(str(error) if isinstance(error, NotAllowed)
                             else f"{error.message}")
            self.show(f"{self.broken}\nNot saved: {said}")
            self.ask(signed, error=f"{said} Try again, or Esc.")
            return True
        return False

    def ask(self, signed: Signed | None = None, *, error: str = "") -> None:
        def authorised(answer: Authorised | None) -> None:
            if answer is None:
                whose = ("Nothing was saved: it needs your reason, or a scheduler, manager "
                         "or admin to sign for it." if self.may_override else
                         "Nothing was saved: you may not override payer rules, and no "
                         "scheduler, manager or admin signed for it.")
                self.show(f"{self.broken}\n{whose}")
                return
            self.last = Signed(answer.who, answer.why, answer.password or None)
            self.show(f"{self.broken}\nSaving, signed by {answer.who}…")
            self.retry(self.last)

        self.screen.app.push_screen(OverrideDialog(
            self.broken, self.acting, may_override=self.may_override,
            who=signed.who if signed else "", why=signed.why if signed else "", error=error,
            title="Change the payer against its rules for booked visits"), authorised)


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}."
