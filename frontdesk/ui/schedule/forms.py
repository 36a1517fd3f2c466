"""The two editing forms: a weekly hours row, and a closure (time off, holiday, location)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from frontdesk.services.views import LocationView
from frontdesk.ui.schedule.dialogs import DIALOG_CSS, EditorForm
from frontdesk.ui.schedule.text import (
    KIND_LABELS,
    ClosureDraft,
    Outcome,
    TemplateDraft,
    closure_draft,
    day_text,
    template_draft,
)

if TYPE_CHECKING:
    from frontdesk.services.schedule_admin import TemplateRow
    from frontdesk.ui.backend.door import Backend

FORM_CSS = DIALOG_CSS + """
    .form-row { height: 1; margin: 1 0 0 0; }
    .form-label { width: 13; }
    .form-joint { width: auto; padding: 0 1; }
    .form-row Input { width: 1fr; background: $boost; }
    .form-row Input:focus { background: $primary 25%; }
    .form-row Input.-short { width: 10; }
    .form-row Select { width: 1fr; }
    #form-error { padding: 1 0 0 0; }
    .dialog-help { padding: 1 0 0 0; }
"""

HELP = "Enter or Ctrl+S saves · Esc closes without saving"


class TemplateForm(EditorForm[TemplateDraft]):
    """Add (``row`` None) or change one weekly hours row of a provider."""

    DEFAULT_CSS = "TemplateForm {" + FORM_CSS + "}"

    def __init__(self, backend: Backend, *, provider_id: int, provider_name: str,
                 locations: Sequence[LocationView], row: TemplateRow | None,
                 today: date) -> None:
        super().__init__(backend)
        self.provider_id = provider_id
        self.provider_name = provider_name
        self.locations = tuple(locations)
        self.row = row
        self.today = today

    def compose(self) -> ComposeResult:
        row = self.row
        verb = "Add weekly hours" if row is None else "Change weekly hours"
        place = row.location_id if row is not None else (
            self.locations[0].id if self.locations else Select.NULL)
        with Vertical(id="template-form"):
            yield Static(f"{verb} · {self.provider_name}", classes="dialog-title", markup=False)
            yield from self.field("Days", Input(
                row.days_text.replace(" (custom rule)", "") if row else "",
                placeholder="e.g. Mon Wed Fri, Mon-Fri", id="weekdays", compact=True),
                errors=["weekdays"])
            yield from self.field("Hours", Input(
                f"{row.start_time:%H:%M}" if row else "", placeholder="08:00", id="start_time",
                compact=True, classes="-short"), Label("to", classes="form-joint"), Input(
                f"{row.end_time:%H:%M}" if row else "", placeholder="12:00", id="end_time",
                compact=True, classes="-short"), errors=["start_time", "end_time"])
            yield from self.field("Location", Select(
                [(loc.name, loc.id) for loc in self.locations], value=place, allow_blank=False,
                id="location", compact=True), errors=["location"])
            yield from self.field("Valid from", Input(
                day_text(row.valid_from if row else self.today), id="valid_from", compact=True),
                Label("until", classes="form-joint"), Input(
                day_text(row.valid_until) if row and row.valid_until else "",
                placeholder="no end", id="valid_until", compact=True),
                errors=["valid_from", "valid_until"])
            yield Static("", id="form-error", classes="form-error", markup=False)
            yield Static(HELP, classes="dialog-help", markup=False)

    def read(self) -> TemplateDraft:
        value = self.query_one("#location", Select).value
        return template_draft(
            template_id=self.row.id if self.row else None,
            days=self._text("#weekdays"), start=self._text("#start_time"),
            end=self._text("#end_time"), location_id=value if isinstance(value, int) else None,
            valid_from=self._text("#valid_from"), valid_until=self._text("#valid_until"),
            today=self.today)

    def save(self, draft: TemplateDraft, confirm: bool) -> Outcome:
        from frontdesk.ui.schedule import data as editor  # services load in workers

        return editor.save_template(self.backend, self.provider_id, draft, confirm)

    def _text(self, selector: str) -> str:
        return self.query_one(selector, Input).value


class ClosureForm(EditorForm[ClosureDraft]):
    """Time off for the provider, a practice holiday or a location closure."""

    DEFAULT_CSS = "ClosureForm {" + FORM_CSS + "}"

    def __init__(self, backend: Backend, *, provider_id: int | None, provider_name: str,
                 locations: Sequence[LocationView], today: date) -> None:
        super().__init__(backend)
        self.provider_id = provider_id
        self.provider_name = provider_name
        self.locations = tuple(locations)
        self.today = today

    def compose(self) -> ComposeResult:
        kinds = [(f"{KIND_LABELS['time_off']} for {self.provider_name}", "time_off")
                 ] if self.provider_id is not None else []
        kinds += [(KIND_LABELS["holiday"] + " (every location)", "holiday"),
                  (KIND_LABELS["location"] + " (one location)", "location")]
        with Vertical(id="closure-form"):
            yield Static("Add a closure", classes="dialog-title", markup=False)
            yield from self.field("Kind", Select(kinds, value=kinds[0][1], allow_blank=False,
                                                 id="kind", compact=True), errors=["kind"])
            yield from self.field("Location", Select(
                [(loc.name, loc.id) for loc in self.locations], allow_blank=False,
                id="location", compact=True), errors=["location"])
            yield from self.field("From", Input(placeholder="e.g. tomorrow, next fri, 3/15",
                                                id="from_day", compact=True),
                                  Label("at", classes="form-joint"),
                                  Input(placeholder="all day", id="from_time", compact=True,
                                        classes="-short"),
                                  errors=["from_day", "from_time"])
            yield from self.field("To", Input(placeholder="same day", id="to_day", compact=True),
                                  Label("at", classes="form-joint"),
                                  Input(placeholder="all day", id="to_time", compact=True,
                                        classes="-short"),
                                  errors=["to_day", "to_time"])
            yield from self.field("Reason", Input(placeholder="e.g. Vacation, Conference",
                                                  max_length=120, id="reason", compact=True),
                                  errors=["reason"])
            yield Static("", id="form-error", classes="form-error", markup=False)
            yield Static(HELP, classes="dialog-help", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_location()
        self.query_one("#from_day").focus()  # the kind is usually right as it opens

    @on(Select.Changed, "#kind")
    def _show_location(self) -> None:
        wanted = self.query_one("#kind", Select).value == "location"
        for row in self.query(".form-row"):
            if row.query("#location"):
                row.display = wanted

    def read(self) -> ClosureDraft:
        kind = self.query_one("#kind", Select).value
        place = self.query_one("#location", Select).value
        location_id = place if isinstance(place, int) else None
        zone = next((loc.zone for loc in self.locations
                     if kind == "location" and loc.id == location_id),
                    ZoneInfo(self.backend.zone))
        return closure_draft(
            kind=str(kind), from_day=self._text("#from_day"), from_time=self._text("#from_time"),
            to_day=self._text("#to_day"), to_time=self._text("#to_time"),
            reason=self._text("#reason"), provider_id=self.provider_id,
            location_id=location_id, zone=zone, today=self.today)

    def save(self, draft: ClosureDraft, confirm: bool) -> Outcome:
        from frontdesk.ui.schedule import data as editor  # services load in workers

        return editor.add_closure(self.backend, draft, confirm)

    def _text(self, selector: str) -> str:
        return self.query_one(selector, Input).value
