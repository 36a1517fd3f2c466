"""Signing in, and the idle lock that covers everything until the same person signs in again.

Both screens are opaque full screens: nothing of the screen underneath (a patient's name, a call
in progress) shows through. Checking a password runs in a worker thread (argon2 takes a moment
on purpose), so the screen never freezes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from frontdesk.ui.start import NotOpen, Opening

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Backend

NOBODY = ("Nobody can sign in yet: no staff account has a password. An admin account is "
          "created on the command line: frontdesk staff add USERNAME --name NAME --role admin "
          "(see the README).")

FIRST_SIGN_IN = ("A new account has no password until an admin gives it one: "
                 "frontdesk staff reset-password USERNAME (or signs you in over SSH as your "
                 "OS user: [signin] os_users in settings.toml).")

#: On the demo database only (``--demo``, and the database really is the one the demo seeded:
#: never a practice's own opened with the flag): its accounts are published (README, "Demo
#: accounts"), so say them where the person is looking. A test checks them against the seed.
DEMO_ACCOUNTS = ("Demo practice: sign in as rita (receptionist), sam (scheduler), maria "
                 "(manager) or adam (admin). Each password is the username followed by "
                 "-demo-2027, e.g. rita-demo-2027 (README: \"Demo accounts\").")

#: What the lock screen says when the locked person's own password is refused, by the
#: service's reason (anything else: "Wrong password.").
UNLOCK_REFUSALS = {
    "disabled": "This account has been disabled; ask a manager.",
    "no password": "This account has no password any more; ask an admin to give it one.",
    "unknown": "This account is not there any more; ask a manager.",
}

T = TypeVar("T")


class UsernameInput(Input):
    """The username box. Enter (or Tab) hands over to the password box at once, and keys
    already on their way here (a fast typist, a password manager typing the whole line, keys
    typed while the database opens) follow it there: what comes after never lands in this
    box, in clear."""

    def __init__(self, *, then: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.then = then  # the password box's selector
        self.handed_over = False

    async def _on_key(self, event: events.Key) -> None:
        password = self.screen.query_one(self.then, Input)
        if self.handed_over and self.screen.focused is not self:
            event.stop()
            event.prevent_default()
            password.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("enter", "tab") and self.value.strip():
            event.stop()
            event.prevent_default()
            self.handed_over = True
            self.screen.set_focus(password)
            if event.key == "enter":
                self.post_message(self.Submitted(self, self.value))
            return
        await super()._on_key(event)

    def _on_focus(self, event: events.Focus) -> None:
        self.handed_over = False  # back to change the username
        super()._on_focus(event)


class PasswordInput(Input):
    """The password box. While a password is checked it keeps the cursor but takes no typing
    (``held``): keys typed meanwhile — a person typing it again because the check is slow —
    never land in another box in clear, nor reach the app's keys (``q`` quits)."""

    held = False

    async def _on_key(self, event: events.Key) -> None:
        if self.held and event.key != "ctrl+q" and (event.character is not None
                                                    or event.key in ("delete", "tab")):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)


