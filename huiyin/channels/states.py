"""A conversation's state machine: one status class and one transition table.

bot (机器人接待) → queued (排队中: handed off to a person) → assigned (人工服务中) → closed (已结束); an agent
transfers an assigned conversation to another agent (it stays assigned) or hands it back to the bot; the bot
closes a conversation it answered when the customer goes quiet. A customer writing again after the close
opens a new conversation. Anything not in this table is a 409 naming what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huiyin.core.roles import MANAGERS, Role


class ConversationState(StrEnum):
    bot = "bot"
    queued = "queued"
    assigned = "assigned"
    closed = "closed"


class ConversationAction(StrEnum):
    handoff = "handoff"  # the bot hands over (asked for a person, missed twice, not busy hours)
    accept = "accept"  # an agent takes it from the queue (or the router gives it)
    transfer = "transfer"
    to_bot = "to_bot"  # the agent hands it back to the bot
    close = "close"


S = ConversationState


@dataclass(frozen=True)
class Transition:
    sources: frozenset[ConversationState]
    to: ConversationState


TRANSITIONS: dict[ConversationAction, Transition] = {
    ConversationAction.handoff: Transition(frozenset({S.bot}), S.queued),
    ConversationAction.accept: Transition(frozenset({S.queued}), S.assigned),
    ConversationAction.transfer: Transition(frozenset({S.queued, S.assigned}), S.assigned),
    ConversationAction.to_bot: Transition(frozenset({S.assigned}), S.bot),
    ConversationAction.close: Transition(frozenset({S.bot, S.queued, S.assigned}), S.closed),
}

OPEN = frozenset({S.bot, S.queued, S.assigned})

HANDLERS = frozenset({Role.agent, *MANAGERS})
"""Who answers conversations: the agents; the managers step in."""

STATE_NAMES_ZH = {S.bot: "机器人接待", S.queued: "排队中", S.assigned: "人工服务中", S.closed: "已结束"}
CHANNEL_NAMES_ZH = {"wechat": "微信公众号", "web": "网站在线", "email": "电子邮件", "sms": "短信"}
