"""The outage's state machine: one status class and one transition table.

announced (已发布: known, not yet begun) → active (进行中) → restored (已恢复) → closed (已关闭); announced or
active → cancelled (已取消). Anything not in this table is a 409 naming what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huiyin.core.roles import MANAGERS, Role


class OutageState(StrEnum):
    announced = "announced"
    active = "active"
    restored = "restored"
    closed = "closed"
    cancelled = "cancelled"


LIVE = frozenset({OutageState.announced, OutageState.active})
"""What the IVR, the screen pop and the preset answer speak of; what reports are merged into (active only)."""

STATE_NAMES_ZH = {
    OutageState.announced: "已发布",
    OutageState.active: "进行中",
    OutageState.restored: "已恢复",
    OutageState.closed: "已关闭",
    OutageState.cancelled: "已取消",
}

UTILITY_NAMES_ZH = {"gas": "停气", "electricity": "停电", "water": "停水"}
SUPPLY_ZH = {"gas": "供气", "electricity": "供电", "water": "供水"}


class OutageAction(StrEnum):
    announce = "announce"  # created (planned: ahead of its start; unplanned: already active)
    activate = "activate"
    update = "update"  # ETA, cause, areas, scope
    restore = "restore"
    close = "close"
    cancel = "cancel"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[OutageState]
    to: OutageState


S = OutageState
WRITERS = frozenset({Role.dispatcher, *MANAGERS})
"""Who creates and changes outages: the dispatchers and the duty, floor and centre managers."""

TRANSITIONS: dict[OutageAction, Transition] = {
    OutageAction.activate: Transition(frozenset({S.announced}), S.active),
    OutageAction.update: Transition(frozenset({S.announced, S.active}), S.announced),  # ``to``: unchanged
    OutageAction.restore: Transition(frozenset({S.active}), S.restored),
    OutageAction.close: Transition(frozenset({S.restored}), S.closed),
    OutageAction.cancel: Transition(frozenset({S.announced, S.active}), S.cancelled),
}
