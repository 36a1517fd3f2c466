"""The booking pathway: from what the caller reports to the visit the protocol says to book.

Pure: it takes the answers given on the phone, the patient's procedure and relief history and
the configured practice and payer rules, and returns the recommended visit type(s), the reasons
in plain words, the practice verdict beside each payer's, whether they disagree, and what
override booking would need. It never gives medical advice: where the rules cannot decide, it
routes to the physician.

Two questions are answered here:

- :func:`recommend` — which visit to book after this call, and what is still to be asked
  (:attr:`Recommendation.questions`, in the order the screen should ask them);
- :func:`payer_check` — whether one concrete procedure on one day passes a payer's rules
  (sessions per region in a rolling window, levels per session, the blocks it needs first), and
  if not, the earliest day it would.

Every threshold lives in :class:`PathwayRules` and :class:`PayerRules`, which come from the
practice's settings.

Two kinds of words: :attr:`Recommendation.reasons` and the verdicts are for staff (they may be
technical); :attr:`Recommendation.say` is what staff may read aloud to the caller, taken from
``script``, which never interprets a result, promises an outcome or decides for the caller.

Months are calendar months: an answer in months is stored as that many average months of hours
(:data:`MONTH_HOURS`), read back as months, and the rules count them from the procedure day
(:func:`lasted_months`).

The modules, each importing only those above it: ``values`` (procedures, thresholds, history,
answers), ``script`` (the sentences staff may read aloud), ``questions`` (the questions, the
parsing of answers, durations in calendar months), ``levels`` (which diagnostic blocks count
at the levels and side of a procedure), ``payers`` (the payer rules),
``recommendation`` (what the screen is handed), ``relief`` (what an injection report says to
book) and ``protocol`` (the questions a call needs, and :func:`recommend`).
"""

from __future__ import annotations

from frontdesk.domain.pathway import script
from frontdesk.domain.pathway.levels import Where
from frontdesk.domain.pathway.payers import PayerCheck, payer_check, session_counts
from frontdesk.domain.pathway.protocol import needed, recommend, still_to_ask
from frontdesk.domain.pathway.questions import (
    ANSWER_KEYS,
    MONTH_HOURS,
    QUESTIONS,
    AnswerError,
    Question,
    answers_from,
    count_levels,
    describe_hours,
    lasted_months,
    level_set,
    months_in,
    parse_answer,
    parse_duration,
)
from frontdesk.domain.pathway.recommendation import Recommendation
from frontdesk.domain.pathway.values import (
    FOLLOW_UP,
    NEW_PATIENT,
    PATHWAY_BOUNDS,
    PAYER_BOUNDS,
    RFA_CONSULT,
    Answers,
    History,
    PainKind,
    PastRelief,
    PastSession,
    PathwayRules,
    PayerRules,
    Procedure,
    Rules,
)

__all__ = [
    "ANSWER_KEYS",
    "FOLLOW_UP",
    "MONTH_HOURS",
    "NEW_PATIENT",
    "PATHWAY_BOUNDS",
    "PAYER_BOUNDS",
    "QUESTIONS",
    "RFA_CONSULT",
    "AnswerError",
    "Answers",
    "History",
    "PainKind",
    "PastRelief",
    "PastSession",
    "PathwayRules",
    "PayerCheck",
    "PayerRules",
    "Procedure",
    "Question",
    "Recommendation",
    "Rules",
    "Where",
    "answers_from",
    "count_levels",
    "describe_hours",
    "level_set",
    "lasted_months",
    "months_in",
    "needed",
    "parse_answer",
    "parse_duration",
    "payer_check",
    "recommend",
    "script",
    "session_counts",
    "still_to_ask",
]
