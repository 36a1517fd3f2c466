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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from frontdesk import __version__
from frontdesk.db import queries as q
from frontdesk.db.models import (
    Appointment,
    Location,
    Patient,
    Provider,
    ProviderVisitType,
    Template,
    VisitType,
)
from frontdesk.domain.availability import expand_template
from frontdesk.domain.freebusy import free_busy
from frontdesk.domain.model import Interval, ProviderKind, Status
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
    system,
    uninterrupted,
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
VISIT_TYPES = "urn:frontdesk:visit-type"
PROVIDER_KINDS = "urn:frontdesk:provider-kind"
TIMEZONE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/timezone"
#: How many rows a stream reads at a time, and how often progress is told.
STREAM_ROWS = 1000
PROGRESS_EVERY = 10_000
#: The free/busy slots' default reach from today.
SLOT_DAYS = 28

APPOINTMENT_STATUS: dict[Status, str] = {
    Status.HELD: "pending",
    Status.BOOKED: "booked",
    Status.CONFIRMED: "booked",
    Status.CHECKED_IN: "checked-in",
    Status.COMPLETED: "fulfilled",
    Status.CANCELLED: "cancelled",
    Status.NO_SHOW: "noshow",
    Status.EXPIRED: "cancelled",
}
KIND_LABELS = {ProviderKind.PHYSICIAN: "Physician", ProviderKind.APP: "Advanced practice provider",
               ProviderKind.THERAPIST: "Therapist"}

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
                known = _Known.load(session, identifier_system(session))
                writer.write("Patient", _patients(session, known, since))
                writer.write("Practitioner",
                             (_practitioner(p, known) for p in known.providers.values()))
                writer.write("PractitionerRole",
                             (_role(p, known) for p in known.providers.values()))
                writer.write("Location",
                             (_location(loc, known) for loc in known.locations.values()))
                horizon = Interval(now, now + timedelta(days=slot_days))
                writer.write("Schedule",
                             (_schedule(pair, known, horizon) for pair in known.schedules))
                if slot_days:
                    writer.write("Slot", _slots(session, known, horizon))
                writer.write("Appointment", _appointments(session, known, since, now))
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
                    "since": None if since is None else _instant(since),
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

    def write(self, resource_type: str, resources: Iterable[dict[str, Any] | _Refused]
              ) -> None:
        model = _model(resource_type)
        path = self.folder / f"{resource_type}.ndjson"
        count = 0
        with staged_file(path, field="folder") as (out, staged):
            self.files.append(staged)
            for data in resources:
                if isinstance(data, _Refused):
                    self.problems.append(data.outcome)
                    continue
                try:
                    line = _checked(model, _clean(data))
                except _Refused as refused:
                    self.problems.append(_outcome(resource_type, str(data.get("id")),
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


class _Refused(Exception):
    """A resource its model refuses (``error``: the model's ValidationError), or one that
    cannot be mapped at all (``outcome``: the OperationOutcome that says why)."""

    def __init__(self, error: Exception | None = None,
                 outcome: dict[str, Any] | None = None) -> None:
        super().__init__("refused")
        self.error = error
        self.outcome = outcome or {}


def _model(resource_type: str) -> Any:
    """The fhir.resources R4B model class of ``resource_type`` (imported when first used)."""
    from importlib import import_module

    module = import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def _checked(model: Any, data: dict[str, Any]) -> bytes:
    """One NDJSON line: the resource made by its model, dumped, and read back by it.

    Only the model refusing the data (pydantic's ``ValidationError``) is :class:`_Refused`;
    anything else stops the export. pydantic wraps a Ctrl+C (or a SIGTERM turned into
    SystemExit) that comes while it serialises into a ``PydanticSerializationError``: that is
    raised again as what it was."""
    from pydantic import ValidationError
    from pydantic_core import PydanticSerializationError

    try:
        text: str = model.model_validate(data).model_dump_json()
        model.model_validate_json(text)
    except ValidationError as exc:
        raise _Refused(exc) from None
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


def _outcome(resource_type: str, resource_id: str, exc: Exception | None,
             why: str = "") -> dict[str, Any]:
    """Why a resource was left out: the fields and the kind of each problem, never a value
    (the value may be a patient's detail)."""
    errors = getattr(exc, "errors", None)
    where: list[str] = []
    if callable(errors):
        for error in errors(include_input=False, include_url=False):
            path = ".".join(str(p) for p in error.get("loc", ()))
            where.append(f"{path or resource_type}: {error.get('type', 'invalid')}")
    return {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error", "code": "invalid",
        "diagnostics": f"{resource_type}/{resource_id} left out: "
                       + ("; ".join(where[:5]) or why or "not valid"),
    }]}


