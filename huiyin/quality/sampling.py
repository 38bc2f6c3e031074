"""The sampling plan (抽检计划): which calls the inspectors score, and who scores each.

Per agent and month, ``per_agent`` random calls (``per_new_agent`` for an agent in their first
``new_agent_months`` calendar months on the phones, counted from the month of their first answered
call). Drawn as the month goes: by any day, the share of the
month gone by (rounded up), so the samples spread over the month rather than bunching in its first days.

Forced samples: every call a complaint was registered from, every call rated unsatisfied; the calls the
automatic analysis flagged (a high-severity flag or a phrase hit), worst first (a forbidden phrase, then the
most kinds of flag), at most ``flagged_cap`` per agent and month; and calls over ``long_seconds`` and under
``short_seconds`` of talk, at most ``long_short_cap`` of each per agent and month (at 5 % of calls flagged, a
large centre's month would otherwise bring its inspectors 15,000 calls). A call is drawn once; a call's
month is the month it was offered in.

Written conversations (``chats``): ``chats_per_agent`` random closed conversations per agent and month (the
month a conversation closed in; spread over the month as the calls are), and forced: every conversation with a
red-line phrase hit in an agent's message, every conversation rated unsatisfied. Their candidates are the
``qa_chat_checks`` rows the sweep makes as conversations close, so the draw reads no message.

Each new sample goes to the inspector with the fewest samples that month who is not the contact's agent (a
conversation: any agent who answered it; ties: the lowest id), so the work spreads evenly and nobody scores
their own contacts. The worker draws every hour (``do_draw``: drawing again adds only what is new);
``POST /quality/samples/draw`` draws at once.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.calls import service as calls
from huiyin.complaints import service as complaints
from huiyin.core.roles import Role
from huiyin.db import equal_where_given
from huiyin.errors import Conflict, Invalid
from huiyin.quality import chats
from huiyin.quality.models import CallAnalysis, QaChatCheck, QaSample, QaSamplingPlan
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
    "flagged_cap": 10,
    "inspector_ids": [],  # none named: every active QA inspector
    "chats_per_agent": 3,
    "chats_red_line": True,
    "chats_unsatisfied": True,
}
REASONS = ("complaint", "unsatisfied", "flagged", "long", "short", "new_agent", "random")
CHAT_REASONS = ("red_line", "unsatisfied", "random")
CHAT = "chat_"
"""``do_draw``'s counts of conversations' samples are keyed ``chat_<reason>``."""
DRAW_EVERY = timedelta(hours=1)


def plan(session: Session) -> dict[str, Any]:
    row = session.scalar(select(QaSamplingPlan))
    return {**DEFAULT_PLAN, **(row.plan if row else {})}


def check_plan(session: Session, given: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**plan(session), **given}
    if merged["per_new_agent"] < merged["per_agent"]:
        raise Invalid(
            "per_new_agent: at least per_agent (new agents are sampled more)",
            code="quality.new_agent_quota",
            field="per_new_agent",
        )
    long_s, short_s = merged["long_seconds"], merged["short_seconds"]
    if long_s is not None and short_s is not None and short_s >= long_s:
        raise Invalid("short_seconds: below long_seconds", code="quality.short_below_long", field="short_seconds")
    people = directory(session).users
    for i in merged["inspector_ids"]:
        p = people.get(i)
        if p is None:
            raise Invalid(
                f"inspector_ids: user {i} is not an active QA inspector",
                code="quality.no_such_user",
                field="inspector_ids",
            )
        if not p.is_active or Role.qa_inspector not in p.roles:
            raise Invalid(
                f"inspector_ids: user {i} is not an active QA inspector",
                code="quality.not_an_inspector",
                field="inspector_ids",
                name=p.full_name,
            )
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
        raise Invalid("month: YYYY-MM", code="quality.bad_month", field="month") from None
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
    """Draws what the plan asks of ``month`` and is not drawn yet; the new samples by reason.

    It reads only what it needs (the month's calls are many, the samples few): the month's samples, the forced
    candidates (each source's own query, the long and short calls by their talk), the facts of those not
    drawn yet, each agent's count of calls, and the calls of an agent only while they are short of random
    samples. So the hourly draw that finds nothing new is cheap (``bench/qa_sampling.py``)."""
    p = plan(session)
    start, end, first, last = month_window(month, tz_name)
    if at < start:
        return {}
    inspectors = _inspectors(session, p)
    if not inspectors:
        raise Conflict("there is no active QA inspector to assign samples to", code="quality.no_inspectors")
    upto = min(end, at)
    existing = session.execute(
        select(
            QaSample.call_pk, QaSample.conversation_id, QaSample.agent_id, QaSample.inspector_id, QaSample.reason
        ).where(QaSample.month == month)
    ).all()
    taken = {row.call_pk for row in existing if row.call_pk is not None}
    load = Counter({i: 0 for i in inspectors}) + Counter(row.inspector_id for row in existing)
    per_agent: Counter[tuple[int, str]] = Counter(
        (row.agent_id, row.reason) for row in existing if row.call_pk is not None
    )
    drawn: Counter[str] = Counter()

    def add(c: calls.AnsweredCall, reason: str) -> None:
        eligible = [i for i in inspectors if i != c.agent_id]
        if c.pk in taken or not eligible:
            return
        inspector = min(eligible, key=lambda i: (load[i], i))
        session.add(
            QaSample(month=month, call_pk=c.pk, agent_id=c.agent_id, inspector_id=inspector, reason=reason, drawn_at=at)
        )
        taken.add(c.pk)
        load[inspector] += 1
        per_agent[(c.agent_id, reason)] += 1
        drawn[reason] += 1

    forced: list[tuple[int, str]] = []  # (call, reason) in the order they are taken
    if p["complaint"]:
        linked = calls.call_pks_of_orders(session, complaints.complaint_order_ids(session, first, last))
        forced += [(pk, "complaint") for pk in sorted({pk for pks in linked.values() for pk in pks})]
    if p["unsatisfied"]:
        forced += [(pk, "unsatisfied") for pk in surveys.rated_calls(session, first, last)]
    if p["flagged"]:
        a = CallAnalysis
        rows = session.execute(
            select(a.call_id, a.agent_id, a.kinds, a.call_at).where(
                a.flagged.is_(True), a.call_at >= start, a.call_at < end
            )
        ).all()
        worst = sorted(rows, key=lambda r: ("forbidden" not in (r.kinds or []), -len(r.kinds or []), r.call_at))
        room = Counter({agent: int(p["flagged_cap"]) - n for (agent, why), n in per_agent.items() if why == "flagged"})
        before = taken | {pk for pk, _ in forced}  # drawn already, or for a complaint or a rating
        for r in worst:  # an agent with their share drawn has no candidate fetched
            if r.call_id not in before and room.get(r.agent_id, int(p["flagged_cap"])) > 0:
                room[r.agent_id] = room.get(r.agent_id, int(p["flagged_cap"])) - 1
                forced.append((r.call_id, "flagged"))
    long_s, short_s = p["long_seconds"], p["short_seconds"]
    if long_s is not None:
        forced += [(c.pk, "long") for c in calls.answered_calls(session, start, upto, talk_from=long_s)]
    if short_s is not None:
        forced += [(c.pk, "short") for c in calls.answered_calls(session, start, upto, talk_below=short_s)]
    facts = {
        c.pk: c for c in calls.answered_calls(session, start, upto, pks=[pk for pk, _ in forced if pk not in taken])
    }
    caps = {"flagged": int(p["flagged_cap"]), "long": int(p["long_short_cap"]), "short": int(p["long_short_cap"])}
    for pk, reason in forced:
        c = facts.get(pk)
        if c is not None and per_agent[(c.agent_id, reason)] < caps.get(reason, 1 << 30):
            add(c, reason)

    share = min(1.0, (at - start) / (end - start))
    counts = calls.answered_counts(session, start, upto)
    firsts = calls.first_answered(session, sorted(counts))
    back = int(p["new_agent_months"]) - 1  # the month sampled is one of the first ``new_agent_months``
    y, m = divmod(start.year * 12 + start.month - 1 - back, 12)
    new_since = datetime(y, m + 1, 1, tzinfo=ZoneInfo(tz_name)) if back >= 0 else end
    for agent in sorted(counts):
        new = firsts.get(agent, start) >= new_since
        reason = "new_agent" if new else "random"
        want = math.ceil((p["per_new_agent"] if new else p["per_agent"]) * share - 1e-9)
        have = per_agent[(agent, reason)]
        if want <= have:
            continue
        pool = [c for c in calls.answered_calls(session, start, upto, agent_id=agent) if c.pk not in taken]
        rng = random.Random(f"{month}:{agent}:{have}")
        for c in rng.sample(pool, min(len(pool), want - have)):
            add(c, reason)
    chats.sweep(session, at, tz_name)
    chat_rows = [r for r in existing if r.conversation_id is not None]
    drawn.update(_draw_chats(session, p, month, upto, share, at, inspectors, load, chat_rows))
    row = session.scalar(select(QaSamplingPlan).with_for_update())
    if row is None:
        session.add(QaSamplingPlan(plan={}, updated_at=at, updated_by=None, drawn_at=at))
    else:
        row.drawn_at = at
    session.flush()
    return dict(drawn)


def _draw_chats(
    session: Session,
    p: Mapping[str, Any],
    month: str,
    upto: datetime,
    share: float,
    at: datetime,
    inspectors: list[int],
    load: Counter[int],
    existing: list[Any],
) -> Counter[str]:
    """The month's conversations: forced (a red-line phrase, then an unsatisfied rating), then the random ones
    per agent; keyed ``chat_<reason>``. Reads only the sweep's checks."""
    taken = {r.conversation_id for r in existing}
    per_agent: Counter[tuple[int, str]] = Counter((r.agent_id, r.reason) for r in existing)
    drawn: Counter[str] = Counter()

    def add(conversation_id: int, agent_id: int, agent_ids: list[int], reason: str) -> None:
        eligible = [i for i in inspectors if i not in agent_ids]
        if conversation_id in taken or not eligible:
            return
        inspector = min(eligible, key=lambda i: (load[i], i))
        session.add(
            QaSample(
                month=month, call_pk=None, conversation_id=conversation_id, agent_id=agent_id,
                inspector_id=inspector, reason=reason, drawn_at=at,
            )
        )  # fmt: skip
        taken.add(conversation_id)
        load[inspector] += 1
        per_agent[(agent_id, reason)] += 1
        drawn[CHAT + reason] += 1

    k = QaChatCheck
    base = (k.month == month, k.closed_at < upto)
    if p["chats_red_line"] or p["chats_unsatisfied"]:
        wanted: list[ColumnElement[bool]] = []
        if p["chats_red_line"]:
            wanted.append(k.red_line.is_(True))
        if p["chats_unsatisfied"]:
            wanted.append(k.rating == "unsatisfied")
        stmt = select(k.conversation_id, k.agent_id, k.agent_ids, k.red_line, k.rating).where(*base, or_(*wanted))
        for r in sorted(session.execute(stmt), key=lambda r: (not r.red_line, r.conversation_id)):
            reason = "red_line" if r.red_line and p["chats_red_line"] else "unsatisfied"
            add(r.conversation_id, r.agent_id, list(r.agent_ids), reason)
    want = math.ceil(int(p["chats_per_agent"]) * share - 1e-9)
    if want <= 0:
        return drawn
    counts = dict(session.execute(select(k.agent_id, func.count()).where(*base).group_by(k.agent_id)).all())
    for agent in sorted(counts):
        have = per_agent[(agent, "random")]
        if want <= have:
            continue
        mine = session.execute(
            select(k.conversation_id, k.agent_ids).where(*base, k.agent_id == agent).order_by(k.conversation_id)
        ).all()
        pool = [(c, ids) for c, ids in mine if c not in taken]
        rng = random.Random(f"{month}:chat:{agent}:{have}")
        for c, ids in rng.sample(pool, min(len(pool), want - have)):
            add(c, agent, list(ids), "random")
    return drawn


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
    conversation_id: int | None = None,
) -> list[QaSample]:
    given = equal_where_given(
        QaSample, call_pk=call_pk, conversation_id=conversation_id, month=month, inspector_id=inspector_id,
        agent_id=agent_id, state=state,
    )  # fmt: skip
    stmt = select(QaSample).where(*given)
    return list(session.scalars(stmt.order_by(QaSample.state.desc(), QaSample.id).limit(limit)))
