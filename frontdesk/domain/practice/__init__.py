"""The practice as a file: read and checked with line numbers, and written back out."""

from frontdesk.domain.practice.hours import Cell, HoursError, Shift, cells, hours_text, parse_hours
from frontdesk.domain.practice.parse import SECTIONS, parse_practice
from frontdesk.domain.practice.values import (
    CALENDARS,
    COLOURS,
    DEFAULT_ZONE,
    HolidaysDecl,
    LocationDecl,
    PracticeFile,
    PracticeInfo,
    Problem,
    ProviderDecl,
    RoomDecl,
    StaffDecl,
    VisitTypeDecl,
)
from frontdesk.domain.practice.write import render

__all__ = [
    "CALENDARS", "COLOURS", "DEFAULT_ZONE", "SECTIONS", "Cell", "HolidaysDecl", "HoursError",
    "LocationDecl", "PracticeFile", "PracticeInfo", "Problem", "ProviderDecl", "RoomDecl", "Shift",
    "StaffDecl", "VisitTypeDecl", "cells", "hours_text", "parse_hours", "parse_practice",
    "render",
]
