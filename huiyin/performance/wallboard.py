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

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.calls.service.agents import board
from huiyin.performance import kpis
from huiyin.performance.periods import Period
from huiyin.performance.service import CallQuery, call_facts
from huiyin.workorders.catalog import OrderType
from huiyin.workorders.models import WorkOrder
from huiyin.workorders.states import OPEN_STATES


def open_emergencies(session: Session) -> int:
    """Emergency orders (事故报警) not yet closed."""
    stmt = select(func.count()).where(
        WorkOrder.state.in_([s.value for s in OPEN_STATES]), WorkOrder.type == OrderType.emergency.value
    )
    return int(session.scalar(stmt) or 0)


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
