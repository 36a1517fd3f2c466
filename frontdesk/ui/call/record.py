"""The caller's record at a glance, under their name the moment they are identified: the
visits ahead, the last procedure in each region with the relief on file, sessions against the
payer's caps and open callbacks — one line each, cut to the width (a large terminal shows
more visits and whole lines). Read in a worker; the reading is audited by the service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from textual import on, work
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from frontdesk.domain.pathway import Procedure, describe_hours
from frontdesk.ui.text import fit, printable

if TYPE_CHECKING:
    from frontdesk.services.callbacks import CallbackView
    from frontdesk.services.record import CallerRecord, ProcedureOnFile, RegionSessions
    from frontdesk.services.views import AppointmentView
    from frontdesk.ui.backend.door import Backend

LABEL = 7  # the width of the lead words' column
TALL = 40  # rows from which every visit ahead (up to MANY) and every callback is listed
MANY = 4


def visit_text(appt: AppointmentView, width: int) -> str:
    """'Tue 16 Mar 10:00 · Therapeutic facet joint injection · booked · Dr. Avery Able · Test
    Clinic' in the location's zone; where it does not fit, the place comes before the type and
    the provider is left out, so the end that is cut is the visit type's name."""
    start = appt.local_start
    when = f"{start:%a} {start.day} {start:%b %H:%M}"
    kind = appt.visit_type_name.split(" (")[0]
    whole = (f"{when} · {kind} · {appt.status.label} · {appt.provider_name} · "
             f"{appt.location_name}")
    if len(whole) <= width:
        return whole
    return fit(f"{when} · {appt.status.label} · {appt.location_name} · {kind}", width)


def procedure_text(p: ProcedureOnFile, year: int) -> str:
    """'lumbar diagnostic 11 Mar L4-L5 left: 85 % for 3 hours' (or 'no report yet'); the
    year is said when it is not ``year``."""
    where = " ".join(x for x in (p.levels, p.side) if x)
    day = f"{p.day.day} {p.day:%b}" + (f" {p.day.year}" if p.day.year != year else "")
    relief = (f"{p.relief.percent} % for {describe_hours(p.relief.hours)}" if p.relief
              else "no report yet")
    region = p.region.value if p.region else "no region"
    return f"{region} {p.procedure.noun} {day}{' ' + where if where else ''}: {relief}"


def sessions_lines(sessions: tuple[RegionSessions, ...], width: int) -> list[str]:
    """Per region against each payer's caps ('lumbar, 12 months: diagnostic 1/4 · therapeutic
    1/4 · RFA 0/2 · Medicare (Novitas)'); with no payer rules, the sessions on record in
    one line ('lumbar: diagnostic 1, therapeutic 1 · cervical: diagnostic 1'). Where a line
    is wider than ``width``, the payer (named on the caller's line) is left out."""
    lines = []
    plain = []
    for r in sessions:
        region = r.region.value if r.region else "no region"
        for caps in r.caps:
            shown = " · ".join(f"{p.noun} {caps.counts[p]}/{caps.limits[p]}" for p in Procedure)
            whole = f"{region}, {caps.window_months} months: {shown} · {caps.payer}"
            lines.append(whole if len(whole) <= width  # else the payer is on the caller line
                         else f"{region}, {caps.window_months} mo: {shown}")
        if not r.caps:
            kinds = ", ".join(f"{p.noun} {r.counts[p]}" for p in Procedure if r.counts[p])
            plain.append(f"{region}: {kinds}")
    return lines + ([" · ".join(plain)] if plain else [])


def callback_text(c: CallbackView) -> str:
    """'relief report due Thu 11 Mar 10:00, overdue · after Diagnostic facet joint injection,
    cervical, 10 Mar' in the location's zone."""
    zone = ZoneInfo(c.timezone)
    due = c.due_at.astimezone(zone)
    text = f"{c.label.lower()} due {due:%a} {due.day} {due:%b %H:%M}"
    text += ", overdue" if c.overdue else ""
    if c.note and not c.procedure_name:  # a "call back": what it is about
        text += f" · {printable(c.note)}"
    if c.procedure_name and c.procedure_at:
        day = c.procedure_at.astimezone(zone)
        what = ", ".join(x for x in (c.procedure_name.split(" (")[0], c.region) if x)
        text += f" · after {what}, {day.day} {day:%b}"
    return text


