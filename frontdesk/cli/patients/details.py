"""``frontdesk patients add``, ``edit`` and ``show``: a patient's details — name, birth date,
phones with text consent, email, address, preferred location, payer and member id, alerts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from frontdesk.cli.errors import InputRejected, PayerRefused
from frontdesk.cli.identity import acting_as
from frontdesk.cli.options import ID, json_option
from frontdesk.cli.output import clean, dumps, emit, table
from frontdesk.cli.parsing import active_location, parse_birth
from frontdesk.cli.runtime import Runtime
from frontdesk.domain.patients import ALERTS

if TYPE_CHECKING:
    from frontdesk.services.context import Context
    from frontdesk.services.views import DuplicateView, PatientView

F = TypeVar("F", bound=Callable[..., Any])
ALERT_CODES = tuple(ALERTS)


def detail_options(f: F) -> F:
    """The details ``add`` and ``edit`` share (beyond name, birth date and phone)."""
    options = [
        click.option("--mobile", metavar="TEXT", help="Mobile phone (empty clears it)."),
        click.option("--sms-consent/--no-sms-consent", default=None,
                     help="Agreed to text messages on the mobile (needs a mobile; a new "
                          "mobile clears it unless given again with it)."),
        click.option("--email", metavar="TEXT", help="Email address (empty clears it)."),
        click.option("--email-consent/--no-email-consent", default=None,
                     help="Agreed to reminders by email (needs an email address; a new "
                          "address clears it unless given again with it)."),
        click.option("--address", metavar="TEXT", help="Street address."),
        click.option("--city", metavar="TEXT"),
        click.option("--state", metavar="XX", help="Two-letter state code, e.g. OK."),
        click.option("--zip", "zip_code", metavar="ZIP", help="74133 or 74133-1234."),
        click.option("--location", metavar="NAME|ID", help="Preferred location."),
        click.option("--payer", metavar="PLAN", help="A plan from `frontdesk payers` (its "
                                                     "key, name or a name people type)."),
        click.option("--member-id", metavar="TEXT", help="The member id on the insurance "
                                                         "card."),
        click.option("--alert", "alerts", multiple=True, type=click.Choice(ALERT_CODES),
                     help="An alert staff must see (repeat for several): interpreter, driver, "
                          "blood-thinners."),
        click.option("--alert-note", metavar="TEXT", help="A short note staff must see."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.command("add")
@click.option("--name", required=True, metavar="TEXT", help="'First Last' or 'Last, First'.")
@click.option("--dob", required=True, metavar="DATE",
              help="Date of birth, e.g. 1970-05-17 or 5/17/1970.")
@click.option("--phone", required=True, metavar="TEXT", help="Phone, e.g. 918-555-0142.")
@detail_options
@click.option("--new", "confirmed_new", is_flag=True,
              help="Not one of the possible duplicates listed: add the patient anyway.")
@acting_as()
@json_option
@click.pass_obj
def patients_add(runtime: Runtime, /, name: str, dob: str, phone: str, staff: str,
                 confirmed_new: bool, zip_code: str | None, **details: Any) -> None:
    """Add a patient. Someone already on file with the same birth date and a similar name, or
    the same phone, is listed first (exit 2, nothing added): add with --new if the caller is
    somebody else."""
    from frontdesk.services import directory
    from frontdesk.services.errors import PossibleDuplicates

    ctx = runtime.context()
    born = parse_birth(dob)
    details["alerts"] = tuple(details["alerts"])
    details["sms_consent"] = bool(details["sms_consent"])
    details["email_consent"] = bool(details["email_consent"])
    if details["location"]:
        details["location"] = str(active_location(ctx, details["location"]).id)
    try:
        patient = directory.add_patient(ctx, staff=staff, name=name, dob=born, phone=phone,
                                        zip=zip_code, confirmed_new=confirmed_new, **details)
    except PossibleDuplicates as exc:
        _show_candidates(runtime, ctx, staff, exc.candidates)
        raise InputRejected("this may be a patient already on file (listed above); nothing "
                            "was added. If the caller is somebody else, add them with --new"
                            ) from None
    emit(runtime, patient,
         f"Added patient {patient.id}: {clean(patient.full_name)}, born {patient.dob}, "
         f"{directory.display_phone(patient.phone)}")


def _show_candidates(runtime: Runtime, ctx: Context, staff: str,
                     found: tuple[DuplicateView, ...]) -> None:
    from frontdesk.services import directory

    directory.record_listed(ctx, staff=staff, command="patients add", rows=len(found))
    if runtime.as_json:
        click.echo(dumps({"error": "possible duplicates", "candidates": list(found)}))
        return
    click.echo("Possible duplicates already on file:\n" + table(
        ["ID", "NAME", "BORN", "PHONE", "WHY"],
        [(d.patient.id, f"{d.patient.last_name}, {d.patient.first_name}",
          d.patient.dob.isoformat(), directory.display_phone(d.patient.phone),
          "; ".join(d.reasons)) for d in found]))


@click.command("edit")
@click.argument("patient_id", type=ID, metavar="ID")
@click.option("--name", metavar="TEXT", help="'First Last' or 'Last, First'.")
@click.option("--dob", metavar="DATE", help="Date of birth, e.g. 1970-05-17 or 5/17/1970.")
@click.option("--phone", metavar="TEXT", help="Phone, e.g. 918-555-0142.")
@detail_options
@click.option("--remove-alert", "removed", multiple=True, type=click.Choice(ALERT_CODES),
              help="Take this alert off the record (repeat for several).")
@click.option("--no-alerts", is_flag=True, help="Take every alert off the record.")
@click.option("--version", "seen", type=click.IntRange(1), metavar="N",
              help="Edit only if the record is still at this version (from `patients show`); "
                   "exit 4 if it changed meanwhile.")
@click.option("--override-reason", metavar="TEXT",
              help="A new payer whose rules a booked procedure breaks: why it stands anyway "
                   "(a scheduler, manager or admin; audited for each visit).")
@acting_as()
@json_option
@click.pass_obj
def patients_edit(runtime: Runtime, /, patient_id: int, staff: str, dob: str | None,
                  zip_code: str | None, removed: tuple[str, ...], no_alerts: bool,
                  seen: int | None, override_reason: str | None, **details: Any) -> None:
    """Change a patient's details: only those given change. --alert adds an alert and
    --remove-alert takes one off (the others stay); --no-alerts takes them all off. Every bad
    detail is reported at once and nothing is written (exit 2). Audited with the names of the
    details changed."""
    from frontdesk.services import directory
    from frontdesk.services.patients.edit import edit_patient

    added: tuple[str, ...] = tuple(details.pop("alerts"))
    if no_alerts and (added or removed):
        raise click.UsageError("--no-alerts cannot go with --alert or --remove-alert")
    if set(added) & set(removed):
        raise click.UsageError("an alert cannot be both added and removed")
    ctx = runtime.context()
    changes: dict[str, Any] = {k: v for k, v in details.items() if v is not None}
    if zip_code is not None:
        changes["zip"] = zip_code
    if dob is not None:
        changes["dob"] = parse_birth(dob)
    if changes.get("location"):
        changes["location"] = str(active_location(ctx, changes["location"]).id)
    if not changes and not (added or removed or no_alerts):
        raise click.UsageError("give at least one detail to change (see --help)")
    before = directory.get_patient(ctx, patient_id)
    if added or removed or no_alerts:
        # against the version read, so that an alert set meanwhile is not lost (exit 4)
        kept = () if no_alerts else tuple(a for a in before.alerts if a not in removed)
        changes["alerts"] = kept + tuple(a for a in added if a not in kept)
        seen = seen or before.version
    with broken_plan():
        patient = edit_patient(ctx, staff=staff, patient_id=patient_id, version=seen,
                               override_reason=override_reason, **changes)
    text = f"Patient {patient.id}: {changed_words(ctx, before, patient)}"
    if "alerts" in changes:
        text += f"\nAlerts: {alerts_list(before.alerts)} → {alerts_list(patient.alerts)}"
    emit(runtime, patient, text + overridden_line(patient.overridden_visits))


def overridden_line(visits: tuple[int, ...]) -> str:
    """'\nPayer rules overridden for visit(s) 12, 15: reason recorded' or ''."""
    if not visits:
        return ""
    return (f"\nPayer rules overridden for visit(s) {', '.join(str(v) for v in visits)}: "
            "reason recorded")


@contextmanager
def broken_plan() -> Iterator[None]:
    """A change refused because a booked procedure breaks the payer rules: the visits and
    rules that break, and who may sign for them (exit 6, as other payer refusals)."""
    from frontdesk.services.payers import BrokenPlan

    try:
        yield
    except BrokenPlan as exc:
        lines = ["nothing was written: booked procedure(s) break the payer rules:"]
        lines += [f"  visit {clean(str(v.appointment_id))} ({clean(v.visit_type)}): "
                  + clean("; ".join(v.texts) or ", ".join(v.rules)) for v in exc.visits]
        if exc.may_override:
            lines.append("  give --override-reason TEXT (a scheduler, manager or admin) to "
                         "make the change anyway")
        else:
            lines.append("  you may not override payer rules: ask a scheduler, manager or "
                         "admin to make the change with --override-reason TEXT")
        raise PayerRefused("\n".join(lines)) from None


def alerts_list(codes: tuple[str, ...]) -> str:
    """"interpreter, driver" or "none"."""
    return ", ".join(codes) if codes else "none"


def changed_words(ctx: Context, before: PatientView, after: PatientView) -> str:
    """"payer Aetna, member id updated", "phone, email updated" or "nothing changed"."""
    from frontdesk.services import payers

    names = {"first_name": "name", "last_name": "name", "dob": "birth date",
             "phone": "phone", "mobile": "mobile", "sms_consent": "text consent",
             "email": "email", "email_consent": "email consent", "address": "address",
             "city": "city", "state": "state",
             "zip": "ZIP", "preferred_location_id": "location", "member_id": "member id",
             "alerts": "alerts", "alert_note": "alert note"}
    changed = list(dict.fromkeys(label for attr, label in names.items()
                                 if getattr(before, attr) != getattr(after, attr)))
    parts = []
    if before.payer_key != after.payer_key or before.payer != after.payer:
        parts.append(f"payer {payers.payer_label(ctx, after)}")
    if changed:
        parts.append(", ".join(changed) + " updated")
    return ", ".join(parts) if parts else "nothing changed"


@click.command("show")
@click.argument("patient_id", type=ID, metavar="ID")
@acting_as()
@json_option
@click.pass_obj
def patients_show(runtime: Runtime, patient_id: int, staff: str) -> None:
    """Every detail of a patient, with the version to edit against. Audited as an opening of
    the record."""
    from frontdesk.services.patients.lookup import open_patient

    ctx = runtime.context()
    patient = open_patient(ctx, by=staff, patient_id=patient_id, view="patients show")
    emit(runtime, patient, "\n".join(f"{label:<10}{clean(value)}".rstrip()
                                     for label, value in detail_lines(ctx, patient)))


def detail_lines(ctx: Context, p: PatientView) -> list[tuple[str, str]]:
    from frontdesk.domain.patients import alert_words
    from frontdesk.services import directory, payers

    places = {loc.id: loc.name for loc in directory.locations(ctx)}
    mobile = directory.display_phone(p.mobile) if p.mobile else "—"
    if p.mobile:
        mobile += " · texts: " + ("yes" if p.sms_consent else "no")
    where = ", ".join(x for x in (p.address, p.city, " ".join(
        x for x in (p.state, p.zip) if x)) if x)
    payer = payers.payer_label(ctx, p) + (f" · member id {p.member_id}" if p.member_id else "")
    alerts = alert_words(p.alerts, p.alert_note)
    return [("Patient", f"{p.id} · version {p.version}"), ("Name", p.full_name),
            ("Born", p.dob.isoformat()), ("Phone", directory.display_phone(p.phone)),
            ("Mobile", mobile),
            ("Email", (p.email + " · reminders: " + ("yes" if p.email_consent else "no"))
             if p.email else "—"), ("Address", where or "—"),
            ("Location", places.get(p.preferred_location_id or 0, "—")),
            ("Payer", payer), ("Alerts", ("⚠ " + " · ".join(alerts)) if alerts else "none")]
