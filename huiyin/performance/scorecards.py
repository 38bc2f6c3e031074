"""The monthly agent scorecard (月度考评).

**The template** (``scorecard_template``, editable; the defaults below until it is saved) is a list of weighted
items, each one figure of the agent's month (``FIGURES``) with its normalisation:

- ``target``: the ``floor`` earns 0 points, the ``target`` the item's whole weight, straight in between and
  clipped (for a figure where lower is better, AHT, the floor is the larger number);
- ``rank``: the agent's place among the group's agents with a value, best 1, worst 0.

The weights add up to 100 (else 422). By default the process item, the repair and emergency registrations
the units did not send back (the centre's "重点加强对客服代表受理客户报修、事故报警流程方面的考评力度"),
weighs most. An item whose figure is missing for the agent (no QA evaluation that month) earns no points and
its weight is shared among the agent's other items in proportion, stated on the line (``missing``).

**A month** is computed (a draft, version 1), reviewed, then published: frozen. Computing a published
month again makes a new version, which needs a reason; the old one is kept. An agent reads their own
published scorecards; managers read every version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.auth.models import User, UserRole
from huiyin.complaints import figures as complaint_figures
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.performance import kpis
from huiyin.performance.models import Scorecard, ScorecardLine, ScorecardTemplateItem
from huiyin.performance.periods import month_bounds, period
from huiyin.performance.service import CallQuery, _occupancy, call_facts
from huiyin.quality import results as quality_results
from huiyin.surveys import service as surveys
from huiyin.workorders.models import WorkOrder, WorkOrderEvent


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    category: str  # workload | efficiency | quality | satisfaction | discipline | process
    higher_is_better: bool
    unit: str


FIGURES = {
    f.code: f
    for f in (
        Figure("calls_handled", "接听及外呼量", "workload", True, "通"),
        Figure("talk_hours", "通话时长", "workload", True, "小时"),
        Figure("aht", "平均处理时长", "efficiency", False, "秒"),
        Figure("acw", "平均话后处理", "efficiency", False, "秒"),
        Figure("occupancy", "占用率", "efficiency", True, ""),
        Figure("qa_score", "质检得分", "quality", True, "分"),
        Figure("satisfaction", "满意率", "satisfaction", True, ""),
        Figure("valid_complaints", "有效投诉", "discipline", False, "件"),
        Figure("registrations_right", "报修及事故报警受理正确率", "process", True, ""),
    )
}


@dataclass(frozen=True)
class Item:
    code: str
    weight: int
    method: str = "target"  # target | rank
    target: float | None = None
    floor: float | None = None


DEFAULT_TEMPLATE = (
    Item("registrations_right", 30, "target", 1.0, 0.9),
    Item("qa_score", 15, "target", 95, 70),
    Item("satisfaction", 15, "target", 0.98, 0.85),
    Item("calls_handled", 15, "rank"),
    Item("aht", 10, "target", 240, 480),
    Item("acw", 5, "target", 30, 120),
    Item("valid_complaints", 10, "target", 0, 3),
)


def template(session: Session) -> list[Item]:
    saved = list(session.scalars(select(ScorecardTemplateItem).order_by(ScorecardTemplateItem.position)))
    if not saved:
        return list(DEFAULT_TEMPLATE)
    return [Item(t.code, t.weight, t.method, t.target, t.floor) for t in saved]


def check_template(items: Sequence[Mapping[str, Any]]) -> list[Item]:
    out = []
    for n, raw in enumerate(items):
        code, method = raw.get("code"), raw.get("method", "target")
        if code not in FIGURES:
            raise Invalid(f"items[{n}].code: one of {', '.join(FIGURES)}", code="performance.item_figure", item=n + 1)
        if method not in ("target", "rank"):
            raise Invalid(f"items[{n}].method: target or rank", code="performance.item_method", item=n + 1)
        target, floor = raw.get("target"), raw.get("floor")
        if method == "target" and (target is None or floor is None or target == floor):
            raise Invalid(
                f"items[{n}]: a target item needs a target and a floor that differ",
                code="performance.item_target_floor",
                item=n + 1,
            )
        out.append(Item(code, int(raw.get("weight", 0)), method, target, floor))
    codes = [i.code for i in out]
    if len(set(codes)) != len(codes):
        raise Invalid("each figure may appear once", code="performance.figure_twice")
    if sum(i.weight for i in out) != 100:
        total = sum(i.weight for i in out)
        raise Invalid(
            f"the weights must add up to 100 (they add up to {total})", code="performance.weights_sum", total=total
        )
    return out


def do_set_template(session: Session, items: Sequence[Item]) -> list[Item]:
    session.query(ScorecardTemplateItem).delete()
    session.add_all(
        ScorecardTemplateItem(position=n, code=i.code, weight=i.weight, method=i.method, target=i.target, floor=i.floor)
        for n, i in enumerate(items)
    )
    session.flush()
    return template(session)


# ------------------------------------------------------------------------------------------------ figures


def agents(session: Session) -> dict[int, User]:
    stmt = select(User).join(UserRole).where(UserRole.role == "agent", User.is_active.is_(True))
    return {u.id: u for u in session.scalars(stmt)}


def figures(session: Session, month: str, tz_name: str) -> dict[int, dict[str, float | None]]:
    """Each agent's figures for the month, from the stored facts."""
    first, last = month_bounds(month)
    p = period(first.isoformat(), last.isoformat(), tz_name)
    cast = agents(session)
    out: dict[int, dict[str, float | None]] = {a: dict.fromkeys(FIGURES) for a in cast}
    handled: defaultdict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    q = CallQuery(period=p, group_by="agent")
    for (agent_id, _direction), facts in call_facts(session, q, tz_name).items():
        for name in ("answered", "talk", "hold", "acw", "acw_calls"):
            handled[int(agent_id)][name] += facts.get(name, 0)  # inbound answered and outbound connected
    for agent_id, h in handled.items():
        if agent_id not in out or not h["answered"]:
            continue
        f = out[agent_id]
        f["calls_handled"] = float(h["answered"])
        f["talk_hours"] = round(h["talk"] / 3600, 2)
        f["acw"] = kpis.acw(h)
        f["aht"] = kpis.aht(h)
    occ = _occupancy(session, CallQuery(period=p, group_by="agent"), p.end, tz_name)
    for agent_id, (handling, available) in occ.items():
        if agent_id in out:
            out[agent_id]["occupancy"] = kpis.occupancy(handling, available)
    rated, _ = surveys.satisfaction(session, kind="instant", group_by="agent", start=first, end=last)
    for c in rated:
        if c.key.isdigit() and int(c.key) in out:
            out[int(c.key)]["satisfaction"] = c.rate(False)
    for agent_id, qa in quality_results.month_scores(session, month).items():
        if agent_id in out:
            out[agent_id]["qa_score"] = qa  # the mean final score of the month's evaluations (issue 17)
    valid = {t.key: t.valid for t in complaint_figures.analysis(session, by="staff", first=first, last=last)}
    for agent_id, f in out.items():
        f["valid_complaints"] = float(valid.get(str(agent_id), 0))
    w, e = WorkOrder.__table__.c, WorkOrderEvent.__table__.c
    returned = (
        select(e.order_id).where(e.action == "return").distinct().subquery()
    )  # sent back by a unit: wrongly registered (分类、地址或单位有误)
    rows = session.execute(
        select(w.owner_agent_id, func.count(), func.count(returned.c.order_id))
        .outerjoin(returned, returned.c.order_id == w.id)
        .where(
            w.type.in_(("repair", "emergency")),
            w.created_at >= p.start,
            w.created_at < p.end,
            w.owner_agent_id.in_(list(cast)),
        )
        .group_by(w.owner_agent_id)
    )
    for agent_id, registered, sent_back in rows:
        out[agent_id]["registrations_right"] = round(1 - sent_back / registered, 4) if registered else None
    return out


