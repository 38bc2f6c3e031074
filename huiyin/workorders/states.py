"""The work-order state machine: one status class and one transition table.

Every action names the states it may start from, the state it leads to, and the roles that may take it.
Some actions decide their target at run time (a callback closes, reopens or stays); their ``to`` is
``None`` here and the service documents the rule. Anything not in this table is a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huiyin.core.roles import MANAGERS, Role


class OrderState(StrEnum):
    registered = "registered"  # 已受理: waiting in the dispatcher queue
    dispatched = "dispatched"  # 已派单
    accepted = "accepted"  # 已接单
    in_progress = "in_progress"  # 处理中
    suspended = "suspended"  # 挂起
    merged = "merged"  # 已并单: a report merged into an outage's master order, resolved together with it
    resolved = "resolved"  # 已办结, waiting for the callback
    closed = "closed"  # 已归档


OPEN_STATES = frozenset(s for s in OrderState if s is not OrderState.closed)

STATE_NAMES_ZH = {
    OrderState.registered: "待派单",
    OrderState.dispatched: "已派单",
    OrderState.accepted: "已接单",
    OrderState.in_progress: "处理中",
    OrderState.suspended: "挂起",
    OrderState.merged: "已并单",
    OrderState.resolved: "待回访",
    OrderState.closed: "已归档",
}

STATE_COLORS = {
    OrderState.registered: "info",
    OrderState.dispatched: "warning",
    OrderState.accepted: "primary",
    OrderState.in_progress: "primary",
    OrderState.suspended: "danger",
    OrderState.merged: "info",
    OrderState.resolved: "success",
    OrderState.closed: "info",
}


class Action(StrEnum):
    register = "register"
    dispatch = "dispatch"
    accept = "accept"
    start = "start"
    suspend = "suspend"
    resume = "resume"
    return_ = "return"
    reassign = "reassign"
    resolve = "resolve"
    callback = "callback"
    close = "close"
    reopen = "reopen"
    urge = "urge"  # 催办: the center presses the unit (the state stays)
    supervise = "supervise"  # 督办: management takes the order under supervision (the state stays)
    merge = "merge"  # 并单: into an outage's master order (by the system at registration, or by a dispatcher)
    unmerge = "unmerge"  # back out of the master order, to be dispatched on its own
    # written by the worker, never asked for: not in TRANSITIONS
    warn = "warn"  # a stage deadline is near (warn_at)
    escalate = "escalate"  # a stage deadline is breached: the ladder climbs a level


@dataclass(frozen=True)
class Transition:
    sources: frozenset[OrderState]
    to: OrderState | None
    roles: frozenset[Role]


S = OrderState
_CENTER_WRITERS = frozenset({Role.agent, *MANAGERS})
_DISPATCHERS = frozenset({Role.dispatcher, *MANAGERS})
_UNIT = frozenset({Role.unit_handler})
_SUPERVISABLE = frozenset({S.registered, S.dispatched, S.accepted, S.in_progress, S.suspended})

TRANSITIONS: dict[Action, Transition] = {
    Action.dispatch: Transition(frozenset({S.registered}), S.dispatched, _DISPATCHERS),
    Action.accept: Transition(frozenset({S.dispatched}), S.accepted, _UNIT),
    Action.start: Transition(frozenset({S.accepted}), S.in_progress, _UNIT),
    Action.suspend: Transition(frozenset({S.accepted, S.in_progress}), S.suspended, _UNIT),
    Action.resume: Transition(frozenset({S.suspended}), S.in_progress, _UNIT),
    Action.return_: Transition(frozenset({S.dispatched, S.accepted}), S.registered, _UNIT),
    Action.reassign: Transition(
        frozenset({S.dispatched, S.accepted, S.in_progress, S.suspended}), S.dispatched, _DISPATCHERS
    ),
    Action.resolve: Transition(frozenset({S.accepted, S.in_progress}), S.resolved, _UNIT),
    # satisfied / basically satisfied → closed; unsatisfied → dispatched (reopened);
    # unreachable → stays resolved, closed on the last allowed attempt.
    Action.callback: Transition(frozenset({S.resolved}), None, _CENTER_WRITERS),
    # registered → closed only for an inquiry answered on the spot; resolved → closed waives the callback
    # and is for managers only (checked in the service).
    Action.close: Transition(frozenset({S.registered, S.resolved}), S.closed, _CENTER_WRITERS),
    # back to the last unit (dispatched), or to the dispatcher queue when it never had one.
    Action.reopen: Transition(frozenset({S.resolved, S.closed}), None, _CENTER_WRITERS),
    # Supervision marks leave the state as it is (``to`` None). 督办 outranks 催办 and is never lowered.
    Action.urge: Transition(
        _SUPERVISABLE, None, frozenset({Role.agent, Role.dispatcher, Role.duty_manager, Role.floor_manager})
    ),
    Action.supervise: Transition(_SUPERVISABLE, None, frozenset({Role.supervisor, Role.director})),
    # A report that only nearly matched an outage is merged by hand; a merged one is resolved with the outage's
    # result by the system (``do_resolve_merged``: not in this table, no user resolves it alone).
    Action.merge: Transition(frozenset({S.registered, S.dispatched, S.accepted}), S.merged, _DISPATCHERS),
    Action.unmerge: Transition(frozenset({S.merged}), None, _DISPATCHERS),
}


def allowed_actions(state: OrderState) -> list[Action]:
    return [a for a, t in TRANSITIONS.items() if state in t.sources]
