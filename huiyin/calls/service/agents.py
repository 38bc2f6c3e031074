"""Agent states: the intervals (ready, not ready, on a call, after-call work) by the transition table, and the
live board of agents and queues."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from typing import cast as typing_cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from huiyin.auth.models import User
from huiyin.calls.models import AgentState, Call
from huiyin.calls.service.figures import _seconds
from huiyin.calls.states import (
    AGENT_TRANSITIONS,
    AgentAction,
    AgentStatus,
    CallState,
    Direction,
)
from huiyin.clock import now
from huiyin.core.fastsql.prebuilt import Prebuilt
from huiyin.errors import Conflict
from huiyin.notify.service import publish


class OpenState(NamedTuple):
    """An agent's open interval (``ended_at`` NULL), as the transitions read it: a row, not an ORM object."""

    id: int
    state: str
    reason: str | None
    started_at: datetime
    call_pk: int | None
    resume_state: str | None


_STATES = typing_cast(Table, AgentState.__table__)
# the agent-state statements, run by every CTI event: Prebuilt (compiled once, run on the session's cursor)
_LOCK_AGENT = Prebuilt(select(User.id).where(User.id == bindparam("user_id")).with_for_update(key_share=True))
_OPEN_STATE_SELECT = select(*(_STATES.c[f] for f in OpenState._fields)).where(
    _STATES.c.user_id == bindparam("user_id"), _STATES.c.ended_at.is_(None)
)
_OPEN_STATE = Prebuilt(_OPEN_STATE_SELECT)
_LOCK_OPEN_STATE = Prebuilt(_OPEN_STATE_SELECT.with_for_update(key_share=True))
_CLOSE_STATE = Prebuilt(
    update(_STATES)
    .where(_STATES.c.id == bindparam("state_id"))
    .values(ended_at=bindparam("ended_at"), written_at=bindparam("written_at"))
)
_NEW_STATE_COLUMNS = (
    "user_id",
    "state",
    "reason",
    "started_at",
    "ended_at",
    "call_pk",
    "resume_state",
    "source",
    "written_at",
)
_OPEN_NEW_STATE = Prebuilt(insert(_STATES).returning(_STATES.c.id), column_keys=_NEW_STATE_COLUMNS)


def current_state(session: Session, user_id: int, *, lock: bool = False) -> OpenState | None:
    """The agent's open interval. ``lock``: locked, so that two events for one agent (an answer and another
    call's hangup at once) change the state one after the other. The open interval's own lock serialises
    them while it stays open; the transaction that waited for it finds it closed (the other one closed it
    and opened a new one, which this statement cannot see), and then takes the agent's own row lock and
    reads again, in a new statement and so a new snapshot. NO KEY UPDATE: the agent's lock must not wait
    for the key-share locks that foreign keys to users take."""
    if lock:
        # usually one statement: lock the open interval itself; when there is none, or the one this waited
        # for was closed meanwhile (its successor is not in this statement's snapshot), the agent's lock
        row = _LOCK_OPEN_STATE.first(session, {"user_id": user_id})
        if row is not None:
            return OpenState(*row)
        _LOCK_AGENT.execute(session, {"user_id": user_id})
    row = _OPEN_STATE.first(session, {"user_id": user_id})
    return OpenState(*row) if row is not None else None


def status_of(state: OpenState | None) -> AgentStatus:
    return AgentStatus(state.state) if state is not None else AgentStatus.signed_out


def check_agent_action(state: OpenState | None, action: AgentAction, *, by_agent: bool) -> None:
    t = AGENT_TRANSITIONS[action]
    if by_agent and not t.by_agent:
        raise Conflict(
            f"{action.value} comes from the phone system, not the workbench", code="calls.agent_action_by_pbx"
        )
    current = status_of(state)
    if current not in t.sources:
        allowed = sorted(s.value for s in t.sources)
        detail = f"cannot {action.value} while {current.value}; allowed from {allowed}"
        if current == AgentStatus.signed_out:
            raise Conflict(detail, code="calls.agent_signed_out", state=current.value)
        if current == AgentStatus.on_call:
            raise Conflict(detail, code="calls.agent_on_call", state=current.value)
        if action == AgentAction.sign_in:
            raise Conflict(detail, code="calls.agent_signed_in_already", state=current.value)
        raise Conflict(detail, code="calls.agent_state", state=current.value)


def do_agent_action(
    session: Session,
    user_id: int,
    action: AgentAction,
    *,
    reason: str | None = None,
    call: Call | None = None,
    at: datetime | None = None,
    source: str = "workbench",
) -> OpenState | None:
    """Locks the agent, closes the open interval and opens the next (none after signing out). Returns the
    new interval."""
    state = current_state(session, user_id, lock=True)
    return do_agent_transition(session, user_id, state, action, reason=reason, call=call, at=at, source=source)