class PasswordScreen(Screen[T]):
    """A username (sometimes hidden) and a password checked in a worker; a refusal shows
    under the fields and empties the password box. Widget ids start with ``PREFIX``."""

    PREFIX: ClassVar[str]
    #: Nothing behind it may be reached while it is in front (``Routes.covered``).
    COVERS_APP: ClassVar[bool] = True

    def __init__(self, verify: Callable[[str | None, str], T]) -> None:
        """``verify(username, password)`` runs in a worker thread: what the screen dismisses
        with, or a FrontDeskError saying why not."""
        super().__init__()
        self._verify = verify

    def _field(self, name: str) -> Input:
        return self.query_one(f"#{self.PREFIX}-{name}", Input)

    def _fields(self) -> ComposeResult:
        yield UsernameInput(then=f"#{self.PREFIX}-password", placeholder="Username",
                            id=f"{self.PREFIX}-user", compact=True)
        yield PasswordInput(placeholder="Password", password=True,
                            id=f"{self.PREFIX}-password", compact=True)
        yield Static("", id=f"{self.PREFIX}-error", markup=False)

    def on_mount(self) -> None:
        self.query_one(f"#{self.PREFIX}-error").display = False

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"{self.PREFIX}-user":
            if event.value.strip():
                self._field("password").focus()
            return
        username = self._username()
        if username == "":
            self._say("Type your username first.")
            self._field("user").focus()
        elif not event.value:
            self._say("Type your password.")
        elif not self._password().held:
            self._password().held = True
            self._checking()
            self._check(username, event.value)

    def _password(self) -> PasswordInput:
        return self.query_one(f"#{self.PREFIX}-password", PasswordInput)

    def _username(self) -> str | None:
        """The typed username; None when the screen asks for a password only."""
        return self._field("user").value.strip()

    @work(thread=True, exclusive=True, group="password-check", exit_on_error=False)
    def _check(self, username: str | None, password: str) -> T:
        return self._verify(username, password)

    @on(Worker.StateChanged)
    def _checked(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "password-check" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR):
            return
        password = self._password()
        password.held = False
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
            return
        password.value = ""
        password.focus()
        self._say(_refusal(event.worker.error))
        self._refused(event.worker.error)

    def _checking(self) -> None:
        """What else the screen says while a password is checked (nothing here)."""

    def _refused(self, error: BaseException | None) -> None:
        """What else the screen says after a refusal (nothing here)."""

    def _say(self, text: str) -> None:
        note = self.query_one(f"#{self.PREFIX}-error", Static)
        note.update(text)
        note.display = True

    @on(Input.Changed)
    def _typing(self, event: Input.Changed) -> None:
        if event.value:  # typing again, not the password box being emptied after a refusal
            self.query_one(f"#{self.PREFIX}-error").display = False


