"""The schedule editor: a provider's weekly hours and the closures ahead, changed by keys.

Every change asks first when it would leave booked visits outside working hours. Database work
runs in thread workers through ``data`` (imported there, never here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from frontdesk.ui.schedule.dialogs import ConfirmDialog, stranding_dialog
from frontdesk.ui.schedule.forms import ClosureForm, TemplateForm
from frontdesk.ui.schedule.text import (
    Done,
    Outcome,
    Refused,
    closure_cells,
    closure_when,
    closures_label,
    hours_cells,
    hours_label,
    next_id,
)
from frontdesk.ui.widgets.back import name_the_way_back
from frontdesk.ui.widgets.footer import KeyFooter
from frontdesk.ui.widgets.pickers import Picked, ProviderPicker
from frontdesk.ui.widgets.title import TitleRow

if TYPE_CHECKING:
    from frontdesk.services.schedule_admin import ClosureRow, TemplateRow
    from frontdesk.services.worklists.waitlist import Hours
    from frontdesk.ui.backend.door import Backend
    from frontdesk.ui.schedule.data import EditorData

WHO = Binding.Group("Provider", compact=True)
HOURS = "#sched-hours"
CLOSURES = "#sched-closures"


class ScheduleEditorScreen(Screen[None]):
    """``provider_id`` None opens the first active provider."""

    PLACE_NAME = "Hours"
    FOOTER_ORDER = ("schedule.add_hours", "schedule.edit_hours", "schedule.remove",
                    "schedule.add_closure", "schedule.next_provider", "schedule.back")

    DEFAULT_CSS = """
    ScheduleEditorScreen {
        #sched-title { text-style: bold; padding: 0 1; background: $panel; }
        .sched-label { padding: 1 1 0 1; color: $text-muted; text-style: bold; }
        #sched-hours { height: auto; max-height: 8; }
        #sched-closures { height: 1fr; }
        #sched-status { padding: 0 1; height: auto; max-height: 3; }
        #sched-status.-error { color: $text-error; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="schedule.back", tooltip="Leave the editor"),
        Binding("a", "add_hours", "Add hours", id="schedule.add_hours",
                tooltip="Add a weekly hours row for this provider"),
        Binding("e", "edit_hours", "Edit", id="schedule.edit_hours",
                tooltip="Change the highlighted weekly hours row (Enter does the same)"),
        Binding("d,delete", "remove", "Remove", id="schedule.remove", key_display="d",
                tooltip="Remove the highlighted hours row or closure"),
        Binding("c", "add_closure", "Closure", id="schedule.add_closure",
                tooltip="Add time off, a practice holiday or a location closure"),
        Binding("l,right_square_bracket", "cycle_provider(1)", "Next provider",
                id="schedule.next_provider", key_display="l", group=WHO,
                tooltip="Show the next provider's schedule (also ])"),
        Binding("L,left_square_bracket", "cycle_provider(-1)", "Previous provider",
                id="schedule.previous_provider", key_display="L", group=WHO,
                tooltip="Show the previous provider's schedule (also [)"),
        Binding("P,slash", "pick_provider", "Find provider", id="schedule.pick_provider",
                key_display="P", tooltip="Choose a provider from a list (also /)", group=WHO),
        Binding("r", "reload", "Refresh", id="schedule.refresh", show=False,
                tooltip="Read the schedule again"),
    ]

    def __init__(self, backend: Backend, *, provider_id: int | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.provider_id = provider_id
        self.data: EditorData | None = None
        self.zone = ZoneInfo(backend.zone)
        self._hours_before: Hours | None = None  # the provider's hours as last read

    def compose(self) -> ComposeResult:
        yield TitleRow("Schedule · loading…", title_id="sched-title")
        yield Static("Weekly hours", id="sched-hours-label", classes="sched-label", markup=False)
        yield DataTable(id="sched-hours", cursor_type="row", zebra_stripes=True)
        yield Static("Closures ahead", id="sched-closures-label", classes="sched-label",
                     markup=False)
        yield DataTable(id="sched-closures", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sched-status", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        name_the_way_back(self, "schedule.back")
        self.query_one(HOURS, DataTable).add_columns("Days", "Hours", "Location", "From",
                                                     "Until")
        self.query_one(CLOSURES, DataTable).add_columns("Kind", "When", "Applies to",
                                                        "Reason")
        self.query_one(HOURS).focus()
        self.action_reload()

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self._load(self.provider_id)

    def action_cycle_provider(self, step: int) -> None:
        if self.data is not None:
            self._go(next_id((p.id for p in self.data.providers), self.provider_id, step))

    def action_pick_provider(self) -> None:
        if self.data is not None:
            def picked(choice: Picked | None) -> None:
                self._go(choice.id if choice is not None else None)

            self.app.push_screen(ProviderPicker(self.data.providers, self.provider_id), picked)

    def action_add_hours(self) -> None:
        self._open_template(None)

    def action_edit_hours(self) -> None:
        row = self._highlighted_hours()
        if row is not None:
            self._open_template(row)

    def action_add_closure(self) -> None:
        data = self.data
        if data is not None:
            self.app.push_screen(ClosureForm(
                self.backend, provider_id=data.provider_id, provider_name=data.provider_name,
                locations=data.locations, today=self.backend.today()), self._form_closed)

    def action_remove(self) -> None:
        if self.focused is self.query_one(CLOSURES):
            closure = self._highlighted_closure()
            if closure is not None:
                line = f"{closure_when(closure.start, closure.end, self.zone)} · " \
                       f"{closure.scope} · {closure.reason}"
                self._ask(ConfirmDialog("Remove this closure?", [line], yes="removes it"),
                          "closure", closure.id)
            return
        row = self._highlighted_hours()
        if row is not None:
            line = f"{row.days_text} {row.hours_text} at {row.location_name}"
            self._ask(ConfirmDialog("Remove these weekly hours?", [line], yes="removes them"),
                      "template", row.id)

    def _ask(self, dialog: ConfirmDialog, what: str, target_id: int) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._change(what, target_id, False)

        self.app.push_screen(dialog, answered)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that need a provider or a highlighted row show greyed out until there is one."""
        data = self.data
        if action in ("add_hours", "add_closure", "cycle_provider", "pick_provider"):
            return True if data is not None and data.provider_id is not None else None
        if action == "edit_hours":
            return True if data is not None and data.rows else None
        if action == "remove":
            return True if data is not None and (data.rows or data.closures) else None
        return True

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Schedule: add weekly hours", "Add an hours row for this provider",
                          self.action_add_hours),
            SystemCommand("Schedule: add a closure", "Time off, a holiday or a location closure",
                          self.action_add_closure),
            SystemCommand("Schedule: choose provider", "Edit another provider's schedule",
                          self.action_pick_provider),
        ]

    @on(DataTable.RowSelected, HOURS)
    def _enter_on_hours(self) -> None:
        self.action_edit_hours()

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="schedule-load", exit_on_error=False)
    def _load(self, provider_id: int | None) -> None:
        from frontdesk.ui.schedule import data as editor  # services load in workers

        try:
            data = editor.load(self.backend, provider_id)
        except Exception as exc:  # a plain message, never a traceback
            reason = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
            self.app.call_from_thread(self._say, f"Could not read the schedule ({reason}).",
                                      error=True)
            return
        self.app.call_from_thread(self._show, data)
        if data.provider_id is not None:  # what a change here then opens is matched
            try:
                hours = self.backend.provider_hours(data.provider_id)
            except Exception:  # noqa: BLE001 - the editor works without the waitlist
                return
            self.app.call_from_thread(setattr, self, "_hours_before", hours)

    def _go(self, provider_id: int | None) -> None:
        if provider_id is not None and provider_id != self.provider_id:
            self.provider_id = provider_id
            self._say("")
            self.action_reload()

    def _show(self, data: EditorData) -> None:
        if self not in self.app.screen_stack:
            return  # left while reading
        if self.provider_id is not None and data.provider_id != self.provider_id \
                and any(p.id == self.provider_id for p in data.providers):
            return  # an older read finished after the person moved on
        self.data, self.provider_id = data, data.provider_id
        if data.provider_id is None:
            self.query_one("#sched-title", Static).update("Schedule · no active providers")
        else:
            place = [p.id for p in data.providers].index(data.provider_id) + 1
            self.query_one("#sched-title", Static).update(
                f"Schedule · {data.provider_name} · provider {place} of {len(data.providers)}")
        self._fill_hours(data.rows)
        self._fill_closures(data.closures)
        self.refresh_bindings()

    def _fill_hours(self, rows: tuple[TemplateRow, ...]) -> None:
        self._fill(HOURS, [(str(r.id), hours_cells(r)) for r in rows])
        self.query_one("#sched-hours-label", Static).update(hours_label(rows))

    def _fill_closures(self, closures: tuple[ClosureRow, ...]) -> None:
        self._fill(CLOSURES, [(str(c.id), closure_cells(c, self.zone)) for c in closures])
        self.query_one("#sched-closures-label", Static).update(closures_label(closures))

    def _fill(self, selector: str, rows: list[tuple[str, tuple[str, ...]]]) -> None:
        """Refill a table, keeping the cursor on the same line where it still exists."""
        table = self.query_one(selector, DataTable)
        keep = table.cursor_row
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))

    # ------------------------------------------------------------------ changing

    def _open_template(self, row: TemplateRow | None) -> None:
        data = self.data
        if data is None or data.provider_id is None:
            return
        self.app.push_screen(TemplateForm(
            self.backend, provider_id=data.provider_id, provider_name=data.provider_name,
            locations=data.locations, row=row, today=self.backend.today()), self._form_closed)

    def _form_closed(self, message: str | None) -> None:
        if message:
            self._say(message)
            self._match_opened(self._hours_before)
            self.action_reload()

    @work(thread=True, group="schedule-waitlist", exit_on_error=False)
    def _match_opened(self, before: Hours | None) -> None:
        """Hours saved or a closure removed: who on the waitlist the time it opened suits
        (shown over the editor when anyone does)."""
        from frontdesk.ui.widgets.waitlist import WaitlistMatches, show_when_back

        if before is None or self.backend.staff is None:
            return
        try:
            opened = self.backend.opened_since(before)
            found = self.backend.opened_matches(opened) if opened else []
        except Exception:  # noqa: BLE001 - the change is saved; the waitlist screen has it
            return
        if found:
            name = self.data.provider_name if self.data else "the provider"
            self.app.call_from_thread(show_when_back, self, WaitlistMatches(
                self.backend, f"Waitlist matches · time opened for {name}", found,
                lambda: self.backend.opened_matches(opened, audit=False)))

    @work(thread=True, group="schedule-change", exit_on_error=False)
    def _change(self, what: str, target_id: int, confirm: bool) -> None:
        from frontdesk.ui.schedule import data as editor  # services load in workers

        outcome = (editor.remove_closure(self.backend, target_id) if what == "closure"
                   else editor.remove_template(self.backend, target_id, confirm))
        self.app.call_from_thread(self._changed, what, target_id, outcome)

    def _changed(self, what: str, target_id: int, outcome: Outcome) -> None:
        if self not in self.app.screen_stack:
            return
        if isinstance(outcome, Done):
            self._say(outcome.message)
            if what == "closure":  # a closure gone opens its time
                self._match_opened(self._hours_before)
            self.action_reload()
        elif isinstance(outcome, Refused):
            self._say(f"Nothing removed: {outcome.message}", error=True)
        else:
            def answered(go_ahead: bool | None) -> None:
                if go_ahead:
                    self._change(what, target_id, True)
                else:
                    self._say("Nothing removed.")

            self.app.push_screen(stranding_dialog(outcome), answered)

    def _say(self, text: str, *, error: bool = False) -> None:
        if self not in self.app.screen_stack:
            return
        note = self.query_one("#sched-status", Static)
        note.set_class(error, "-error")
        note.update(("⚠ " if error else "") + text)

    def _highlighted_hours(self) -> TemplateRow | None:
        rows = self.data.rows if self.data else ()
        index = self.query_one(HOURS, DataTable).cursor_row
        return rows[index] if 0 <= index < len(rows) else None

    def _highlighted_closure(self) -> ClosureRow | None:
        closures = self.data.closures if self.data else ()
        index = self.query_one(CLOSURES, DataTable).cursor_row
        return closures[index] if 0 <= index < len(closures) else None
