"""The practice as FHIR R4 resources in Bulk Data NDJSON files, for the system it moves to.

One file per resource type in a folder (``Patient.ndjson``, ``Practitioner.ndjson``,
``PractitionerRole.ndjson``, ``Location.ndjson``, ``Schedule.ndjson``, ``Slot.ndjson``,
``Appointment.ndjson``), one resource per line, and a Bulk Data ``manifest.json`` naming them
with their counts, written last. Every resource is built and checked with the ``fhir.resources``
models of FHIR R4B (4.3, the R4 line the library carries): made from a dict, dumped to JSON and
read back. A resource the models refuse (or a visit in a status this version does not know) is
left out and reported in ``OperationOutcome.ndjson`` (the manifest's ``error``), by type, id
and field, never by value.

Patients and appointments are streamed from one consistent read (``yield_per``), so a database
of 200,000 visits is never held in memory; each file is written to a private temporary file;
the audit event is committed; only then are they moved into place, the manifest last.
``since`` keeps patients and appointments changed at or after that moment (the
Bulk Data ``_since``); practitioners, locations and schedules are always written whole, so the
references of what is written resolve against the same folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from frontdesk import __version__
from frontdesk.domain.model import Interval
from frontdesk.domain.permissions import Permission
from frontdesk.services.access import require
from frontdesk.services.context import Context
from frontdesk.services.errors import InvalidInput
from frontdesk.services.exports.common import (
    audited,
    check_day,
    check_folder,
    identifier_system,
    remove_stale_parts,
    signals_stop,
    snapshot,
    uninterrupted,
)
from frontdesk.services.exports.fhir_resources import (
    Known,
    Refused,
    appointments,
    instant,
    location,
    outcome,
    patients,
    practitioner,
    role,
    schedule,
    slots,
)
from frontdesk.services.files import Staged, make_folders, staged_file

#: The resource types, in the order they are written.
RESOURCE_TYPES = ("Patient", "Practitioner", "PractitionerRole", "Location", "Schedule", "Slot",
                  "Appointment")
MANIFEST = "manifest.json"
ERRORS = "OperationOutcome.ndjson"
#: The files an export writes (and removes when it has nothing for them).
DATA_FILES = (*(f"{t}.ndjson" for t in RESOURCE_TYPES), ERRORS)
OUR_FILES = (*DATA_FILES, MANIFEST)
#: What the manifest's ``extension.generator`` starts with: how a folder is known as ours.
GENERATOR = "frontdesk"
FHIR_VERSION = "4.3.0"  # R4B
#: How many rows a stream reads at a time, and how often progress is told.
PROGRESS_EVERY = 10_000
#: The free/busy slots' default reach from today.
SLOT_DAYS = 28


#: Told now and then while a big file is written: resource type, resources written so far.
Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class FhirExport:
    folder: Path
    manifest: Path
    transaction_time: datetime
    counts: tuple[tuple[str, int], ...]  # every resource type, in RESOURCE_TYPES order
    left_out: int  # resources the models refused (OperationOutcome.ndjson)

    def count(self, resource_type: str) -> int:
        return dict(self.counts).get(resource_type, 0)


def export_fhir(ctx: Context, *, by: str, folder: Path, since: datetime | None = None,
                slot_days: int = SLOT_DAYS, progress: Progress | None = None,
                replace: bool = False) -> FhirExport:
    """Write the practice into ``folder`` (made 0700 when missing) as FHIR Bulk Data files.

    ``folder`` must be new, empty, or hold an earlier frontdesk export (its ``manifest.json``
    says so); ``replace`` writes into any other folder of the person's. ``slot_days``: how far
    ahead the free/busy slots go (0: no Slot file). Every file is written as a private
    temporary file first; the audit event ``export.fhir`` (counts only) is committed; only
    then are the files moved into place, the manifest last. When the audit event cannot be
    written, the temporary files go and the folder is as it was.
    """
    require(ctx, by, Permission.EXPORT)
    if not 0 <= slot_days <= 366:
        raise InvalidInput("slot_days", "give 0 to 366 days")
    if since is not None:
        if since.tzinfo is None:
            raise ValueError("since must be aware")
        check_day("since", since.date())
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise InvalidInput("folder", f"{target} is a file; give a folder")
    with signals_stop():
        check_folder("folder", target)
        try:
            make_folders(target)
        except OSError as exc:
            raise InvalidInput("folder", f"cannot make {target}: "
                                         f"{exc.strerror or type(exc).__name__}") from None
        check_folder("folder", target)  # made meanwhile by someone else
        remove_stale_parts(target, OUR_FILES)
        if not replace:
            _check_ours(target, since)
        for name in OUR_FILES:
            if (target / name).is_dir():
                raise InvalidInput("folder", f"{target} holds a folder named {name}, where the "
                                             f"export writes its file; move it or give "
                                             f"another DIR")
        now = ctx.now()
        writer = _Writer(target, progress)
        try:
            with snapshot(ctx) as session:
                known = Known.load(session, identifier_system(session))
                writer.write("Patient", patients(session, known, since))
                writer.write("Practitioner",
                             (practitioner(p, known) for p in known.providers.values()))
                writer.write("PractitionerRole",
                             (role(p, known) for p in known.providers.values()))
                writer.write("Location",
                             (location(loc, known) for loc in known.locations.values()))
                horizon = Interval(now, now + timedelta(days=slot_days))
                writer.write("Schedule",
                             (schedule(pair, known, horizon) for pair in known.schedules))
                if slot_days:
                    writer.write("Slot", slots(session, known, horizon))
                writer.write("Appointment", appointments(session, known, since, now))
            writer.write_errors()
            manifest = _manifest(now, since, writer)
            with staged_file(target / MANIFEST, field="folder") as (out, staged):
                writer.manifest = staged
                out.write(json.dumps(manifest, indent=2).encode("utf-8") + b"\n")
        except BaseException:
            writer.discard()
            raise
        counts = tuple((t, writer.counts.get(t, 0)) for t in RESOURCE_TYPES)
        audited(ctx, writer.staged, by=by, action="export.fhir", entity="practice",
                entity_id=None, after={
                    "counts": dict(counts), "left_out": writer.left_out,
                    "since": None if since is None else instant(since),
                    "slot_days": slot_days})
        writer.publish()
    return FhirExport(target, target / MANIFEST, now, counts, writer.left_out)


def _check_ours(folder: Path, since: datetime | None) -> None:
    """Refuse (InvalidInput) a folder that holds something, unless it is an earlier frontdesk
    export; and a full export, which an export ``since`` a day would replace with a part."""
    others = sorted(e.name for e in os.scandir(folder))
    if not others:
        return
    manifest = folder / MANIFEST
    earlier = _our_manifest(manifest)
    if earlier is None:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        said = (f"its {MANIFEST} is not a frontdesk export's" if manifest.exists()
                else f"it holds files that are not a frontdesk export ({shown})")
        raise InvalidInput("folder", f"{folder}: {said}; give a new or empty folder, or "
                                     f"--replace to write over them; nothing was written")
    if since is not None and "_since=" not in str(earlier.get("request", "")):
        raise InvalidInput("folder", f"{folder} holds a full export; an export --since a day "
                                     f"would replace it with only what changed: give another "
                                     f"folder, or --replace; nothing was written")


def _our_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path`` when frontdesk wrote it (its ``extension.generator``, the
    field the Bulk Data manifest leaves to the server, starts with ``frontdesk``)."""
    try:
        data = json.loads(path.read_bytes()[:1_000_000])
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    extension = data.get("extension")
    generator = extension.get("generator") if isinstance(extension, dict) else None
    if isinstance(generator, str) and generator.split(" ")[0] == GENERATOR:
        return data
    return None