# ------------------------------------------------------------------------------------------------ scoring


def _by_target(value: float, item: Item) -> float:
    assert item.target is not None and item.floor is not None
    share = (value - item.floor) / (item.target - item.floor)
    return min(1.0, max(0.0, share))


def _by_rank(values: Mapping[int, float], agent_id: int, higher: bool) -> float:
    ordered = sorted(values.values(), reverse=higher)
    if len(ordered) == 1:
        return 1.0
    place = ordered.index(values[agent_id])  # ties share the better place
    return 1 - place / (len(ordered) - 1)


def score(figs: Mapping[int, Mapping[str, float | None]], items: Sequence[Item]) -> dict[int, dict[str, Any]]:
    """agent → total and lines; each item ``{"code", "raw", "points", "weight", "missing"}``."""
    out: dict[int, dict[str, Any]] = {}
    for agent_id, f in figs.items():
        present = [i for i in items if f.get(i.code) is not None]
        scale = 100 / sum(i.weight for i in present) if present and sum(i.weight for i in present) else 0.0
        lines: list[dict[str, Any]] = []
        total = 0.0
        for i in items:
            raw = f.get(i.code)
            if raw is None:
                lines.append({"code": i.code, "raw": None, "points": None, "weight": i.weight, "missing": True})
                continue
            if i.method == "rank":
                values = {a: float(v) for a, g in figs.items() if (v := g.get(i.code)) is not None}
                share = _by_rank(values, agent_id, FIGURES[i.code].higher_is_better)
            else:
                share = _by_target(float(raw), i)
            exact = share * i.weight * scale
            total += exact
            lines.append({"code": i.code, "raw": raw, "points": round(exact, 2), "weight": i.weight, "missing": False})
        out[agent_id] = {"total": round(total, 2), "items": lines}
    return out


