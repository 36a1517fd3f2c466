"""A question is asked in the tense of the visit it is about: a visit the physician ordered is
still to come, a report after an injection is about one done; an ablation is not injected."""

from __future__ import annotations

import pytest

from frontdesk.domain.calls import CallReason
from frontdesk.domain.pathway import Answers, Procedure, Rules, still_to_ask

RULES = Rules()


def region_question(answers: Answers) -> str:
    [asked] = [q.prompt for q in still_to_ask(answers, RULES, payer="Self-pay")
               if q.key == "region"]
    return asked


@pytest.mark.parametrize(("ordered", "prompt"), [
    (Procedure.FACET_DIAGNOSTIC, "Which part of the spine will be injected?"),
    (Procedure.FACET_THERAPEUTIC, "Which part of the spine will be injected?"),
    (Procedure.RFA, "Which part of the spine will be treated?"),
])
def test_an_ordered_procedure_is_asked_about_in_the_future(ordered: Procedure,
                                                            prompt: str) -> None:
    answers = Answers(reason=CallReason.ORDERED_VISIT, ordered=ordered.value)
    assert region_question(answers) == prompt


@pytest.mark.parametrize(("done", "prompt"), [
    (Procedure.FACET_DIAGNOSTIC, "Which part of the spine was injected?"),
    (Procedure.RFA, "Which part of the spine was treated?"),
])
def test_a_report_asks_about_the_procedure_done(done: Procedure, prompt: str) -> None:
    answers = Answers(reason=CallReason.INJECTION_REPORT, procedure=done)
    assert region_question(answers) == prompt