def _manifest(now: datetime, since: datetime | None, writer: _Writer) -> dict[str, Any]:
    request = "$export?_type=" + ",".join(RESOURCE_TYPES)
    if since is not None:
        request += f"&_since={_instant(since)}"
    errors = ([{"type": "OperationOutcome", "url": "OperationOutcome.ndjson",
                "count": writer.left_out}] if writer.left_out else [])
    return {
        "transactionTime": _instant(now),
        "request": request,
        "requiresAccessToken": False,
        "output": [{"type": t, "url": f"{t}.ndjson", "count": writer.counts[t]}
                   for t in RESOURCE_TYPES if writer.counts.get(t)],
        "error": errors,
        "extension": {"fhirVersion": FHIR_VERSION, "generator": f"{GENERATOR} {__version__}"},
    }


def _instant(moment: datetime) -> str:
    """A FHIR instant in UTC: 2027-03-12T15:00:00Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --------------------------------------------------------------------------- what is known


@dataclass(frozen=True)
class _Known:
    """The small tables, read once: every resource refers to them."""

    base: str
    providers: dict[int, Provider]
    locations: dict[int, Location]
    visit_types: dict[int, VisitType]
    performs: dict[int, list[int]]  # provider id → visit type ids
    templates: dict[tuple[int, int], list[Template]]  # (provider, location) → its hours
    replaces: dict[int, list[int]]  # patient id → the records merged into it

    @property
    def schedules(self) -> list[tuple[int, int]]:
        return sorted(self.templates)

    @classmethod
    def load(cls, session: Session, base: str) -> _Known:
        performs: dict[int, list[int]] = defaultdict(list)
        for row in session.exec(select(ProviderVisitType)).all():
            performs[row.provider_id].append(row.visit_type_id)
        templates: dict[tuple[int, int], list[Template]] = defaultdict(list)
        for t in session.exec(select(Template).order_by(col(Template.id))).all():
            templates[(t.provider_id, t.location_id)].append(t)
        replaces: dict[int, list[int]] = defaultdict(list)
        merged = select(Patient.id, Patient.merged_into_id).where(
            col(Patient.merged_into_id).is_not(None))
        for old, new in session.exec(merged).all():
            replaces[int(new or 0)].append(int(old or 0))
        return cls(
            base=base,
            providers={p.id or 0: p for p in session.exec(select(Provider).order_by(
                col(Provider.id))).all()},
            locations={loc.id or 0: loc for loc in session.exec(select(Location).order_by(
                col(Location.id))).all()},
            visit_types={v.id or 0: v for v in session.exec(select(VisitType)).all()},
            performs=dict(performs), templates=dict(templates), replaces=dict(replaces),
        )

    def identifier(self, kind: str, value: int | str) -> dict[str, Any]:
        return {"use": "usual", "system": system(self.base, kind), "value": str(value)}

    def visit_type(self, visit_type_id: int) -> dict[str, Any]:
        vt = self.visit_types.get(visit_type_id)
        if vt is None:
            return {"text": "visit"}
        return {"coding": [{"system": VISIT_TYPES, "code": vt.code, "display": vt.name}],
                "text": vt.name}


def _ref(resource_type: str, resource_id: int | str, display: str = "") -> dict[str, Any]:
    return {"reference": f"{resource_type}/{resource_id}", "display": display}


# --------------------------------------------------------------------------- patients


def _patients(session: Session, known: _Known, since: datetime | None
              ) -> Iterator[dict[str, Any]]:
    query = select(Patient).order_by(col(Patient.id))
    if since is not None:
        query = query.where(func.coalesce(col(Patient.updated_at), col(Patient.created_at))
                            >= since)
    for row in session.exec(query.execution_options(yield_per=STREAM_ROWS)):
        yield _patient(row, known)
        session.expunge(row)


def _patient(p: Patient, known: _Known) -> dict[str, Any]:
    identifiers = [known.identifier("patient", p.id or 0)]
    if p.external_id:
        identifiers.append({"use": "old", "system": system(known.base, "old-system-patient"),
                            "value": p.external_id})
    telecom: list[dict[str, Any]] = []
    # the phone is the patient's main number, of no known kind (home, work or a mobile):
    # no ``use``; the mobile, when there is one, says ``mobile``
    if p.phone and p.phone != p.mobile:
        telecom.append({"system": "phone", "value": p.phone, "rank": 1})
    if p.mobile:
        telecom.append({"system": "phone", "value": p.mobile, "use": "mobile",
                        "rank": 1 if p.mobile == p.phone else 2})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    address = ([{"use": "home", "type": "both", "line": p.address.splitlines(),
                 "city": p.city, "state": p.state, "postalCode": p.zip}]
               if p.address or p.city or p.state or p.zip else [])
    links = [{"other": _ref("Patient", p.merged_into_id), "type": "replaced-by"}
             ] if p.merged_into_id else []
    links += [{"other": _ref("Patient", old), "type": "replaces"}
              for old in known.replaces.get(p.id or 0, ())]
    return {
        "resourceType": "Patient", "id": str(p.id),
        "meta": {"lastUpdated": _instant(p.updated_at or p.created_at)},
        "identifier": identifiers,
        "active": p.merged_into_id is None,
        "name": [{"use": "official", "family": p.last_name, "given": [p.first_name]}],
        "telecom": telecom,
        "birthDate": p.dob.isoformat(),
        "address": address,
        "link": links,
    }


# --------------------------------------------------------------------------- the practice


def _human_name(name: str) -> dict[str, Any]:
    """"Dr. Avery Able" → prefix Dr., given Avery, family Able; "Pat Baker, PA-C" keeps PA-C
    as a suffix. The name as written stays in ``text``."""
    main, _, suffix = name.partition(",")
    words = main.split()
    prefix = [words.pop(0)] if len(words) > 1 and words[0].rstrip(".").lower() in (
        "dr", "mr", "mrs", "ms", "mx") else []
    return {"use": "official", "text": name, "family": words[-1] if words else "",
            "given": words[:-1], "prefix": prefix, "suffix": [suffix] if suffix.strip() else []}


def _practitioner(p: Provider, known: _Known) -> dict[str, Any]:
    credentials = [c.strip() for c in p.credentials.replace("/", ",").split(",") if c.strip()]
    return {
        "resourceType": "Practitioner", "id": str(p.id),
        "identifier": [known.identifier("practitioner", p.id or 0)],
        "active": p.active,
        "name": [_human_name(p.name)],
        "qualification": [{"code": {"text": c}} for c in credentials],
    }


def _role(p: Provider, known: _Known) -> dict[str, Any]:
    """What the provider is (their kind) and where they work (the locations of their hours);
    the visit types they perform are their schedules' service types."""
    label = next((KIND_LABELS[k] for k in ProviderKind if k.value == p.kind), p.kind)
    where = sorted({loc for (provider, loc) in known.templates if provider == p.id})
    return {
        "resourceType": "PractitionerRole", "id": str(p.id),
        "active": p.active,
        "practitioner": _ref("Practitioner", p.id or 0, p.name),
        "code": [{"coding": [{"system": PROVIDER_KINDS, "code": p.kind,
                              "display": label}]}],
        "location": [_ref("Location", loc, known.locations[loc].name) for loc in where
                     if loc in known.locations],
    }


