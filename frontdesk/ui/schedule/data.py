"""The schedule editor's route to the services. Like ``ui/backend``, imported only inside
workers, so opening the app never waits for SQLAlchemy. Every failure comes back as a plain
``Refused``; no exception leaves these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from frontdesk.services import directory, schedule_admin
from frontdesk.services.errors import Busy, FrontDeskError, InvalidInput, first_line
from frontdesk.services.schedule_admin import ClosureRow, TemplateRow, WouldStrand
from frontdesk.services.views import LocationView, ProviderView
from frontdesk.ui.backend.door import Backend
from frontdesk.ui.schedule.text import (
    ClosureDraft,
    Done,
    Outcome,
    Refused,
    Stranding,
    TemplateDraft,
    form_field,
    stranded_note,
)

#: How far ahead the editor lists closures.
CLOSURES_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class EditorData:
    """One provider's week and the closures that concern them, with the directory around it."""

    providers: tuple[ProviderView, ...]
    locations: tuple[LocationView, ...]
    provider_id: int | None
    rows: tuple[TemplateRow, ...]
    closures: tuple[ClosureRow, ...]

    @property
    def provider_name(self) -> str:
        return next((p.name for p in self.providers if p.id == self.provider_id), "")


def load(backend: Backend, provider_id: int | None) -> EditorData:
    """``provider_id`` None or gone: the first active provider."""
    ctx = backend.ctx
    providers = tuple(directory.providers(ctx))
    locations = tuple(directory.locations(ctx))
    ids = [p.id for p in providers]
    chosen = provider_id if provider_id in ids else (ids[0] if ids else None)
    if chosen is None:
        return EditorData(providers, locations, None, (), ())
    now = ctx.now()
    rows = tuple(schedule_admin.provider_week(ctx, chosen))
    closures = tuple(schedule_admin.closures_between(
        ctx, start=now, end=now + CLOSURES_AHEAD, provider_id=chosen))
    return EditorData(providers, locations, chosen, rows, closures)


def save_template(backend: Backend, provider_id: int, draft: TemplateDraft,
                  confirm: bool) -> Outcome:
    def act(staff: str) -> Outcome:
        saved = schedule_admin.save_template(
            backend.ctx, staff=staff, provider_id=provider_id, template_id=draft.template_id,
            weekdays=draft.weekdays, start_time=draft.start_time, end_time=draft.end_time,
            location_id=draft.location_id, valid_from=draft.valid_from,
            valid_until=draft.valid_until, confirm_stranded=confirm)
        row = saved.row
        what = "Added" if draft.template_id is None else "Saved"
        return Done(f"{what} {row.days_text} {row.hours_text} at {row.location_name}."
                    + stranded_note(saved.stranded))

    return _guard(backend, act)


def remove_template(backend: Backend, template_id: int, confirm: bool) -> Outcome:
    def act(staff: str) -> Outcome:
        saved = schedule_admin.remove_template(backend.ctx, staff=staff,
                                               template_id=template_id, confirm_stranded=confirm)
        row = saved.row
        return Done(f"Removed {row.days_text} {row.hours_text} at {row.location_name}."
                    + stranded_note(saved.stranded))

    return _guard(backend, act)


def add_closure(backend: Backend, draft: ClosureDraft, confirm: bool) -> Outcome:
    def act(staff: str) -> Outcome:
        saved = schedule_admin.add_closure(
            backend.ctx, staff=staff, kind=draft.kind, start=draft.start, end=draft.end,
            reason=draft.reason, provider_id=draft.provider_id, location_id=draft.location_id,
            confirm_stranded=confirm)
        return Done(f"Added closure: {saved.row.reason} ({saved.row.scope})."
                    + stranded_note(saved.stranded))

    return _guard(backend, act)


def remove_closure(backend: Backend, closure_id: int) -> Outcome:
    def act(staff: str) -> Outcome:
        gone = schedule_admin.remove_closure(backend.ctx, staff=staff, closure_id=closure_id)
        return Done(f"Removed closure: {gone.reason} ({gone.scope}).")

    return _guard(backend, act)


def _guard(backend: Backend, act: Callable[[str], Outcome]) -> Outcome:
    """Run ``act`` as the backend's staff member; every failure becomes a plain Refused."""
    if backend.staff is None:
        return Refused("", "Nobody to act as: add an active receptionist or scheduler first.")
    try:
        return act(backend.staff)
    except WouldStrand as exc:
        return Stranding(exc.appointments)
    except InvalidInput as exc:
        return Refused(form_field(exc.field), _sentence(exc.message))
    except Busy:
        return Refused("", "The database is busy; nothing was saved. Try again.")
    except FrontDeskError as exc:
        return Refused("", _sentence(str(exc)))
    except Exception as exc:  # a plain message, never a traceback
        return Refused("", f"Could not save ({first_line(exc)}); nothing was saved.")


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
