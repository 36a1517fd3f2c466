"""Booking against a payer rule: who authorises it — signed with their own password unless it
is the person signed in — and why (the reason goes to the audit log)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from frontdesk.ui.widgets.footer import KeyFooter


@dataclass(frozen=True)
class Authorised:
    """What the override dialog hands back: who authorises, their password (empty when it is
    the person signed in), and why."""

    who: str
    password: str
    why: str


class OverrideDialog(ModalScreen["Authorised | None"]):
    """Who authorises booking against a payer rule, signed with their own password, and why.

    The person signed in, when their role may override, is named already and needs no password
    (their session proves them). Anyone else types their own password here: a typed name alone
    authorises nothing.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="override.back",
                tooltip="Back to the offered times without an override"),
    ]

    def __init__(self, problems: str, acting: str | None, *, may_override: bool,
                 who: str = "", why: str = "", error: str = "",
                 title: str = "Book against a payer rule") -> None:
        super().__init__()
        self.title_text = title
        self.problems = problems
        self.acting = acting or ""
        self.who = who or (self.acting if may_override else "")
        self.why = why
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="override"):
            yield Static(self.title_text, id="override-title", markup=False)
            yield Static(self.problems, id="override-problems", markup=False)
            yield Label("Authorised by (username of a scheduler, manager or admin)")
            yield Input(self.who, id="override-by", compact=True)
            yield Label("Their password (they type it; not needed when it is you)")
            yield Input(id="override-password", password=True, compact=True)
            yield Label("Reason (goes to the audit log)")
            yield Input(self.why, id="override-reason", compact=True, max_length=500)
            yield Static(self.error, id="override-error", markup=False)
            yield Static("Enter: next field · Enter on the reason: authorise · Esc: back",
                         id="override-keys", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(self._first_empty(), Input).focus()

    def _first_empty(self) -> str:
        if not self.who:
            return "#override-by"
        if self._needs_password():
            return "#override-password"
        return "#override-reason"

    def _needs_password(self) -> bool:
        who = self.query_one("#override-by", Input).value.strip().lower()
        return bool(who) and who != self.acting

    @on(Input.Submitted, "#override-by")
    def _next(self) -> None:
        target = "#override-password" if self._needs_password() else "#override-reason"
        self.query_one(target, Input).focus()

    @on(Input.Submitted, "#override-password")
    def _to_reason(self) -> None:
        self.query_one("#override-reason", Input).focus()

    @on(Input.Submitted, "#override-reason")
    def _done(self) -> None:
        who = self.query_one("#override-by", Input).value.strip()
        password = self.query_one("#override-password", Input).value
        why = self.query_one("#override-reason", Input).value.strip()
        error = self.query_one("#override-error", Static)
        if not who:
            error.update("Say who authorises it.")
            self.query_one("#override-by", Input).focus()
        elif self._needs_password() and not password:
            error.update(f"{who} types their own password: a name alone authorises nothing.")
            self.query_one("#override-password", Input).focus()
        elif not why:
            error.update("Give the reason: the audit log keeps it.")
        else:
            self.dismiss(Authorised(who, password if self._needs_password() else "", why))