def do_agent_transition(
    session: Session,
    user_id: int,
    state: OpenState | None,
    action: AgentAction,
    *,
    reason: str | None = None,
    call: Call | None = None,
    at: datetime | None = None,
    source: str = "workbench",
) -> OpenState | None:
    """``do_agent_action`` from ``state``, the open interval its caller read under the agent's lock."""
    at = at or now()
    check_agent_action(state, action, by_agent=source == "workbench")
    current = status_of(state)
    to = AGENT_TRANSITIONS[action].to
    resume: str | None = None
    if action == AgentAction.call:
        if state is not None and state.state in (AgentStatus.on_call, AgentStatus.acw):
            resume = state.resume_state  # a call straight after another: back to where the first found them
        else:
            resume = current.value
    elif action == AgentAction.hang_up:
        resume = state.resume_state if state is not None else None
    elif action == AgentAction.wrap_up:
        back = (state.resume_state if state is not None else None) or AgentStatus.ready.value
        to = AgentStatus(back)
    started = at
    if state is not None:
        if state.state == AgentStatus.acw and state.call_pk is not None:
            # leaving after-call work, whichever way (wrap-up, ready, not ready, the next call, signing out)
            if call is not None and call.id == state.call_pk:
                end_acw(call, at)
            else:
                _end_acw_of(session, state.call_pk, at)
        started = max(at, state.started_at)
        # closed before the next opens: one open interval per agent (a unique index)
        _CLOSE_STATE.execute(session, {"state_id": state.id, "ended_at": started, "written_at": now()})
    if to is None or to == AgentStatus.signed_out:
        _publish_state(session, user_id, None)
        return None
    on_call = to in (AgentStatus.on_call, AgentStatus.acw)
    new = OpenState(
        id=0,
        state=to.value,
        reason=reason if to == AgentStatus.not_ready else None,
        started_at=started,
        call_pk=call.id if call is not None and on_call else None,
        resume_state=resume if on_call else None,
    )
    values = {**new._asdict(), "user_id": user_id, "ended_at": None, "source": source, "written_at": now()}
    del values["id"]
    new = new._replace(id=_OPEN_NEW_STATE.scalar(session, values))
    _publish_state(session, user_id, new)
    return new


def state_data(user_id: int, state: OpenState | None) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "state": status_of(state).value,
        "reason": state.reason if state else None,
        "since": state.started_at.isoformat() if state else None,
        "call_id": state.call_pk if state else None,
    }


def _publish_state(session: Session, user_id: int, state: OpenState | None) -> None:
    publish(session, user_id, {"type": "agent_state", "agent_state": state_data(user_id, state)})


def wrap_up_call(session: Session, call: Call, at: datetime | None = None) -> None:
    """After-call work on this call ends (an order was saved for it, or the agent marked it done)."""
    if call.agent_id is None:
        return
    state = current_state(session, call.agent_id, lock=True)
    if state is not None and state.state == AgentStatus.acw and state.call_pk == call.id:
        do_agent_action(session, call.agent_id, AgentAction.wrap_up, call=call, at=at, source="cti")
    else:
        end_acw(call, at or now())


CALLS = typing_cast(Table, Call.__table__)  # the calls table, for the event path's plain statements
_ACW_OF = Prebuilt(
    select(CALLS.c.ended_at, CALLS.c.answered_at, CALLS.c.acw_ended_at).where(CALLS.c.id == bindparam("call_pk"))
)
_SET_ACW = Prebuilt(
    update(CALLS)
    .where(CALLS.c.id == bindparam("call_pk"))
    .values(
        acw_ended_at=bindparam("acw_ended_at"), acw_seconds=bindparam("acw_seconds"), updated_at=bindparam("updated_at")
    )
)


def _end_acw_of(session: Session, call_pk: int, at: datetime) -> None:
    """``end_acw`` of a call not at hand (the agent's previous call, left by taking the next one): two plain
    statements, unless the session holds that call already."""
    held = session.identity_map.get(identity_key(Call, call_pk))
    if isinstance(held, Call):
        end_acw(held, at)
        return
    row = _ACW_OF.first(session, {"call_pk": call_pk})
    if row is None:
        return
    ended_at, answered_at, acw_ended_at = row
    if acw_ended_at is None and ended_at is not None and answered_at is not None:
        ended = max(at, ended_at)
        _SET_ACW.execute(
            session,
            {"call_pk": call_pk, "acw_ended_at": ended, "acw_seconds": _seconds(ended_at, ended), "updated_at": now()},
        )


def end_acw(call: Call, at: datetime) -> None:
    """Records the end of after-call work on an answered, ended call (once)."""
    if call.acw_ended_at is None and call.ended_at is not None and call.answered_at is not None:
        call.acw_ended_at = max(at, call.ended_at)
        call.acw_seconds = _seconds(call.ended_at, call.acw_ended_at)


def board(session: Session) -> dict[str, Any]:
    """Agents (everyone signed in, or on a call) with their state and since when; queues with the calls
    waiting and the longest wait; both as of now."""
    at = now()
    open_states = list(session.scalars(select(AgentState).where(AgentState.ended_at.is_(None))))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([s.user_id for s in open_states])))}
    live = list(session.scalars(select(Call).where(Call.state != CallState.ended.value)))
    agents = []
    for s in sorted(open_states, key=lambda s: users[s.user_id].username if s.user_id in users else ""):
        u = users.get(s.user_id)
        agents.append(
            {
                "user_id": s.user_id,
                "username": u.username if u else "",
                "full_name": u.full_name if u else "",
                "state": s.state,
                "reason": s.reason,
                "since": s.started_at,
                "seconds": _seconds(s.started_at, at) or 0,
                "call_id": s.call_pk,
            }
        )
    queues: dict[str, dict[str, Any]] = {}
    for c in live:
        q = queues.setdefault(
            c.queue or "", {"queue": c.queue or "", "waiting": 0, "talking": 0, "longest_wait_seconds": 0}
        )
        if c.state == CallState.ringing and c.direction == Direction.in_ and not c.blocked:
            q["waiting"] += 1
            q["longest_wait_seconds"] = max(q["longest_wait_seconds"], _seconds(c.offered_at, at) or 0)
        elif c.state == CallState.talking:
            q["talking"] += 1
    counts: dict[str, int] = {s.value: 0 for s in AgentStatus if s != AgentStatus.signed_out}
    for s in open_states:
        counts[s.state] = counts.get(s.state, 0) + 1
    return {"at": at, "agents": agents, "queues": sorted(queues.values(), key=lambda q: q["queue"]), "counts": counts}
