"""Who may do what: the four roles form a ladder, and each permission names the lowest rung.

Receptionists book, move, cancel, change a visit's status, add and edit patients, log calls
within the pathway and work the confirmation list; schedulers also edit templates and closures
(and override payer rules with a reason — the roles for that are a setting, ``[callbacks]
override_roles``); managers also see the daily report, its overrides and the audit log, merge
two records of one patient, import the old system's files and export the practice's data (FHIR
files, calendars); admins also manage staff accounts and set up the practice from its file.
Everybody signed in may look at the calendar and open a visit (opening a record is audited, not
forbidden).

Pure: the services look up the person and ask :func:`allowed`; the UI asks the same question to
grey out what the person cannot do, so the screen and the services never disagree.
"""

from __future__ import annotations

from enum import StrEnum

from frontdesk.domain.model import Role

#: Lowest to highest; each role may do everything the roles before it may.
LADDER: tuple[Role, ...] = (Role.RECEPTIONIST, Role.SCHEDULER, Role.MANAGER, Role.ADMIN)


class Permission(StrEnum):
    BOOK = "book"  # book, hold, confirm or release a hold, move a visit
    CANCEL = "cancel"  # cancel a visit
    STATUS = "status"  # confirm, check in, complete, no-show
    PATIENTS = "patients"  # add or edit a patient
    CALLS = "calls"  # log calls, relief reports, callbacks
    SCHEDULE = "schedule"  # working-hours templates, closures, holidays
    OVERRIDE = "override"  # book despite a payer rule, with a reason
    REPORTS = "reports"  # the daily report, its drill-downs and exports
    AUDIT = "audit"  # the audit log
    STAFF = "staff"  # add, disable, reset staff accounts
    BACKUP = "backup"  # copy the whole database (every patient) to a file
    PAYER_MAP = "payer-map"  # give many patients the catalogue plan their payer text names
    EXPORT = "export"  # take patients' data out: FHIR files, a provider's or location's calendar
    IMPORT = "import"  # bring patients and visits over from another system's files
    PRACTICE = "practice"  # set up the practice from its file (practice apply, export)
    PATIENT_MERGE = "patient-merge"  # make two records of one person one
    CONFIRMATIONS = "confirmations"  # work the confirmation list: read it, record each call
    REMINDERS = "reminders"  # re-queue a reminder that failed or may not have gone out


#: The lowest role holding each permission.
LOWEST: dict[Permission, Role] = {
    Permission.BOOK: Role.RECEPTIONIST,
    Permission.CANCEL: Role.RECEPTIONIST,
    Permission.STATUS: Role.RECEPTIONIST,
    Permission.PATIENTS: Role.RECEPTIONIST,
    Permission.CALLS: Role.RECEPTIONIST,
    Permission.SCHEDULE: Role.SCHEDULER,
    Permission.OVERRIDE: Role.SCHEDULER,  # the default: [callbacks] override_roles decides
    Permission.REPORTS: Role.MANAGER,
    Permission.AUDIT: Role.MANAGER,
    Permission.STAFF: Role.ADMIN,
    Permission.BACKUP: Role.ADMIN,
    Permission.PAYER_MAP: Role.MANAGER,
    Permission.EXPORT: Role.MANAGER,
    Permission.IMPORT: Role.MANAGER,
    Permission.PRACTICE: Role.ADMIN,
    Permission.PATIENT_MERGE: Role.MANAGER,
    Permission.CONFIRMATIONS: Role.RECEPTIONIST,
    Permission.REMINDERS: Role.MANAGER,
}

#: What each permission lets a person do, for the refusal message.
DOING: dict[Permission, str] = {
    Permission.BOOK: "booking or moving a visit",
    Permission.CANCEL: "cancelling a visit",
    Permission.STATUS: "changing a visit's status",
    Permission.PATIENTS: "adding or editing a patient",
    Permission.CALLS: "logging calls and callbacks",
    Permission.SCHEDULE: "changing working hours and closures",
    Permission.OVERRIDE: "overriding a payer rule",
    Permission.REPORTS: "seeing the daily report",
    Permission.AUDIT: "seeing the audit log",
    Permission.STAFF: "managing staff accounts",
    Permission.BACKUP: "backing up the database",
    Permission.PAYER_MAP: "mapping patients' payers to the payer list",
    Permission.EXPORT: "exporting patient data",
    Permission.IMPORT: "importing patients and visits from another system",
    Permission.PRACTICE: "setting up the practice from its file",
    Permission.PATIENT_MERGE: "merging two patient records",
    Permission.CONFIRMATIONS: "working the confirmation list",
    Permission.REMINDERS: "re-queueing a reminder",
}


def roles_for(permission: Permission) -> tuple[Role, ...]:
    """The roles holding ``permission``, lowest first."""
    return LADDER[LADDER.index(LOWEST[permission]):]


def allowed(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission``; an unknown role holds nothing."""
    try:
        return Role(role) in roles_for(permission)
    except ValueError:
        return False


def or_list(names: tuple[str, ...] | list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def refusal(permission: Permission, roles: tuple[str, ...] | None = None) -> str:
    """The plain message for a person who lacks ``permission``, e.g. "seeing the daily report
    needs a manager or admin". ``roles`` replaces the ladder's (the override roles setting)."""
    names = list(roles) if roles else [r.value for r in roles_for(permission)]
    article = "an" if names[0][0] in "aeiou" else "a"
    return f"{DOING[permission]} needs {article} {or_list(names)}"
