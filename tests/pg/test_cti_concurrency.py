"""CTI events racing each other on PostgreSQL (several server processes take them side by side): copies
of one event applied at once count once; one agent's answer and another call's hangup at once leave the
agent with exactly one current state."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from huiyin.auth.service import do_create_user
from huiyin.calls import cti
from huiyin.calls.models import AgentState, Call, CallEvent, CtiIntegration
from huiyin.calls.service import do_create_integration
from huiyin.calls.states import Cause, CtiEvent, Direction
from huiyin.db import Database
from huiyin.settings import CtiSettings, Settings
from huiyin.wiring import open_database

pytestmark = pytest.mark.pg


@pytest.fixture
def pg(pg_url: str) -> Database:
    from tests.conftest import _truncate_pg

    _truncate_pg(pg_url)
    return open_database(Settings(database_url=pg_url))


def event(kind: CtiEvent, call_id: str, **kw: Any) -> cti.Event:
    return cti.Event(
        event=kind,
        call_id=call_id,
        direction=Direction.in_,
        from_number=kw.get("caller", "13912345678"),
        to_number="95598",
        users=kw.get("users", ["agent"]),
        queue=None,
        answering_number=kw.get("by"),
        cause=Cause(kw["cause"]) if kw.get("cause") else None,
        recording_url=None,
        ivr_path=None,
        wait_seconds=None,
        hold_seconds=None,
        at=None,
        raw={},
    )


def race(db: Database, jobs: list[Callable[[Any], Any]]) -> list[BaseException]:
    """Runs each job in its own thread and transaction, all released at once; returns what they raised."""
    gate = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[Any], Any]) -> None:
        try:
            gate.wait()
            with db.session() as s:
                job(s)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


def test_copies_of_one_event_at_once_are_applied_once(pg: Database) -> None:
    with pg.session() as s:
        do_create_user(s, "agent", "pw", ["agent"], cheap_hash=True)
        do_create_integration(s, "pbx", None)
    settings = CtiSettings()

    def post(kind: CtiEvent, **kw: Any) -> Callable[[Any], Any]:
        def job(s: Any) -> Any:
            integration = s.scalar(select(CtiIntegration))
            return cti.do_event(s, integration, event(kind, "race-1", **kw), settings)

        return job

    for kind, kw in ((CtiEvent.new_call, {}), (CtiEvent.answer, {"by": "agent"}), (CtiEvent.hangup, {})):
        assert race(pg, [post(kind, **kw) for _ in range(8)]) == []
    with pg.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Call)) == 1
        assert s.scalar(select(func.count()).select_from(CallEvent)) == 3
        states = [a.state for a in s.scalars(select(AgentState).order_by(AgentState.id))]
    assert states == ["on_call", "acw"]


def test_one_agents_answer_and_hangup_of_two_calls_at_once_leave_one_current_state(pg: Database) -> None:
    with pg.session() as s:
        do_create_user(s, "agent", "pw", ["agent"], cheap_hash=True)
        do_create_integration(s, "pbx", None)
    settings = CtiSettings()

    def post(kind: CtiEvent, call_id: str, **kw: Any) -> Callable[[Any], Any]:
        def job(s: Any) -> Any:
            integration = s.scalar(select(CtiIntegration))
            return cti.do_event(s, integration, event(kind, call_id, **kw), settings)

        return job

    for n in range(10):
        a, b = f"a-{n}", f"b-{n}"
        assert race(pg, [post(CtiEvent.new_call, a), post(CtiEvent.new_call, b)]) == []
        assert race(pg, [post(CtiEvent.answer, a, by="agent"), post(CtiEvent.answer, b, by="agent")]) == []
        assert race(pg, [post(CtiEvent.hangup, a, cause="normalClearing"), post(CtiEvent.hangup, b)]) == []
        with pg.session(write=False) as s:
            open_rows = s.scalars(select(AgentState).where(AgentState.ended_at.is_(None))).all()
            assert len(open_rows) == 1, f"round {n}: {[(r.state, r.call_pk) for r in open_rows]}"
    with pg.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Call)) == 20
        assert s.scalar(select(func.count()).select_from(Call).where(Call.talk_seconds.is_(None))) == 0