# --------------------------------------------------------------------------- writing


@dataclass
class _Writer:
    """Writes one NDJSON file per resource type, each resource checked by its model, as
    temporary files that :meth:`publish` moves into place."""

    folder: Path
    progress: Progress | None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    files: list[Staged] = field(default_factory=list)
    manifest: Staged | None = None

    @property
    def left_out(self) -> int:
        return len(self.problems)

    @property
    def staged(self) -> list[Staged]:
        return [*self.files, *([self.manifest] if self.manifest else [])]

    def write(self, resource_type: str, resources: Iterable[dict[str, Any] | Refused]
              ) -> None:
        model = _model(resource_type)
        path = self.folder / f"{resource_type}.ndjson"
        count = 0
        with staged_file(path, field="folder") as (out, staged):
            self.files.append(staged)
            for data in resources:
                if isinstance(data, Refused):
                    self.problems.append(data.outcome)
                    continue
                try:
                    line = _checked(model, _clean(data))
                except Refused as refused:
                    self.problems.append(outcome(resource_type, str(data.get("id")),
                                                  refused.error))
                    continue
                out.write(line)
                count += 1
                if self.progress is not None and count % PROGRESS_EVERY == 0:
                    self.progress(resource_type, count)
        if self.progress is not None and count % PROGRESS_EVERY:
            self.progress(resource_type, count)
        self.counts[resource_type] = count
        if not count:
            self.files.remove(staged)
            staged.discard()

    def write_errors(self) -> None:
        """The refused resources' file, when any was."""
        if not self.problems:
            return
        model = _model("OperationOutcome")
        with staged_file(self.folder / ERRORS, field="folder") as (out, staged):
            self.files.append(staged)
            for problem in self.problems:
                out.write(_checked(model, problem))

    def discard(self) -> None:
        for staged in self.staged:
            staged.discard()

    def publish(self) -> None:
        """Into place: the earlier manifest goes first (until the new one is there, nobody
        takes the folder for a finished export), then the files, then a file of ours not
        written this time (an earlier export's) goes, so the folder holds what the manifest
        names, and the manifest comes last. Signals wait until this is done."""
        written = {s.target.name for s in self.files}
        with uninterrupted():
            try:
                (self.folder / MANIFEST).unlink(missing_ok=True)
                for staged in self.files:
                    staged.publish()
                for name in DATA_FILES:
                    if name not in written:
                        (self.folder / name).unlink(missing_ok=True)
                if self.manifest is not None:
                    self.manifest.publish()
            except BaseException:
                self.discard()
                raise


