"""Taking the practice's data out in the field's standards: FHIR R4 Bulk Data NDJSON files
(``fhir``) and a provider's or location's calendar as iCalendar (``ics``).

Both are a manager's or admin's (``Permission.EXPORT``), write owner-only files atomically and
leave one audit event with counts only. The libraries they build with (``fhir.resources``,
``icalendar``) are imported inside the functions that use them: importing this package, or the
command line, stays cheap. Import the module you need: ``from frontdesk.services.exports import
fhir``.
"""
