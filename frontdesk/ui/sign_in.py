"""Signing in, and the idle lock that covers everything until the same person signs in again.

Both screens are opaque full screens: nothing of the screen underneath (a patient's name, a call
in progress) shows through. Checking a password runs in a worker thread (argon2 takes a moment
on purpose), so the screen never freezes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from frontdesk.ui.backend import Backend

NOBODY = ("Nobody can sign in yet: no staff account has a password. An admin account is "
          "created on the command line: frontdesk staff add USERNAME --name NAME --role admin "
          "(see the README).")


class SignInScreen(Screen["Backend"]):
    """Username and password; dismisses with a backend acting as that person."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", id="signin.quit", tooltip="Quit frontdesk"),
    ]

    def __init__(self, backend: Backend, *, note: str = "") -> None:
        super().__init__()
        self.backend = backend
        self.note = note

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="signin"):
            yield Static("frontdesk · sign in", id="signin-title", markup=False)
            yield Static(self.note, id="signin-note", markup=False)
            yield Input(placeholder="Username", id="signin-user", compact=True)
            yield Input(placeholder="Password", password=True, id="signin-password",
                        compact=True)
            yield Static("", id="signin-error", markup=False)
            yield Static("Enter signs in · ctrl+q quits", id="signin-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#signin-note").display = bool(self.note)
        self.query_one("#signin-error").display = False
        self.query_one("#signin-user", Input).focus()
        self._anyone()

    @work(thread=True, exclusive=True, group="signin-anyone", exit_on_error=False)
    def _anyone(self) -> bool:
        return self.backend.anyone_can_sign_in()

    @on(Worker.StateChanged)
    def _answered(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "signin-anyone" or event.state != WorkerState.SUCCESS:
            return
        if not event.worker.result:
            note = self.query_one("#signin-note", Static)
            note.update(NOBODY)
            note.display = True

    @on(Input.Submitted, "#signin-user")
    def _to_password(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.query_one("#signin-password", Input).focus()

    @on(Input.Submitted, "#signin-password")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        username = self.query_one("#signin-user", Input).value.strip()
        if not username:
            self._say("Type your username first.")
            self.query_one("#signin-user", Input).focus()
            return
        if not event.value:
            self._say("Type your password.")
            return
        self.query_one("#signin-password", Input).disabled = True
        self._check(username, event.value)

    @work(thread=True, exclusive=True, group="signin", exit_on_error=False)
    def _check(self, username: str, password: str) -> Backend:
        return self.backend.sign_in(username, password)

    @on(Worker.StateChanged)
    def _checked(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "signin" or event.state not in (WorkerState.SUCCESS,
                                                                  WorkerState.ERROR):
            return
        password = self.query_one("#signin-password", Input)
        password.disabled = False
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.dismiss(event.worker.result)
            return
        password.value = ""
        password.focus()
        self._say(_refusal(event.worker.error))

    def _say(self, text: str) -> None:
        note = self.query_one("#signin-error", Static)
        note.update(text)
        note.display = True

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        if event.value:  # typing again, not the password box being emptied after a refusal
            self.query_one("#signin-error").display = False


class LockScreen(Screen["Backend | None"]):
    """Covers everything after the idle time. The same person unlocks with their password and
    finds everything as it was (dismisses with None); someone else may sign in instead
    (dismisses with their backend: the first person's session ends, their drafts are kept)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "someone_else", "Someone else", id="lock.other",
                tooltip="Sign in as another person (ends the session of whoever locked)"),
        Binding("ctrl+q", "app.quit", "Quit", id="lock.quit", tooltip="Quit frontdesk"),
    ]

    def __init__(self, backend: Backend, *, name: str) -> None:
        super().__init__()
        self.backend = backend
        self.person = name
        self.other = False

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="lock"):
            yield Static("frontdesk · locked", id="lock-title", markup=False)
            yield Static(f"Locked: nothing shows until {self.person} types their password "
                         "and goes on where they left off.", id="lock-note", markup=False)
            yield Input(placeholder="Username", id="lock-user", compact=True)
            yield Input(placeholder="Password", password=True, id="lock-password",
                        compact=True)
            yield Static("", id="lock-error", markup=False)
            yield Static("Enter unlocks · ctrl+o someone else signs in · ctrl+q quits",
                         id="lock-help", markup=False)

    def on_mount(self) -> None:
        self.query_one("#lock-user").display = False
        self.query_one("#lock-error").display = False
        self.query_one("#lock-password", Input).focus()

    def action_someone_else(self) -> None:
        self.other = True
        self.query_one("#lock-note", Static).update(
            f"Sign in as yourself. {self.person}'s session ends; an unfinished call stays "
            "saved for them.")
        user = self.query_one("#lock-user", Input)
        user.display = True
        user.focus()

    @on(Input.Submitted, "#lock-user")
    def _to_password(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.query_one("#lock-password", Input).focus()

    @on(Input.Submitted, "#lock-password")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self._say("Type the password.")
            return
        username = self.query_one("#lock-user", Input).value.strip() if self.other else None
        if self.other and not username:
            self._say("Type your username first.")
            self.query_one("#lock-user", Input).focus()
            return
        self.query_one("#lock-password", Input).disabled = True
        self._check(username, event.value)

    @work(thread=True, exclusive=True, group="unlock", exit_on_error=False)
    def _check(self, username: str | None, password: str) -> Backend | None:
        if username is None or username == self.backend.staff:
            self.backend.unlock(password)
            return None
        return self.backend.sign_in(username, password)

    @on(Worker.StateChanged)
    def _checked(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "unlock" or event.state not in (WorkerState.SUCCESS,
                                                                  WorkerState.ERROR):
            return
        password = self.query_one("#lock-password", Input)
        password.disabled = False
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
            return
        password.value = ""
        password.focus()
        self._say(_refusal(event.worker.error))

    def _say(self, text: str) -> None:
        note = self.query_one("#lock-error", Static)
        note.update(text)
        note.display = True

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        if event.value:  # typing again, not the password box being emptied after a refusal
            self.query_one("#lock-error").display = False


def _refusal(error: BaseException | None) -> str:
    """The service's own plain words for a refused sign-in; never a traceback."""
    from frontdesk.services.errors import FrontDeskError

    if isinstance(error, FrontDeskError):
        text = str(error)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return "The database did not answer; try again."
