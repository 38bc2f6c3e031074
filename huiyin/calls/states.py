"""Calls and agent states: the values, and one transition table for the agent's state.

An agent sets ``sign_in``, ``ready``, ``not_ready`` and ``sign_out`` from the workbench; the CTI events
set ``call`` (answer) and ``hang_up`` (hangup of a call the agent answered); ``wrap_up`` ends after-call
work (saving an order linked to the call, or "done"), back to the state the call interrupted. Anything
not in this table is a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Direction(StrEnum):
    in_ = "in"
    out = "out"


class CallState(StrEnum):
    ringing = "ringing"  # offered, not answered yet
    talking = "talking"
    ended = "ended"


class CtiEvent(StrEnum):
    new_call = "newCall"
    answer = "answer"
    hangup = "hangup"


class Cause(StrEnum):
    """The hangup causes of the generic CTI shape."""

    normal_clearing = "normalClearing"  # one party hung up after the call was established
    busy = "busy"
    cancel = "cancel"  # the caller hung up before anyone picked up
    no_answer = "noAnswer"
    congestion = "congestion"
    not_found = "notFound"
    forwarded = "forwarded"


class AgentStatus(StrEnum):
    signed_out = "signed_out"  # no open interval
    signed_in = "signed_in"  # 已签入
    ready = "ready"  # 就绪 (示闲)
    not_ready = "not_ready"  # 未就绪 (示忙), with a reason
    on_call = "on_call"  # 通话中
    acw = "acw"  # 话后处理


class NotReadyReason(StrEnum):
    break_ = "break"  # 小休
    meal = "meal"  # 用餐
    training = "training"  # 培训
    meeting = "meeting"  # 会议
    coaching = "coaching"  # 辅导


class AgentAction(StrEnum):
    sign_in = "sign_in"
    ready = "ready"
    not_ready = "not_ready"
    sign_out = "sign_out"
    call = "call"  # CTI: the agent answered (or placed) a call
    hang_up = "hang_up"  # CTI: that call ended → after-call work
    wrap_up = "wrap_up"  # after-call work done


S = AgentStatus


@dataclass(frozen=True)
class AgentTransition:
    sources: frozenset[AgentStatus]
    to: AgentStatus | None  # None: decided at run time (wrap_up goes back to where the call found the agent)
    by_agent: bool  # the agent may take it from the workbench (else only the CTI events)


AGENT_TRANSITIONS: dict[AgentAction, AgentTransition] = {
    AgentAction.sign_in: AgentTransition(frozenset({S.signed_out}), S.signed_in, True),
    AgentAction.ready: AgentTransition(frozenset({S.signed_in, S.not_ready, S.ready, S.acw}), S.ready, True),
    AgentAction.not_ready: AgentTransition(frozenset({S.signed_in, S.ready, S.not_ready, S.acw}), S.not_ready, True),
    AgentAction.sign_out: AgentTransition(frozenset({S.signed_in, S.ready, S.not_ready, S.acw}), S.signed_out, True),
    # a call can reach an agent whatever Huiyin thought (the PBX knows best): every state is a source
    AgentAction.call: AgentTransition(frozenset(S), S.on_call, False),
    AgentAction.hang_up: AgentTransition(frozenset({S.on_call}), S.acw, False),
    AgentAction.wrap_up: AgentTransition(frozenset({S.acw}), None, True),
}
