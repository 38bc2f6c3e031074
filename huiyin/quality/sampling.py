"""The sampling plan (抽检计划): which calls the inspectors score, and who scores each.

Per agent and month, ``per_agent`` random calls (``per_new_agent`` for an agent in their first
``new_agent_months`` calendar months on the phones, counted from the month of their first answered
call). Drawn as the month goes: by any day, the share of the
month gone by (rounded up), so the samples spread over the month rather than bunching in its first days.

Forced samples, whatever the count: every call a complaint was registered from, every call rated unsatisfied,
every call the automatic analysis flagged (a high-severity flag or a phrase hit); and calls over
``long_seconds`` and under ``short_seconds`` of talk, at most ``long_short_cap`` of each per agent and month
(a centre's many quick calls would otherwise swamp the inspectors). A call is drawn once.

Each new sample goes to the inspector with the fewest samples that month who is not the call's agent (ties:
the lowest id), so the work spreads evenly and nobody scores their own calls. The worker draws every hour
(``do_draw``: drawing again adds only what is new); ``POST /quality/samples/draw`` draws at once.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.calls import service as calls
from huiyin.complaints import service as complaints
from huiyin.core.roles import Role
from huiyin.errors import Conflict, Invalid
from huiyin.quality.models import CallAnalysis, QaSample, QaSamplingPlan
from huiyin.surveys import service as surveys

DEFAULT_PLAN: dict[str, Any] = {
    "per_agent": 5,
    "per_new_agent": 10,
    "new_agent_months": 3,
    "complaint": True,
    "unsatisfied": True,
    "flagged": True,
    "long_seconds": 600,
    "short_seconds": 20,
    "long_short_cap": 3,
    "inspector_ids": [],  # none named: every active QA inspector
}
REASONS = ("complaint", "unsatisfied", "flagged", "long", "short", "new_agent", "random")
DRAW_EVERY = timedelta(hours=1)


def plan(session: Session) -> dict[str, Any]:
    row = session.scalar(select(QaSamplingPlan))
    return {**DEFAULT_PLAN, **(row.plan if row else {})}


def check_plan(session: Session, given: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**plan(session), **given}
    if merged["per_new_agent"] < merged["per_agent"]:
        raise Invalid("per_new_agent: at least per_agent (new agents are sampled more)", field="per_new_agent")
    long_s, short_s = merged["long_seconds"], merged["short_seconds"]
    if long_s is not None and short_s is not None and short_s >= long_s:
        raise Invalid("short_seconds: below long_seconds", field="short_seconds")
    people = directory(session).users
    for i in merged["inspector_ids"]:
        p = people.get(i)
        if p is None or not p.is_active or Role.qa_inspector not in p.roles:
            raise Invalid(f"inspector_ids: user {i} is not an active QA inspector", field="inspector_ids")
    return merged


def do_set_plan(session: Session, value: dict[str, Any], by: int, at: datetime) -> dict[str, Any]:
    row = session.scalar(select(QaSamplingPlan).with_for_update())
    if row is None:
        session.add(QaSamplingPlan(plan=value, updated_at=at, updated_by=by))
    else:
        row.plan, row.updated_at, row.updated_by = value, at, by
    session.flush()
    return plan(session)


def month_window(month: str, tz_name: str) -> tuple[datetime, datetime, date, date]:
    """The month's start and end (UTC instants) and its first and last day."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
    except ValueError:
        raise Invalid("month: YYYY-MM", field="month") from None
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    zone = ZoneInfo(tz_name)
    start = datetime(first.year, first.month, 1, tzinfo=zone)
    end = datetime(nxt.year, nxt.month, 1, tzinfo=zone)
    return start, end, first, nxt - timedelta(days=1)


def _inspectors(session: Session, p: Mapping[str, Any]) -> list[int]:
    d = directory(session)
    named = [i for i in p["inspector_ids"] if i in d.users and d.users[i].is_active]
    return sorted(named or [q.id for q in d.by_role.get(Role.qa_inspector, ())])


