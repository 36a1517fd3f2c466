"""The practice as a file: apply it (plan, then one transaction) and export it."""

from frontdesk.services.practice.apply import (
    Outcome,
    PracticeFileError,
    RetireRefused,
    apply_practice,
    read_file,
)
from frontdesk.services.practice.export import export_practice, write_export
from frontdesk.services.practice.plan import Change

__all__ = ["Change", "Outcome", "PracticeFileError", "RetireRefused", "apply_practice",
           "export_practice", "read_file", "write_export"]
