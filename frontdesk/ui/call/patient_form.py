"""A patient's details as one form, for a new patient and for editing one: name, date of
birth, phone, mobile with text consent, email with consent to email reminders, address with
ZIP, preferred location, payer from the practice's list (found as it is typed) and member
id, alerts and a note staff must see.

Every problem shows under its own field, all at once, and the cursor goes to the first; the
details are written in one transaction (with its audit event) only when all are right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.dates import DateWordsError, parse_birth_date
from frontdesk.domain.patients import ALERTS
from frontdesk.domain.payers import PayerPlan, folded
from frontdesk.services.errors import FrontDeskError
from frontdesk.services.views import LocationView, PatientView
from frontdesk.ui.text import printable

#: The form's details in its order (the services' names for them).
FIELDS = ("name", "dob", "phone", "mobile", "sms_consent", "email", "email_consent", "address",
          "city", "state", "zip", "location", "payer", "member_id", "alerts", "alert_note")
TEXTS = ("name", "dob", "phone", "mobile", "email", "address", "city", "state", "zip", "payer",
         "member_id", "alert_note")
ALERT_LABELS = {"interpreter": "Interpreter", "driver": "Driver",
                "blood-thinners": "Blood thinners"}
MISSING = {"name": "Say the patient's first and last name.",
           "dob": "Ask for the date of birth.",
           "phone": "Ask for a phone number."}

#: the consent that goes with each contact detail, and its box's label
CONSENT_OF = {"mobile": "sms_consent", "email": "email_consent"}
CONSENT_BOX = {"mobile": "Texts OK", "email": "Reminders OK"}
LABELS = {"phone": "phone", "mobile": "mobile", "sms_consent": "text consent",
          "email": "email", "email_consent": "email consent", "address": "address",
          "city": "city", "state": "state",
          "zip": "ZIP", "location": "location", "payer": "payer", "member_id": "member id",
          "alerts": "alerts", "alert_note": "alert note"}

Problems = list[tuple[str, str]]


def record_values(p: PatientView, *, locations: Sequence[LocationView], payer_text: str,
                  phone_text: Callable[[str], str] = str) -> dict[str, Any]:
    """The record as the form shows it (the name as "Last, First", so that it is read back
    the same way however many words each part has), less any control character."""
    place = next((loc.name for loc in locations if loc.id == p.preferred_location_id), "")
    texts = {"name": f"{p.last_name}, {p.first_name}",
             "dob": f"{p.dob.month}/{p.dob.day}/{p.dob.year}", "phone": phone_text(p.phone),
             "mobile": phone_text(p.mobile) if p.mobile else "", "email": p.email,
             "address": p.address, "city": p.city, "state": p.state, "zip": p.zip,
             "payer": payer_text, "member_id": p.member_id, "alert_note": p.alert_note}
    values: dict[str, Any] = {k: printable(v) for k, v in texts.items()}
    values.update(sms_consent=p.sms_consent, email_consent=p.email_consent,
                  alerts=tuple(p.alerts), location=place)
    return values


def _same(field: str, shown: str, typed: str) -> bool:
    if field in ("phone", "mobile"):
        digits = ["".join(ch for ch in t if ch.isdigit()).removeprefix("1")
                  for t in (shown, typed)]
        return digits[0] == digits[1]
    return " ".join(shown.split()).casefold() == " ".join(typed.split()).casefold()


def brought(typed: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    """What was typed for a new patient that the record on file (``shown`` as the form shows
    it) does not have: each detail typed that differs, a consent given, the alerts it lacks.
    Name and birth date are left out: they were confirmed when the record was picked."""
    out: dict[str, Any] = {}
    for field in TEXTS:
        value = typed.get(field) or ""
        if field not in ("name", "dob") and value and not _same(field, shown[field], value):
            out[field] = value
    if typed.get("location") and typed["location"] != shown["location"]:
        out["location"] = typed["location"]
    if typed.get("sms_consent") and not shown["sms_consent"]:
        out["sms_consent"] = True
    if typed.get("email_consent") and not shown["email_consent"]:
        out["email_consent"] = True
    more = [a for a in typed.get("alerts", ()) if a not in shown["alerts"]]
    if more:
        out["alerts"] = tuple(a for a in ALERTS if a in shown["alerts"] or a in more)
    return out


def problems_of(error: BaseException | None) -> Problems:
    """The (field, reason) pairs an error from the services carries."""
    listed = getattr(error, "problems", None)
    if listed:
        return list(listed)
    field = getattr(error, "field", "")
    message = getattr(error, "message", "")
    if not message:
        known = isinstance(error, FrontDeskError)  # a refusal says why; nothing else does
        message = (str(error) if known else "") or "Could not save; nothing was written."
    return [(field, message)]


class PatientForm(ModalScreen[PatientView | None]):
    """The form; a subclass says what saving means (``_save_in_thread``) and may add to it
    (``_extra``). ``patient``: the details it opens with (None: empty, for a new patient)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="patient_form.back",
                tooltip="Close without saving"),
        Binding("ctrl+s", "save", "Save", id="patient_form.save", tooltip="Save the details"),
    ]

    TITLE = "Patient"
    HELP = "Enter or Ctrl+S saves · Esc closes without saving"

    def __init__(self, *, locations: Sequence[LocationView], today: date,
                 plans: Callable[[str], Sequence[PayerPlan]], patient: PatientView | None = None,
                 given_name: str = "", payer_text: str = "", phone_text: Callable[[str], str]
                 = str, check: Callable[..., Problems] | None = None,
                 given_phone: str = "") -> None:
        super().__init__()
        self._check = check
        self.locations = tuple(locations)
        self.today = today
        self.plans = plans
        self.patient = patient
        self.given_name = given_name
        self.given_phone = given_phone  # a new patient's number, as the caller was searched
        self.payer_text = payer_text
        self.phone_text = phone_text
        self.saving = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        p = self.patient
        v: dict[str, Any] = (
            record_values(p, locations=self.locations, payer_text=self.payer_text,
                          phone_text=self.phone_text) if p else
            {**dict.fromkeys(TEXTS, ""), "name": printable(self.given_name),
             "phone": printable(self.given_phone),
             "payer": printable(self.payer_text), "sms_consent": False,
             "email_consent": False, "alerts": (),
             "location": ""})
        with VerticalScroll(id="patient-form"):
            yield Static(self._title(), id="patient-form-title", markup=False)
            yield from self._row("Name", self._input("name", v["name"], "Last, First", 121))
            yield from self._row("Born", self._input("dob", v["dob"], "e.g. 5/17/1970", 40))
            yield from self._row("Phone", self._input("phone", v["phone"],
                                                      "e.g. 918-555-0142", 30))
            yield from self._row("Mobile", self._input("mobile", v["mobile"], "(optional)", 30),
                                 Checkbox("Texts OK", v["sms_consent"], id="sms_consent",
                                          compact=True))
            yield from self._row("Email", self._input("email", v["email"], "(optional)", 120),
                                 Checkbox("Reminders OK", v["email_consent"],
                                          id="email_consent", compact=True))
            yield from self._row("Address", self._input("address", v["address"],
                                                        "street (optional)", 200))
            yield from self._row(
                "City", self._input("city", v["city"], "", 60),
                Label("State", classes="form-sublabel"),
                self._input("state", v["state"], "e.g. OK", 2),
                Label("ZIP", classes="form-sublabel"),
                self._input("zip", v["zip"], "e.g. 74133", 10))
            select: Select[str] = Select([(loc.name, loc.name) for loc in self.locations],
                                         id="location", prompt="Preferred location (optional)",
                                         compact=True,
                                         value=v["location"] or Select.NULL)
            yield from self._row("Location", select)
            yield from self._row("Payer", Input(
                v["payer"], placeholder="type to search the payer list"
                + ("" if p else " (optional)"), id="payer", max_length=61, compact=True,
                suggester=PlanSuggester(self.plans)))
            yield Static("", id="payer-matches", classes="form-hint", markup=False)
            yield from self._row("Member id", self._input(
                "member_id", v["member_id"], "from the card (optional)", 41))
            yield from self._row("Alerts", *(
                Checkbox(label, code in v["alerts"], id=f"alert-{code}",
                         compact=True, classes="form-alert")
                for code, label in ALERT_LABELS.items()), errors=("alerts",))
            yield from self._row("Alert note", self._input(
                "alert_note", v["alert_note"], "what staff must know (optional)", 200))
            yield from self._extra()
            yield Static("", id="form-error", classes="form-error", markup=False)
            yield Static(self.HELP, id="patient-form-help", markup=False)

    def _title(self) -> str:
        return self.TITLE

    def _extra(self) -> ComposeResult:
        yield from ()

    @staticmethod
    def _input(field: str, value: str, placeholder: str, most: int) -> Input:
        return Input(value, placeholder=placeholder, id=field, max_length=most,
                     compact=True)

    @staticmethod
    def _row(label: str, *widgets: Widget, errors: tuple[str, ...] | None = None
             ) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield from widgets
        for field in errors or [w.id for w in widgets if w.id]:
            yield Static("", id=f"{field}-error", classes="form-error", markup=False)

    def on_mount(self) -> None:
        for note in self.query(".form-error, .form-hint"):
            note.display = False
        self.initial = self.typed()
        self.query_one("#dob" if self.given_name else "#name", Input).focus()

    # ------------------------------------------------------------------ what is typed

    def typed(self) -> dict[str, Any]:
        """Every detail as it stands in the form (texts stripped)."""
        values: dict[str, Any] = {f: self.query_one(f"#{f}", Input).value.strip()
                                  for f in TEXTS}
        values["sms_consent"] = self.query_one("#sms_consent", Checkbox).value
        values["email_consent"] = self.query_one("#email_consent", Checkbox).value
        values["alerts"] = tuple(code for code in ALERTS
                                 if self.query_one(f"#alert-{code}", Checkbox).value)
        where = self.query_one("#location", Select).value
        values["location"] = where if isinstance(where, str) else ""
        return values

    def checked(self, values: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
        """``values`` with the birth date read as a date, and what is missing or unreadable
        (the services check the rest)."""
        problems: Problems = [(f, MISSING[f]) for f in MISSING if not values.get(f, "x")]
        out = dict(values)
        if values.get("dob"):
            try:
                out["dob"] = parse_birth_date(values["dob"])
            except DateWordsError as exc:
                problems.append(("dob", str(exc)))
                out.pop("dob")
        return out, problems

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        if event.input.id:
            self._hide(event.input.id)
        if event.input.id == "payer":
            self._show_matches(event.value)
        if event.input.id in CONSENT_OF and event.input.has_focus:
            self._consent_again(event.input.id, event.value)

    def _consent_again(self, field: str, value: str) -> None:
        """A consent is to the number or address it was given for: a new one unticks it, and
        the note under it says so (ticked again, it goes with the new one)."""
        box = self.query_one(f"#{CONSENT_OF[field]}", Checkbox)
        if (self.patient is None or not box.value or not self.initial.get(CONSENT_OF[field])
                or value.strip() == self.initial.get(field)):
            return
        box.value = False
        note = self.query_one(f"#{CONSENT_OF[field]}-error", Static)
        note.update(f"A new {LABELS[field]} needs the patient's consent again: tick "
                    f"{CONSENT_BOX[field]} if they agree to it")
        note.display = True

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id in CONSENT_OF.values() and not event.value:
            return  # unticked: a note saying why stays
        self._hide("alerts" if (event.checkbox.id or "").startswith("alert-")
                   else event.checkbox.id or "")

    def _hide(self, field: str) -> None:
        for note in self.query(f"#{field}-error"):
            note.display = False

    def _show_matches(self, text: str) -> None:
        """Under the payer field: the plans what is typed names, or "not in the list"."""
        hint = self.query_one("#payer-matches", Static)
        hint.display = bool(text.strip())
        if text.strip():
            hint.update(plans_hint(self.plans, text)
                        or "Not in the practice's payer list — leave it empty if unsure")

    @on(Input.Submitted)
    def _entered(self) -> None:
        self.action_save()

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self.saving:
            return
        for note in self.query(".form-error"):
            note.display = False
        self.saving = True
        self._save_in_thread(self.typed())

    def _save_in_thread(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def show_problems(self, problems: Problems) -> None:
        """Each problem under its field (the form's order), the cursor on the first."""
        order = {f: n for n, f in enumerate(FIELDS)}
        problems = sorted(problems, key=lambda p: order.get(p[0], len(FIELDS)))
        for field, message in problems:
            note = self.query_one(f"#{field}-error" if field in FIELDS else "#form-error",
                                  Static)
            note.update(message[:1].upper() + message[1:])
            note.display = True
        if problems:
            self._focus_field(problems[0][0])

    def _focus_field(self, field: str) -> None:
        target = {"alerts": f"#alert-{next(iter(ALERTS))}"}.get(field, f"#{field}")
        for widget in self.query(target) if field in FIELDS else ():
            widget.focus()
            widget.scroll_visible()

    @on(Worker.StateChanged)
    def _saved(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "patient-form":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.saving = False
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.saving = False
            self._refused(event.worker.error)

    def _refused(self, error: BaseException | None) -> None:
        self.show_problems(problems_of(error))

    def _submit(self, details: dict[str, Any], problems: Problems,
                save: Callable[[], PatientView]) -> None:
        """``save`` in a thread — or, when the form found problems of its own (a missing or
        unreadable detail), the services' check of the other details, so that every problem
        shows at once and nothing is written."""
        check = self._check

        def run() -> PatientView:
            if problems:
                readable = {k: v for k, v in details.items()
                            if k != "dob" or isinstance(v, date)}
                found = check(**readable) if check else []
                said = {field for field, _ in problems}
                raise FormProblems(problems + [p for p in found if p[0] not in said])
            return save()

        self._run(run)

    @work(thread=True, exclusive=True, group="patient-form", exit_on_error=False)
    def _run(self, save: Callable[[], PatientView]) -> PatientView:
        return save()


class FormProblems(Exception):
    """Problems found before saving, carried to the form like the services' own."""

    def __init__(self, problems: Problems) -> None:
        super().__init__("; ".join(f"{f}: {r}" for f, r in problems))
        self.problems = problems


def plans_hint(plans: Callable[[str], Sequence[PayerPlan]], text: str) -> str:
    """"In the list: A · B · C" for what is typed; empty when it names no plan."""
    found = list(plans(text))[:3]
    return ("In the list: " + " · ".join(p.name for p in found)) if found else ""


class PlanSuggester(Suggester):
    """Completes the payer field with the best plan's name (or the alias being typed)."""

    def __init__(self, plans: Callable[[str], Sequence[PayerPlan]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.plans = plans

    async def get_suggestion(self, value: str) -> str | None:
        typed = value.casefold()
        for plan in self.plans(value)[:1]:
            for name in (plan.name, *plan.aliases):
                if typed and name.casefold().startswith(typed) and folded(name):
                    return value + name[len(value):]
        return None