class SignInScreen(PasswordScreen["Backend"]):
    """Username and password; dismisses with a backend acting as that person.

    Given an :class:`~frontdesk.ui.start.Opening`, the form takes keys while the database is
    still opening: a password typed before it is open is checked as soon as it is."""

    PREFIX = "signin"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", id="signin.quit", tooltip="Quit frontdesk"),
    ]

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="signin"):
            yield Static("frontdesk · sign in", id="signin-title", markup=False)
            if self.demo:
                yield Static(DEMO_ACCOUNTS, id="signin-demo", markup=False)
            yield Static("", id="signin-note", markup=False)
            yield from self._fields()
            yield Static("Enter signs in · ctrl+q quits", id="signin-help", markup=False)
            yield Static("", id="signin-progress", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#signin-note").display = False
        if self.demo:  # named once the database is open and known to be the demo's
            self.query_one("#signin-demo").display = False
        self._field("user").focus()
        self._anyone()

    def progress(self, text: str) -> None:
        """What the database is doing while it opens (the demo's first seeding)."""
        line = self.query_one("#signin-progress", Static)
        line.update(text)
        line.display = bool(text)

    @work(thread=True, exclusive=True, group="signin-anyone", exit_on_error=False)
    def _anyone(self) -> tuple[bool, bool]:
        """Whether anyone can sign in, and whether the database is the demo's (asked only
        with the demo flag)."""
        try:
            backend = self._backend()
            return backend.anyone_can_sign_in(), self.demo and backend.is_demo()
        except NotOpen:  # the start screen says why, in place of this form
            return True, False

    @on(Worker.StateChanged)
    def _answered(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "signin-anyone" or event.state != WorkerState.SUCCESS:
            return
        anyone, demo = event.worker.result or (True, False)
        if not anyone:
            note = self.query_one("#signin-note", Static)
            note.update(NOBODY)
            note.display = True
        if demo:
            self.query_one("#signin-demo").display = True

    def __init__(self, backend: Backend | Opening, *, demo: bool = False) -> None:
        """``demo``: the demo flag was given: once the database is open and known to be the
        demo's, the form names its published accounts."""
        super().__init__(lambda user, password: self._backend().sign_in(user or "", password))
        self._door = backend
        self.demo = demo

    def _backend(self) -> Backend:
        """The open backend (in a worker: waits while the database is still opening)."""
        door = self._door
        return door.wait() if isinstance(door, Opening) else door

    def _checking(self) -> None:
        door = self._door
        if isinstance(door, Opening) and not door.ready:
            self.progress("Opening the database… you are signed in as soon as it is open.")

    def _refused(self, error: BaseException | None) -> None:
        """A new account has no password yet: say how it gets one (for every refusal alike,
        so the screen never tells which usernames exist)."""
        from frontdesk.services.accounts import SignInRefused

        if isinstance(error, SignInRefused):
            note = self.query_one("#signin-note", Static)
            note.update(FIRST_SIGN_IN)
            note.display = True


class LockScreen(PasswordScreen["Backend | None"]):
    """Covers everything after the idle time. The same person unlocks with their password and
    finds everything as it was (dismisses with None); someone else may sign in instead
    (dismisses with their backend: the first person's session ends, their drafts are kept)."""

    PREFIX = "lock"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "someone_else", "Someone else", id="lock.other",
                tooltip="Sign in as another person (ends the session of whoever locked)"),
        Binding("ctrl+q", "app.quit", "Quit", id="lock.quit", tooltip="Quit frontdesk"),
    ]

    def __init__(self, backend: Backend, *, name: str) -> None:
        super().__init__(self._unlock)
        self.backend = backend
        self.person = name
        self.other = False

    def compose(self) -> ComposeResult:
        with Middle(), Center(), Vertical(id="lock"):
            yield Static("frontdesk · locked", id="lock-title", markup=False)
            yield Static(f"Locked: nothing shows until {self.person} types their password "
                         "and goes on where they left off.", id="lock-note", markup=False)
            yield from self._fields()
            yield Static("Enter unlocks · ctrl+o someone else signs in · ctrl+q quits",
                         id="lock-help", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._field("user").display = False
        self._field("password").focus()

    def action_someone_else(self) -> None:
        self.other = True
        self.query_one("#lock-note", Static).update(
            f"Sign in as yourself. {self.person}'s session ends; an unfinished call stays "
            "saved for them.")
        user = self._field("user")
        user.display = True
        user.focus()

    def _username(self) -> str | None:
        return super()._username() if self.other else None

    def _refused(self, error: BaseException | None) -> None:
        """Only the password was asked (unless someone else is signing in): the account is the
        locked person's own, so the screen may say what really stands in the way."""
        from frontdesk.services.accounts import AccountLocked, SignInRefused

        if self.other:
            return
        if isinstance(error, AccountLocked):
            self._say(locked_for(error.until, self.backend.ctx.now()))
        elif isinstance(error, SignInRefused):
            self._say(UNLOCK_REFUSALS.get(error.reason, "Wrong password."))

    def _unlock(self, username: str | None, password: str) -> Backend | None:
        """The same person: None (the lock lifts); someone else: their backend."""
        if username is None or username == self.backend.staff:
            self.backend.unlock(password)
            return None
        return self.backend.sign_in(username, password)


def locked_for(until: datetime, now: datetime) -> str:
    """The lock screen's words for an account locked out until ``until``."""
    if until.tzinfo is None:  # SQLite hands back naive UTC
        until = until.replace(tzinfo=UTC)
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return f"This account is locked out after too many tries; try again in {minutes} min."


def _refusal(error: BaseException | None) -> str:
    """The service's own plain words for a refused sign-in; never a traceback."""
    from frontdesk.services.errors import FrontDeskError

    if isinstance(error, FrontDeskError):
        text = str(error)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return "The database did not answer; try again."