def _location(loc: Location, known: _Known) -> dict[str, Any]:
    return {
        "resourceType": "Location", "id": str(loc.id),
        "extension": [{"url": TIMEZONE_EXTENSION, "valueCode": loc.timezone}],
        "identifier": [known.identifier("location", loc.id or 0)],
        "status": "active" if loc.active else "inactive",
        "name": loc.name,
        "mode": "instance",
        "telecom": [{"system": "phone", "value": loc.phone, "use": "work"}],
        "address": {"use": "work", "type": "physical", "text": loc.address,
                    "postalCode": loc.zip},
    }


def _schedule(pair: tuple[int, int], known: _Known, horizon: Interval) -> dict[str, Any]:
    provider_id, location_id = pair
    provider = known.providers.get(provider_id)
    location = known.locations.get(location_id)
    today = horizon.start.date()
    current = [t for t in known.templates[pair] if t.valid_until is None or t.valid_until >= today]
    hours = "; ".join(
        f"{t.rrule} {t.start_time:%H:%M}-{t.end_time:%H:%M} {t.timezone} from {t.valid_from}"
        + (f" until {t.valid_until}" if t.valid_until else "") for t in current)
    return {
        "resourceType": "Schedule", "id": f"{provider_id}-{location_id}",
        "active": bool(current) and (provider is None or provider.active)
                  and (location is None or location.active),
        "serviceType": [known.visit_type(v)
                        for v in sorted(known.performs.get(provider_id, ()))],
        "actor": [_ref("Practitioner", provider_id, provider.name if provider else ""),
                  _ref("Location", location_id, location.name if location else "")],
        "planningHorizon": {"start": _instant(horizon.start), "end": _instant(horizon.end)},
        "comment": f"Weekly hours (RFC 5545 rules, local time): {hours}" if hours else
                   "No current weekly hours",
    }