def do_draw(session: Session, month: str, at: datetime, tz_name: str) -> dict[str, int]:
    """Draws what the plan asks of ``month`` and is not drawn yet; the new samples by reason."""
    p = plan(session)
    start, end, first, last = month_window(month, tz_name)
    if at < start:
        return {}
    inspectors = _inspectors(session, p)
    if not inspectors:
        raise Conflict("there is no active QA inspector to assign samples to")
    answered = calls.answered_calls(session, start, min(end, at))
    by_pk = {c.pk: c for c in answered}
    existing = list(session.scalars(select(QaSample).where(QaSample.month == month)))
    taken = {s.call_pk for s in existing}
    load = Counter({i: 0 for i in inspectors}) + Counter(s.inspector_id for s in existing)
    per_agent: defaultdict[tuple[int, str], int] = defaultdict(int)
    for s in existing:
        per_agent[(s.agent_id, s.reason)] += 1
    drawn: Counter[str] = Counter()

    def add(pk: int, reason: str) -> None:
        if pk in taken or pk not in by_pk:
            return
        agent = by_pk[pk].agent_id
        eligible = [i for i in inspectors if i != agent]
        if not eligible:
            return
        inspector = min(eligible, key=lambda i: (load[i], i))
        session.add(
            QaSample(month=month, call_pk=pk, agent_id=agent, inspector_id=inspector, reason=reason, drawn_at=at)
        )
        taken.add(pk)
        load[inspector] += 1
        per_agent[(agent, reason)] += 1
        drawn[reason] += 1

    if p["complaint"]:
        linked = calls.call_pks_of_orders(session, complaints.complaint_order_ids(session, first, last))
        for pk in sorted({pk for pks in linked.values() for pk in pks}):
            add(pk, "complaint")
    if p["unsatisfied"]:
        for pk in surveys.rated_calls(session, first, last):
            add(pk, "unsatisfied")
    if p["flagged"]:
        flagged = select(CallAnalysis.call_id).where(
            CallAnalysis.flagged.is_(True), CallAnalysis.call_at >= start, CallAnalysis.call_at < end
        )
        for pk in sorted(set(session.scalars(flagged))):
            add(pk, "flagged")
    cap, long_s, short_s = int(p["long_short_cap"]), p["long_seconds"], p["short_seconds"]
    for c in answered:
        t = c.talk_seconds
        if t is None:
            continue
        if long_s is not None and t >= long_s and per_agent[(c.agent_id, "long")] < cap:
            add(c.pk, "long")
        elif short_s is not None and t < short_s and per_agent[(c.agent_id, "short")] < cap:
            add(c.pk, "short")

    share = min(1.0, (at - start) / (end - start))
    firsts = calls.first_answered(session, sorted({c.agent_id for c in answered}))
    back = int(p["new_agent_months"]) - 1  # the month sampled is one of the first ``new_agent_months``
    y, m = divmod(start.year * 12 + start.month - 1 - back, 12)
    new_since = datetime(y, m + 1, 1, tzinfo=ZoneInfo(tz_name)) if back >= 0 else end
    pool: defaultdict[int, list[int]] = defaultdict(list)
    for c in answered:
        if c.pk not in taken:
            pool[c.agent_id].append(c.pk)
    for agent, pks in sorted(pool.items()):
        new = firsts.get(agent, start) >= new_since
        reason = "new_agent" if new else "random"
        want = math.ceil((p["per_new_agent"] if new else p["per_agent"]) * share - 1e-9)
        have = per_agent[(agent, reason)]
        rng = random.Random(f"{month}:{agent}:{have}")
        for pk in rng.sample(pks, min(len(pks), max(0, want - have))):
            add(pk, reason)
    row = session.scalar(select(QaSamplingPlan).with_for_update())
    if row is None:
        session.add(QaSamplingPlan(plan={}, updated_at=at, updated_by=None, drawn_at=at))
    else:
        row.drawn_at = at
    session.flush()
    return dict(drawn)


def due(session: Session, at: datetime) -> bool:
    """Whether the hourly draw is due (the worker's test)."""
    drawn_at = session.scalar(select(QaSamplingPlan.drawn_at))
    return drawn_at is None or at - drawn_at >= DRAW_EVERY


def do_scheduled_draw(session: Session, at: datetime, tz_name: str) -> dict[str, int]:
    """The worker's draw: this month, and last month during the first day of this one (its last calls)."""
    local = at.astimezone(ZoneInfo(tz_name))
    months = [local.strftime("%Y-%m")]
    if local.day == 1:
        months.insert(0, (local.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"))
    total: Counter[str] = Counter()
    for m in months:
        if not _inspectors(session, plan(session)):
            break
        total.update(do_draw(session, m, at, tz_name))
    return dict(total)


def samples(
    session: Session,
    *,
    month: str | None,
    inspector_id: int | None,
    agent_id: int | None,
    state: str | None,
    limit: int,
    call_pk: int | None = None,
) -> list[QaSample]:
    stmt = select(QaSample)
    if call_pk is not None:
        stmt = stmt.where(QaSample.call_pk == call_pk)
    if month is not None:
        stmt = stmt.where(QaSample.month == month)
    if inspector_id is not None:
        stmt = stmt.where(QaSample.inspector_id == inspector_id)
    if agent_id is not None:
        stmt = stmt.where(QaSample.agent_id == agent_id)
    if state is not None:
        stmt = stmt.where(QaSample.state == state)
    return list(session.scalars(stmt.order_by(QaSample.state.desc(), QaSample.id).limit(limit)))
