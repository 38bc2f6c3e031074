"""An evaluation's states, and one transition table.

An inspector's evaluation is ``scored``; the agent may appeal it (``appeal``) until its appeal window closes,
once; a QA lead then decides the appeal (``decide``): ``decided``, the score in force changed or upheld.
Anything not in this table is a 409.
"""

from __future__ import annotations

from enum import StrEnum

from huiyin.errors import Conflict


class EvaluationState(StrEnum):
    scored = "scored"  # 已评分: the agent may appeal within the window
    appealed = "appealed"  # 申诉中: a lead decides
    decided = "decided"  # 申诉已处理: final


class EvaluationAction(StrEnum):
    appeal = "appeal"
    decide = "decide"


S, A = EvaluationState, EvaluationAction
TRANSITIONS: dict[EvaluationAction, tuple[frozenset[EvaluationState], EvaluationState]] = {
    A.appeal: (frozenset({S.scored}), S.appealed),
    A.decide: (frozenset({S.appealed}), S.decided),
}


def next_state(state: str, action: EvaluationAction) -> EvaluationState:
    sources, to = TRANSITIONS[action]
    if state not in sources:
        if action is A.appeal:
            raise Conflict(
                f"an evaluation that is {state} cannot be {action}ed", code="quality.appealed_once", state=state
            )
        raise Conflict(f"an evaluation that is {state} cannot be {action}ed", code="quality.not_in_appeal", state=state)
    return to