# ------------------------------------------------------------------------------------------------ the month


def latest(session: Session, month: str, *, published_only: bool = False) -> Scorecard | None:
    stmt = select(Scorecard).where(Scorecard.month == month)
    if published_only:
        stmt = stmt.where(Scorecard.state == "published")
    return session.scalars(stmt.order_by(Scorecard.version.desc()).limit(1)).one_or_none()


def version_of(session: Session, month: str, version: int) -> Scorecard | None:
    stmt = select(Scorecard).where(Scorecard.month == month, Scorecard.version == version)
    return session.scalars(stmt).one_or_none()


def do_compute(session: Session, month: str, tz_name: str, user_id: int, at: datetime, reason: str | None) -> Scorecard:
    """Computes the month: a new draft (version 1), the draft made again, or, once published, a new version
    with its reason."""
    month_bounds(month)
    if date.fromisoformat(f"{month}-01") > at.date():
        raise Invalid("month: not before it has begun", code="performance.month_not_begun")
    last = latest(session, month)
    if last is not None and last.state != "draft" and not (reason or "").strip():
        raise Invalid(
            "this month was reviewed or published: a new version needs a reason",
            code="performance.recompute_reason",
            field="reason",
        )
    items = template(session)
    figs = figures(session, month, tz_name)
    scored = score(figs, items)
    if last is not None and last.state == "draft":
        card = last
        session.query(ScorecardLine).filter(ScorecardLine.scorecard_id == card.id).delete()
    else:
        card = Scorecard(month=month, version=(last.version + 1) if last else 1, state="draft", reason=reason)
        session.add(card)
    card.computed_at, card.computed_by = at, user_id
    card.template = [i.__dict__ for i in items]
    session.flush()
    users = agents(session)
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for agent_id in scored:
        groups[str(users[agent_id].unit_id or 0)].append(agent_id)
    for group, members in groups.items():
        members.sort(key=lambda a: (-scored[a]["total"], users[a].username))
        for rank, agent_id in enumerate(members, start=1):
            s = scored[agent_id]
            session.add(
                ScorecardLine(
                    scorecard_id=card.id,
                    agent_id=agent_id,
                    group_key=group,
                    rank=rank,
                    total=s["total"],
                    items=s["items"],
                )
            )
    session.flush()
    return card


