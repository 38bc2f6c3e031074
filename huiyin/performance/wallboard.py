"""The wallboard (大屏): what the floor needs to see at a glance, as of now.

Calls waiting and the longest wait per queue, agents by state (the calls domain's live board); today's
service level, answer and abandonment rates and ASA (``service.call_facts`` for the local day so far: the
rollups up to the last refresh, the calls after it); the open emergency orders. One call of
``wallboard(session, …)`` is what ``GET /kpis/wallboard`` answers and what the socket pushes."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from huiyin.calls.service.agents import board
from huiyin.performance import kpis
from huiyin.performance.periods import Period
from huiyin.performance.service import CallQuery, call_facts
from huiyin.workorders.catalog import OrderType
from huiyin.workorders.states import OrderState

OPEN_EMERGENCY = f"state <> '{OrderState.closed.value}' AND type = '{OrderType.emergency.value}'"
"""``ix_work_orders_open_emergency``'s condition, with its values inline (not bound parameters: a database
uses a partial index only for a condition it can see implies the index's)."""


def open_emergencies(session: Session) -> int:
    """Emergency orders (事故报警) not yet closed, read off ``ix_work_orders_open_emergency``: a few hundred
    entries where the open orders are tens of thousands. SQLite is told the index (``INDEXED BY``): its
    planner, without statistics, prefers ``ix_work_orders_type`` and reads every emergency ever reported."""
    hint = " INDEXED BY ix_work_orders_open_emergency" if session.get_bind().dialect.name == "sqlite" else ""
    return int(session.scalar(text(f"SELECT count(*) FROM work_orders{hint} WHERE {OPEN_EMERGENCY}")) or 0)


def wallboard(
    session: Session, at: datetime, tz_name: str, *, variant: str, threshold: int, short_abandon: int
) -> dict[str, Any]:
    tz = ZoneInfo(tz_name)
    midnight = datetime.combine(at.astimezone(tz).date(), time(), tz)
    today = Period(midnight, midnight + timedelta(days=1), tz)
    q = CallQuery(period=today, threshold=threshold, short_abandon=short_abandon, variant=variant)
    f: defaultdict[str, int] = defaultdict(int, call_facts(session, q, tz_name).get(("all", "in"), {}))
    live = board(session)
    queues = [
        {"queue": qq["queue"], "waiting": qq["waiting"], "longest_wait": qq["longest_wait_seconds"]}
        for qq in live["queues"]
    ]
    return {
        "at": at.astimezone(tz).isoformat(),
        "waiting": sum(qq["waiting"] for qq in queues),
        "longest_wait": max((qq["longest_wait"] for qq in queues), default=0),
        "queues": queues,
        "agents": live["counts"],
        "today": {
            "offered": f["offered"],
            "answered": f["answered"],
            "abandoned": f["abandoned"],
            "service_level": kpis.SERVICE_LEVEL[variant](f, threshold, short_abandon),
            "answer_rate": kpis.answer_rate(f),
            "abandon_rate": kpis.abandon_rate(f, short_abandon),
            "asa": kpis.asa(f),
        },
        "variant": variant,
        "threshold": threshold,
        "open_emergencies": open_emergencies(session),
    }