def record_lines(record: CallerRecord, *, width: int, year: int,
                 compact: bool) -> list[tuple[str, str]]:
    """(lead word, text) per line, each text cut to ``width``. ``compact`` (a short terminal):
    only the next visit, and several open callbacks in one line."""
    visits = 1 if compact else MANY
    if record.empty:
        return [("Record", "nothing on file: no visits ahead, no procedures, no callbacks")]
    lines: list[tuple[str, str]] = [
        ("Next" if i == 0 else "", visit_text(v, width))
        for i, v in enumerate(record.upcoming[:visits])]
    hidden = len(record.upcoming) - visits
    if hidden > 0:
        lines.append(("", f"+{hidden} more visit{'' if hidden == 1 else 's'} "
                          "(reason 4 lists them)"))
    if not record.upcoming:
        lines.append(("Next", "no visit booked"))
    lines += [("Last", procedure_text(p, year)) for p in record.last_procedures]
    lines += [("Count", line) for line in sessions_lines(record.sessions, width)]
    if compact and len(record.callbacks) > 1:
        first = record.callbacks[0]
        due = first.due_at.astimezone(ZoneInfo(first.timezone))
        late = sum(1 for c in record.callbacks if c.overdue)
        lines.append(("Open", f"{len(record.callbacks)} callbacks, the first due {due:%a} "
                              f"{due.day} {due:%b %H:%M}" + (f"; {late} overdue" if late else "")))
    else:
        lines += [("Open", callback_text(c)) for c in record.callbacks]
    return [(lead, fit(text, width)) for lead, text in lines]


class RecordPanel(Static):
    """The identified caller's record (empty and hidden until one is)."""

    class Loaded(Message):
        """The record of the caller now identified was read."""

        def __init__(self, record: CallerRecord) -> None:
            super().__init__()
            self.record = record

    class Failed(Message):
        """The record could not be read (``error``: why; a merged-away caller says which
        record to use)."""

        def __init__(self, error: BaseException | None) -> None:
            super().__init__()
            self.error = error

    def __init__(self, backend: Backend, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id, markup=False)
        self.backend = backend
        self.record: CallerRecord | None = None
        self.patient_id: int | None = None

    def on_mount(self) -> None:
        self.display = False

    def load(self, patient_id: int, call_id: int | None) -> None:
        """Read the record of ``patient_id`` (the caller just identified in ``call_id``)."""
        self.record, self.patient_id = None, patient_id
        self.display = True
        self.update("Reading the caller's record…")
        self._read(patient_id, call_id)

    @work(thread=True, exclusive=True, group="call-record", exit_on_error=False)
    def _read(self, patient_id: int, call_id: int | None) -> CallerRecord:
        return self.backend.caller_record(patient_id, call_id)

    @on(Worker.StateChanged)
    def _read_done(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "call-record":
            return
        event.stop()
        if event.state == WorkerState.ERROR:
            self.update("Could not read the caller's record: ask the caller as usual.")
            self.post_message(self.Failed(event.worker.error))
            return
        record = event.worker.result
        if event.state != WorkerState.SUCCESS or record is None:
            return
        if record.patient_id != self.patient_id:
            return  # another caller was identified meanwhile
        self.record = record
        self._show()
        self.post_message(self.Loaded(record))

    def on_resize(self) -> None:
        if self.record is not None:
            self._show()

    def _show(self) -> None:
        assert self.record is not None
        width = max(20, (self.size.width or self.app.size.width - 10) - LABEL)
        lines = record_lines(self.record, width=width, year=self.backend.today().year,
                             compact=self.app.size.height < TALL)
        content = Content("\n").join(
            Content.assemble((lead.ljust(LABEL), "bold"), text) for lead, text in lines)
        self.update(content, layout=True)
