"""Per agent and month (质检结果): the QA score (the mean of the month's evaluations, each at its final score:
after an appeal, the decided one), the red-line count, appeals, and the automatic flag rates per 100 analysed
calls (fast speech, dead air, talk-over, forbidden phrases), with the QA score of the months before for the
trend. The monthly scorecard reads its QA score from ``qa_scores``.

An evaluation counts in the month it was scored; calibrations do not count. A conversation's evaluation counts
as a call's does: the QA score is the plain mean over every final score of the month, calls and conversations
weighted the same (``chat_evaluations`` says how many of them were conversations).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.quality.models import CallAnalysis, QaAppeal, QaEvaluation
from huiyin.quality.sampling import month_window

RATE_KINDS = ("fast_speech", "dead_air", "talk_over", "forbidden")
TREND_MONTHS = 6


def qa_scores(session: Session, months: Sequence[str]) -> dict[tuple[int, str], tuple[float, int]]:
    """(agent, month) → (mean final score, evaluations)."""
    e = QaEvaluation
    stmt = (
        select(e.agent_id, e.month, func.avg(e.score), func.count())
        .where(e.month.in_(list(months)), e.calibration_id.is_(None))
        .group_by(e.agent_id, e.month)
    )
    return {(int(a), m): (round(float(avg), 2), int(n)) for a, m, avg, n in session.execute(stmt)}


def month_scores(session: Session, month: str) -> dict[int, float]:
    """agent → the month's QA score (the scorecard's ``qa_score``)."""
    return {a: score for (a, _), (score, _) in qa_scores(session, [month]).items()}


def months_before(month: str, n: int) -> list[str]:
    year, mon = (int(x) for x in month.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year:04}-{mon:02}")
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    return out[::-1]


def monthly(session: Session, month: str, tz_name: str, agent_id: int | None = None) -> list[dict[str, Any]]:
    start, end, _, _ = month_window(month, tz_name)
    months = months_before(month, TREND_MONTHS)
    scores = qa_scores(session, months)
    e = QaEvaluation
    where = [e.month == month, e.calibration_id.is_(None)]
    if agent_id is not None:
        where.append(e.agent_id == agent_id)
    red = dict(
        session.execute(select(e.agent_id, func.count()).where(*where, e.red_line.is_(True)).group_by(e.agent_id)).all()
    )
    appealed = dict(
        session.execute(
            select(e.agent_id, func.count())
            .join(QaAppeal, QaAppeal.evaluation_id == e.id)
            .where(*where)
            .group_by(e.agent_id)
        ).all()
    )
    chats = dict(
        session.execute(
            select(e.agent_id, func.count()).where(*where, e.conversation_id.is_not(None)).group_by(e.agent_id)
        ).all()
    )
    a = CallAnalysis
    analysed: defaultdict[int, int] = defaultdict(int)
    with_kind: defaultdict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RATE_KINDS, 0))
    stmt = select(a.agent_id, a.kinds).where(
        a.call_at >= start, a.call_at < end, a.agent_id.is_not(None), a.state == "done"
    )
    if agent_id is not None:
        stmt = stmt.where(a.agent_id == agent_id)
    for agent, kinds in session.execute(stmt):
        if agent is None:
            continue
        analysed[agent] += 1
        for k in kinds or ():
            if k in with_kind[agent]:
                with_kind[agent][k] += 1
    agents = {ag for (ag, m) in scores if m == month} | set(analysed) | set(red)
    if agent_id is not None:
        agents &= {agent_id}
    rows = []
    for agent in sorted(agents):
        score, n = scores.get((agent, month), (None, 0))
        calls = analysed.get(agent, 0)
        rows.append(
            {
                "agent_id": agent,
                "month": month,
                "qa_score": score,
                "evaluations": n,
                "chat_evaluations": int(chats.get(agent, 0)),
                "red_lines": int(red.get(agent, 0)),
                "appeals": int(appealed.get(agent, 0)),
                "analysed_calls": calls,
                "per_100": {k: (round(100 * with_kind[agent][k] / calls, 1) if calls else None) for k in RATE_KINDS},
                "trend": [{"month": m, "qa_score": scores.get((agent, m), (None, 0))[0]} for m in months],
            }
        )
    return rows