def _slots(session: Session, known: _Known, horizon: Interval) -> Iterator[dict[str, Any]]:
    """Free and busy time of each schedule over the horizon (see domain/freebusy.py)."""
    if horizon.end <= horizon.start:
        return
    closures = q.closures_between(session, horizon.start, horizon.end)
    busy: dict[int, list[Interval]] = defaultdict(list)
    for taken in q.busy_between(session, start=horizon.start, end=horizon.end,
                                now=horizon.start, provider_ids=list(known.providers),
                                room_ids=[]):
        busy[taken.provider_id].append(Interval(taken.start, taken.end))
    specs = {t.id: t for t in q.templates_for(session, list(known.providers))}
    for provider_id, location_id in known.schedules:
        work = [span for t in known.templates[(provider_id, location_id)] if t.id in specs
                for span in expand_template(specs[t.id or 0], horizon)]
        closed = [Interval(c.start, c.end) for c in closures
                  if c.provider_id in (None, provider_id)
                  and c.location_id in (None, location_id)]
        for span, status in free_busy(work, window=horizon, closed=closed,
                                      busy=busy.get(provider_id, [])):
            schedule = f"{provider_id}-{location_id}"
            yield {
                "resourceType": "Slot", "id": f"{schedule}-{span.start:%Y%m%d%H%M}",
                "schedule": _ref("Schedule", schedule),
                "status": status.value,
                "start": _instant(span.start), "end": _instant(span.end),
            }


# --------------------------------------------------------------------------- appointments


def _appointments(session: Session, known: _Known, since: datetime | None, now: datetime
                  ) -> Iterator[dict[str, Any] | _Refused]:
    query = select(Appointment).order_by(col(Appointment.id))
    if since is not None:
        query = query.where(col(Appointment.updated_at) >= since)
    known_statuses = {s.value for s in Status}
    for row in session.exec(query.execution_options(yield_per=STREAM_ROWS)):
        if row.status in known_statuses:
            yield _appointment(row, known, now)
        else:  # a status this version does not know (a newer one's, a hand edit)
            yield _Refused(outcome=_outcome("Appointment", str(row.id), None,
                                            "status: not a status frontdesk knows"))
        session.expunge(row)


def _appointment(a: Appointment, known: _Known, now: datetime) -> dict[str, Any]:
    status = Status(a.status)
    lapsed = status is Status.HELD and a.hold_expires_at is not None and a.hold_expires_at <= now
    fhir_status = "cancelled" if lapsed else APPOINTMENT_STATUS[status]
    vt = known.visit_types.get(a.visit_type_id)
    provider = known.providers.get(a.provider_id)
    location = known.locations.get(a.location_id)
    reason = (a.cancel_reason or "cancelled") if status is Status.CANCELLED else (
        "hold expired" if lapsed or status is Status.EXPIRED else "")
    details = " ".join(x for x in (a.region, a.levels, a.side) if x)
    identifiers = [known.identifier("appointment", a.id or 0)]
    if a.external_id:
        identifiers.append({"use": "old", "system": system(known.base, "old-system-appointment"),
                            "value": a.external_id})
    # who takes part, and how: a hold waits for the patient (and the time is only
    # tentatively the provider's and the room's); a no-show is the patient's not coming
    patient_status, others = {
        "pending": ("needs-action", "tentative"),
        "cancelled": ("declined", "declined"),
        "noshow": ("declined", "accepted"),
    }.get(fhir_status, ("accepted", "accepted"))
    return {
        "resourceType": "Appointment", "id": str(a.id),
        "meta": {"lastUpdated": _instant(a.updated_at)},
        "identifier": identifiers,
        "status": fhir_status,
        "cancelationReason": {"text": reason} if fhir_status == "cancelled" else None,
        "serviceType": [known.visit_type(a.visit_type_id)],
        "appointmentType": known.visit_type(a.visit_type_id),
        "description": (f"{vt.name if vt else 'Visit'}: {details}" if details
                        else vt.name if vt else "Visit"),
        "start": _instant(a.starts_at),
        "end": _instant(a.ends_at),
        "minutesDuration": max(1, round((a.ends_at - a.starts_at).total_seconds() / 60)),
        "created": _instant(a.booked_at),
        "comment": a.attention,
        "participant": [
            {"actor": _ref("Patient", a.patient_id), "required": "required",
             "status": patient_status},
            {"actor": _ref("Practitioner", a.provider_id, provider.name if provider else ""),
             "required": "required", "status": others},
            {"actor": _ref("Location", a.location_id, location.name if location else ""),
             "required": "required", "status": others},
        ],
    }
