"""What the receptionist may read aloud to the caller, for each outcome of the pathway.

Kept apart from what staff see (the reasons and verdicts, which may be technical: "positive
block by protocol", a payer's rule). Every sentence here is for the caller, so none of them
interprets a result ("your test was positive"), promises an outcome ("this will stop the
pain") or makes a clinical decision for the caller: they say what is booked next, that it
follows the practice's plan, and that the physician decides the next step. A physician reviews
this list; change it here, in one place.
"""

from __future__ import annotations

THANKS = "Thank you for letting us know how you have been since the procedure."
QUESTIONS_LATER = "If you have medical questions before then, I can pass them to our clinical team."
AT_THE_VISIT = ("The physician goes over it with you at that visit; medical questions before "
                "then go to our clinical team.")

#: A new caller: the new-patient evaluation.
NEW_PATIENT = (
    "I can book you a new-patient evaluation; every new patient starts with one.",
    "At that visit the clinician goes over your pain and the treatment options with you, and "
    "decides the next step with you.",
    QUESTIONS_LATER,
)

#: A known patient with a new problem: a physician follow-up.
NEW_PROBLEM = (
    "I can book you a follow-up visit with the physician about this new pain.",
    "The physician goes over the options with you there and decides the next step.",
    QUESTIONS_LATER,
)

#: A visit the physician ordered.
ORDERED = (
    "I can book the visit your physician ordered.",
    QUESTIONS_LATER,
)

#: An injection report that goes to the physician: no relief, relief below the protocol's
#: threshold, or the protocol and a payer disagree.
REVIEW = (
    THANKS,
    "I'll book a follow-up visit so the physician can go over it with you.",
    "The physician decides the next step.",
)

#: Relief wearing off after several injections: an RFA consult.
WANING = (
    THANKS,
    "I'll book a consult with the physician to talk about radiofrequency ablation and your "
    "other options.",
    "The physician goes over whether it is right for you and decides the next step.",
)

#: A diagnostic block the payer wants repeated before treatment: a second diagnostic block.
SECOND_BLOCK = (
    THANKS,
    "The next step in the practice's plan is a second diagnostic injection at the same "
    "levels, and I can book it now.",
    "After it, please write down again how much relief you notice and how long it lasts; "
    "we'll call you to ask.",
    AT_THE_VISIT,
)

#: A diagnostic block that meets the protocol: a therapeutic injection.
THERAPEUTIC = (
    THANKS,
    "The next step in the practice's plan is a therapeutic facet joint injection at the same "
    "levels, and I can book it now.",
    AT_THE_VISIT,
)

#: A therapeutic injection that helped long enough: a repeat when the caller wants it.
REPEAT_THERAPEUTIC = (
    THANKS,
    "If you would like another therapeutic facet joint injection at the same levels, I can "
    "book it now or when you call back.",
    AT_THE_VISIT,
)

#: An ablation that helped long enough: an RFA consult.
AFTER_RFA = (
    THANKS,
    "I can book a consult with the physician about the ablation, now or when you call back.",
    "The physician decides whether and when to repeat it.",
)

#: Added to any outcome whose booking breaks a payer rule (it needs an override).
CHECK_FIRST = "This booking needs one more check on our side before I can confirm it."

#: Every script, by name: what a physician reviews, and what the tests read.
ALL: dict[str, tuple[str, ...]] = {
    "new patient, new problem": NEW_PATIENT,
    "known patient, new problem": NEW_PROBLEM,
    "ordered visit": ORDERED,
    "report: to the physician (no relief, below threshold, disagreement, partial relief)":
        REVIEW,
    "report: relief wearing off (RFA consult)": WANING,
    "report: second diagnostic block": SECOND_BLOCK,
    "report: therapeutic injection after a block": THERAPEUTIC,
    "report: repeat therapeutic injection": REPEAT_THERAPEUTIC,
    "report: after an ablation (RFA consult)": AFTER_RFA,
    "any booking that needs an override (added)": (CHECK_FIRST,),
}


def waitlist_opening(visit: str, when: str, provider: str, place: str, *, moved: bool) -> str:
    """Offering a waitlisted caller a time that opened: what it is and when, nothing more.
    ``when`` is spoken-style ("Thursday, March 11 at 10:00 AM")."""
    instead = " instead of the time you have now" if moved else ""
    return (f"A time has opened for your {visit.lower()}: {when}, with {provider} at {place}. "
            f"Would you like it{instead}?")