def _model(resource_type: str) -> Any:
    """The fhir.resources R4B model class of ``resource_type`` (imported when first used)."""
    from importlib import import_module

    module = import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def _checked(model: Any, data: dict[str, Any]) -> bytes:
    """One NDJSON line: the resource made by its model, dumped, and read back by it.

    Only the model refusing the data (pydantic's ``ValidationError``) is :class:`Refused`;
    anything else stops the export. pydantic wraps a Ctrl+C (or a SIGTERM turned into
    SystemExit) that comes while it serialises into a ``PydanticSerializationError``: that is
    raised again as what it was."""
    from pydantic import ValidationError
    from pydantic_core import PydanticSerializationError

    try:
        text: str = model.model_validate(data).model_dump_json()
        model.model_validate_json(text)
    except ValidationError as exc:
        raise Refused(exc) from None
    except PydanticSerializationError as exc:
        said = str(exc)
        if "KeyboardInterrupt" in said:
            raise KeyboardInterrupt from exc
        if "SystemExit" in said:
            raise SystemExit(1) from exc
        raise
    return text.encode("utf-8") + b"\n"


def _clean(value: Any) -> Any:
    """Without empty strings, lists and objects (FHIR allows none) and None; strings trimmed."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_clean(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    if isinstance(value, str):
        return value.strip()
    return value


def _manifest(now: datetime, since: datetime | None, writer: _Writer) -> dict[str, Any]:
    request = "$export?_type=" + ",".join(RESOURCE_TYPES)
    if since is not None:
        request += f"&_since={instant(since)}"
    errors = ([{"type": "OperationOutcome", "url": "OperationOutcome.ndjson",
                "count": writer.left_out}] if writer.left_out else [])
    return {
        "transactionTime": instant(now),
        "request": request,
        "requiresAccessToken": False,
        "output": [{"type": t, "url": f"{t}.ndjson", "count": writer.counts[t]}
                   for t in RESOURCE_TYPES if writer.counts.get(t)],
        "error": errors,
        "extension": {"fhirVersion": FHIR_VERSION, "generator": f"{GENERATOR} {__version__}"},
    }
