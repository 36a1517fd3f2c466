"""The pathway's words on the call screen: what the caller has said so far in one line, and
the advice — the visit to book, what staff may read aloud, and (apart) the staff-only reasons,
verdicts, counts and override."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from frontdesk.domain.pathway import Procedure, describe_hours

if TYPE_CHECKING:
    from frontdesk.ui.backend.door import Advice

SAY_HEADING = "Say to the caller:"
STAFF_HEADING = "For staff only, not to read aloud:"


def stored(value: Any) -> Any:
    """An answer as the draft's JSON keeps it."""
    return value.value if hasattr(value, "value") else value


def answered_line(answers: dict[str, Any], names: dict[str, str]) -> str:
    """'Diagnostic · lumbar L4-L5 both sides · 85 % for 3 hours · 1 so far' — what was said."""
    parts: list[str] = []
    if "pain_area" in answers:
        parts.append(f"{answers['pain_area']} pain")
    if "pain_kind" in answers:
        parts.append({"muscle": "muscle pain", "spine": "arthritis or facet",
                      "unsure": "kind not sure"}.get(answers["pain_kind"], ""))
    if "ordered" in answers:
        parts.append(f"ordered: {names.get(answers['ordered'], answers['ordered'])}")
    if "procedure" in answers:
        with contextlib.suppress(ValueError):
            parts.append(Procedure(answers["procedure"]).noun + " injection")
    where = " ".join(str(answers[k]) for k in ("region", "levels") if k in answers)
    if "side" in answers:
        where += f" {'both sides' if answers['side'] == 'bilateral' else answers['side']}"
    if where.strip():
        parts.append(where.strip())
    if "percent_relief" in answers:
        relief = f"{answers['percent_relief']} % relief"
        if "hours_lasted" in answers:
            relief += f" for {describe_hours(float(answers['hours_lasted']))}"
        parts.append(relief)
    if "scale_before" in answers and "scale_after" in answers:
        parts.append(f"pain {answers['scale_before']}→{answers['scale_after']}"
                     + (" (other scales)" if answers.get("same_scale") is False else ""))
    if "injections_so_far" in answers:
        parts.append(f"{answers['injections_so_far']} so far")
    if answers.get("wearing_off") is True:
        parts.append("wearing off")
    return " · ".join(p for p in parts if p)


def advice_text(advice: Advice, names: dict[str, str]) -> str:
    """The recommendation in plain words, for the panel: the visit to book, then what staff
    may read aloud to the caller, then — under its own heading — what is for staff only (the
    reasons, each side's verdict, counts and any override)."""
    rec = advice.recommendation
    if not rec.visit_types:
        return ""
    first, *others = rec.visit_types
    lines = [f"Book: {names.get(first, first)}"]
    if others:
        lines.append("  or: " + ", ".join(names.get(v, v) for v in others))
    if rec.say:
        lines.append(SAY_HEADING)
        lines += [f"  \u201c{sentence}\u201d" for sentence in rec.say]
    lines.append(STAFF_HEADING)
    lines += [f"  • {reason}" for reason in rec.reasons]
    verdicts = [v for v in (rec.practice, *rec.payers) if v is not None]
    for v in verdicts:
        mark = {True: "✓", False: "✗", None: "·"}[v.qualifies]
        lines.append(f"{mark} {v.who}: {v.summary}")
    if rec.disagree:
        lines.append("⚠ The practice and the payer disagree: the physician reviews it.")
    for counts in advice.counts:
        shown = " · ".join(f"{p.noun} {counts.counts[p]}/{counts.limits[p]}" for p in Procedure)
        lines.append(f"{counts.region.value.title()} spine, last 12 months "
                     f"({counts.payer}): {shown}")
    for check in rec.checks:
        for note in check.notes:
            lines.append(f"  {check.payer} {note}.")
    if rec.override:
        earliest = [c.earliest for c in rec.checks if c.earliest is not None]
        lines.append("⚠ " + rec.override
                     + (f". Allowed without override from {min(earliest):%a %d %b %Y}."
                        if earliest else "."))
    return "\n".join(lines)