STEPS = {"review": ("draft", "reviewed"), "publish": ("reviewed", "published")}


def do_step(session: Session, card_id: int, step: str, user_id: int, at: datetime) -> Scorecard:
    card = session.get(Scorecard, card_id)
    if card is None:
        raise NotFound(f"no scorecard {card_id}", code="performance.no_such_scorecard", card_id=card_id)
    before, after = STEPS[step]
    if card.state != before:
        detail = f"a scorecard {card.state} cannot be {after}; {step} needs one {before}"
        if step == "review":
            raise Conflict(detail, code="performance.review_needs_draft")
        raise Conflict(detail, code="performance.publish_needs_reviewed")
    card.state = after
    if step == "review":
        card.reviewed_at, card.reviewed_by = at, user_id
    else:
        card.published_at, card.published_by = at, user_id
    session.flush()
    return card


def card_data(
    session: Session, card: Scorecard, *, agent_id: int | None = None, group: str | None = None, bottom: int = 0
) -> dict[str, Any]:
    stmt = (
        select(ScorecardLine, User)
        .join(User, User.id == ScorecardLine.agent_id)
        .where(ScorecardLine.scorecard_id == card.id)
    )
    if agent_id is not None:
        stmt = stmt.where(ScorecardLine.agent_id == agent_id)
    if group is not None:
        stmt = stmt.where(ScorecardLine.group_key == group)
    rows = session.execute(stmt.order_by(ScorecardLine.group_key, ScorecardLine.rank)).all()
    sizes = {
        g: n
        for g, n in session.execute(
            select(ScorecardLine.group_key, func.count())
            .where(ScorecardLine.scorecard_id == card.id)
            .group_by(ScorecardLine.group_key)
        )
    }
    first, last = month_bounds(card.month)
    items = []
    for line, user in rows:
        items.append(
            {
                "key": line.agent_id,
                "label": user.full_name,
                "username": user.username,
                "group": line.group_key,
                "rank": line.rank,
                "total": line.total,
                "bottom": bool(bottom) and line.rank > sizes[line.group_key] - bottom,
                "items": [
                    {**it, "name": FIGURES[it["code"]].name, "source": _source(it["code"], line.agent_id, first, last)}
                    for it in line.items
                ],
            }
        )
    return {
        "id": card.id,
        "month": card.month,
        "version": card.version,
        "state": card.state,
        "reason": card.reason,
        "computed_at": card.computed_at,
        "reviewed_at": card.reviewed_at,
        "published_at": card.published_at,
        "template": card.template,
        "items": items,
    }


def _source(code: str, agent_id: int, first: date, last: date) -> str | None:
    """Where the facts behind a figure are listed (the web app's pages, filtered)."""
    span = f"from={first.isoformat()}&to={last.isoformat()}"
    if code in ("calls_handled", "talk_hours", "aht", "acw", "occupancy"):
        return f"/calls?agent_id={agent_id}&{span}"
    if code == "registrations_right":
        return f"/orders?owner_agent_id={agent_id}&{span}"
    if code == "satisfaction":
        return f"/satisfaction?group_by=agent&{span}"
    if code == "valid_complaints":
        return f"/complaints?{span}"
    return None


def history(session: Session, agent_id: int, *, published_only: bool) -> list[dict[str, Any]]:
    """An agent's scorecards month by month, newest first (the latest version of each)."""
    stmt = (
        select(Scorecard.month, Scorecard.version, Scorecard.state, ScorecardLine.total, ScorecardLine.rank)
        .join(ScorecardLine, ScorecardLine.scorecard_id == Scorecard.id)
        .where(ScorecardLine.agent_id == agent_id)
        .order_by(Scorecard.month.desc(), Scorecard.version.desc())
    )
    if published_only:
        stmt = stmt.where(Scorecard.state == "published")
    seen: set[str] = set()
    out = []
    for month, version, state, total, rank in session.execute(stmt):
        if month in seen:
            continue
        seen.add(month)
        out.append({"month": month, "version": version, "state": state, "total": total, "rank": rank})
    return out
