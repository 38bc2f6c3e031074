"""Early warning (特征值预警): volumes against their own seasonal baseline, and live figures against limits.

**Spikes.** Every finished 15-minute slot, each series is compared with the same weekday and slot over the
last ``warn_weeks`` weeks (kpis.md): the median of those counts and their MAD (median absolute deviation),
and the modified z-score ``0.6745 · (x − median) / MAD``. A count over ``warn_z`` (3.5) that is also at
least the floor (``warn_floor_orders`` / ``warn_floor_calls``) and at least ``warn_min_ratio`` (1.5) times
the median is a spike. The MAD is never taken below 1, nor below a Poisson count's (0.6745 · √median):
counts are at least that noisy, and a series that is always the same (often 0) would otherwise warn at any
change. The ratio keeps a busy series, whose MAD is small beside its level, from warning at a Monday 20 %
busier than the last eight (measured: docs/benchmarks.md). The series are orders registered by category ×
area (a burst of 无气 reports in one area) and calls offered by queue (from the call rollups).

**Limits.** The same slot's service level (the centre's variant) under ``sl_target`` two slots running,
abandonment over ``abandon_limit`` (each only with at least ``warn_min_offered`` calls), and, every run,
a caller waiting longer than ``longest_wait_limit_seconds`` in a queue.

A warning is kept one per rule and series while open: a repeat adds a hit. A new one notifies the duty
managers (in the app). ``evaluate`` is pure over a slot's numbers, so ``replay`` can run it over history
(the false-alarm rate in docs/kpis.md) without writing anything.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select, update
from sqlalchemy.orm import Session

from huiyin.calls.models import Call
from huiyin.calls.service.agents import board
from huiyin.errors import Conflict, NotFound
from huiyin.notify.service import Audience, Message, do_notify
from huiyin.org.models import Area
from huiyin.performance import kpis
from huiyin.performance.facts import FACT_NAMES, summed
from huiyin.performance.models import SLOT_SECONDS, KpiCallSlot, KpiWarning
from huiyin.performance.orders import ALL_STATES
from huiyin.performance.rollups import locked_mark
from huiyin.settings import KpiSettings, NotifySettings
from huiyin.workorders.models import Category, WorkOrder

WEEK = 7 * 96  # slots
MARK = "warnings"
SLOTS = KpiCallSlot.__table__.c
LATE = timedelta(minutes=2)  # a slot is judged this long after it ends: its last events are in


@dataclass(frozen=True)
class Spike:
    median: float
    mad: float
    score: float


def spike(x: int, history: Sequence[int], z: float, floor: int, ratio: float = 1.0) -> Spike | None:
    """``x`` against ``history`` (the same slot in earlier weeks): a spike, or None. ``ratio``: x must also be
    at least that many times the median (a busy series' MAD is small beside its level: a 20 % busier Monday
    than the last eight is far out in MADs, and no incident)."""
    if x < floor or not history:
        return None
    med = statistics.median(history)
    if x < ratio * med:
        return None
    # counts are at least as noisy as a Poisson count: the MAD is taken as no less than a Poisson MAD
    # (0.6745 · √median), and no less than 1
    mad = max(statistics.median(abs(h - med) for h in history), 0.6745 * math.sqrt(med), 1.0)
    score = 0.6745 * (x - med) / mad
    return Spike(med, mad, round(score, 2)) if score > z else None


@dataclass(frozen=True)
class Found:
    rule: str
    series: str
    label: str
    slot: int
    value: float
    baseline: float | None = None
    mad: float | None = None
    score: float | None = None
    history: tuple[int, ...] = ()


def slot_start(slot: int) -> datetime:
    return datetime.fromtimestamp(slot * SLOT_SECONDS, UTC)


# --------------------------------------------------------------------------------------------- the series


def order_counts(session: Session, slot: int, floor: int = 0) -> dict[tuple[int, int], int]:
    """(category id, area id) → orders registered in the slot (those of at least ``floor``)."""
    w = WorkOrder.__table__.c
    area = func.coalesce(w.area_id, literal_column("0"))  # no bound parameter: the GROUP BY is the same text
    stmt = (
        select(w.category_id, area, func.count())
        .where(w.state.in_(ALL_STATES), w.created_at >= slot_start(slot), w.created_at < slot_start(slot + 1))
        .group_by(w.category_id, area)
    )
    if floor:
        stmt = stmt.having(func.count() >= floor)
    return {(int(c), int(a)): int(n) for c, a, n in session.execute(stmt)}


def call_counts(session: Session, slot: int) -> dict[str, int]:
    """queue → calls offered in the slot (the call rollups)."""
    stmt = (
        select(SLOTS.queue, func.sum(SLOTS.offered))
        .where(SLOTS.slot == slot, SLOTS.direction == "in")
        .group_by(SLOTS.queue)
    )
    return {q: int(n or 0) for q, n in session.execute(stmt)}


def centre_facts(session: Session, slot: int) -> dict[str, int]:
    """The slot's inbound call facts, the whole centre."""
    row = (
        session.execute(
            select(*(summed(SLOTS[n], n).label(n) for n in FACT_NAMES)).where(
                SLOTS.slot == slot, SLOTS.direction == "in"
            )
        )
        .mappings()
        .one()
    )
    return {k: int(v or 0) for k, v in row.items()}


def _names(session: Session) -> Callable[[int, int], str]:
    cats = {i: n for i, n in session.execute(select(Category.id, Category.name))}
    areas = {i: n for i, n in session.execute(select(Area.id, Area.name))}
    return lambda c, a: f"{cats.get(c, c)} · {areas.get(a, '未知区域') if a else '未知区域'}"


@dataclass(frozen=True)
class Since:
    """When the stored history begins: a baseline of weeks before it would be zeros that never happened (a new
    installation's first burst is no spike)."""

    orders: datetime | None
    calls: datetime | None


def since(session: Session) -> Since:
    w = WorkOrder.__table__.c
    first_order = session.scalar(select(w.created_at).where(w.id == select(func.min(w.id)).scalar_subquery()))
    first_call = session.scalar(select(func.min(Call.__table__.c.offered_at)))
    return Since(first_order, first_call)


def evaluate(session: Session, slot: int, cfg: KpiSettings, short_abandon: int, known: Since) -> list[Found]:
    """What the finished ``slot`` warns of (nothing is written). Spikes only once the stored history covers
    the baseline's weeks (``known``)."""
    out: list[Found] = []
    weeks = [slot - WEEK * k for k in range(cfg.warn_weeks, 0, -1)]
    baseline_from = slot_start(weeks[0] + 1)  # the history reaches back into the baseline's first slot
    orders_known = known.orders is not None and known.orders < baseline_from
    calls_known = known.calls is not None and known.calls < baseline_from
    now_orders = order_counts(session, slot, cfg.warn_floor_orders) if orders_known else {}
    if now_orders:
        past = [order_counts(session, s) for s in weeks]
        name = _names(session)
        for (cat, area), x in sorted(now_orders.items()):
            history = [p.get((cat, area), 0) for p in past]
            found = spike(x, history, cfg.warn_z, cfg.warn_floor_orders, cfg.warn_min_ratio)
            if found:
                out.append(
                    Found(
                        "spike_orders",
                        f"category={cat},area={area}",
                        name(cat, area),
                        slot,
                        x,
                        found.median,
                        found.mad,
                        found.score,
                        tuple(history),
                    )
                )
    now_calls = call_counts(session, slot) if calls_known else {}
    candidates = {q: n for q, n in now_calls.items() if n >= cfg.warn_floor_calls}
    if candidates:
        past_calls = [call_counts(session, s) for s in weeks]
        for queue, x in sorted(candidates.items()):
            history = [p.get(queue, 0) for p in past_calls]
            found = spike(x, history, cfg.warn_z, cfg.warn_floor_calls, cfg.warn_min_ratio)
            if found:
                out.append(
                    Found(
                        "spike_calls",
                        f"queue={queue}",
                        f"队列 {queue or '（无）'}",
                        slot,
                        x,
                        found.median,
                        found.mad,
                        found.score,
                        tuple(history),
                    )
                )
    f, before = centre_facts(session, slot), centre_facts(session, slot - 1)
    t = cfg.sl_threshold_seconds
    variant = kpis.SERVICE_LEVEL[cfg.sl_variant]
    if f["offered"] >= cfg.warn_min_offered and before["offered"] >= cfg.warn_min_offered:
        sl, sl_before = variant(f, t, short_abandon), variant(before, t, short_abandon)
        if sl is not None and sl_before is not None and sl < cfg.sl_target and sl_before < cfg.sl_target:
            out.append(Found("sl_low", "centre", f"服务水平 {cfg.sl_variant}（{t}秒）", slot, sl, cfg.sl_target))
    if f["offered"] >= cfg.warn_min_offered:
        rate = kpis.abandon_rate(f, short_abandon)
        if rate is not None and rate > cfg.abandon_limit:
            out.append(Found("abandon_high", "centre", "放弃率", slot, rate, cfg.abandon_limit))
    return out


def live_waits(session: Session, slot: int, cfg: KpiSettings) -> list[Found]:
    """Queues where a caller has waited longer than the limit, now."""
    return [
        Found(
            "wait_long",
            f"queue={q['queue']}",
            f"队列 {q['queue'] or '（无）'} 最长等待",
            slot,
            q["longest_wait_seconds"],
            cfg.longest_wait_limit_seconds,
        )
        for q in board(session)["queues"]
        if q["waiting"] and q["longest_wait_seconds"] > cfg.longest_wait_limit_seconds
    ]


# --------------------------------------------------------------------------------------------- keeping


RULE_NAMES = {
    "spike_orders": "工单量突增",
    "spike_calls": "话务量突增",
    "sl_low": "服务水平偏低",
    "abandon_high": "放弃率偏高",
    "wait_long": "等待过长",
}


def do_record(session: Session, found: Iterable[Found], at: datetime, notify: NotifySettings) -> list[KpiWarning]:
    """Keeps what was found: a new warning per rule and series (the duty managers told), or a hit on the open
    one. The new warnings."""
    made = []
    for f in found:
        open_one = session.scalars(
            select(KpiWarning).where(
                KpiWarning.rule == f.rule, KpiWarning.series == f.series, KpiWarning.state == "open"
            )
        ).one_or_none()
        if open_one is not None:
            if f.slot > open_one.last_slot:
                open_one.hits += 1
                open_one.last_slot = f.slot
            open_one.value = max(open_one.value, f.value) if f.rule != "sl_low" else min(open_one.value, f.value)
            open_one.updated_at = at
            continue
        w = KpiWarning(
            rule=f.rule,
            series=f.series,
            label=f.label,
            first_slot=f.slot,
            last_slot=f.slot,
            hits=1,
            value=f.value,
            baseline=f.baseline,
            mad=f.mad,
            score=f.score,
            history=list(f.history),
            state="open",
            created_at=at,
            updated_at=at,
        )
        session.add(w)
        made.append(w)
    if made:
        session.flush()
        managers = Audience(session).role_holders("duty_manager", None)
        for w in made:
            msg = Message(
                kind="kpi_alert",
                title=f"特征值预警：{RULE_NAMES[w.rule]}",
                body=_body(w),
                data=_facts(w),
            )
            do_notify(session, managers, msg, key=f"kpi_warning:{w.id}", settings=notify)
    return made


def _facts(w: KpiWarning) -> dict[str, Any]:
    """What the notification says, as data: the web app words it in the reader's language (the title and body
    above are for SMS and e-mail). ``value`` and ``baseline``: counts for a spike, seconds for a wait, shares
    (0–1) for the rates."""
    return {
        "warning_id": w.id,
        "rule": w.rule,
        "label": w.label,
        "value": w.value,
        "baseline": w.baseline,
        "weeks": len(w.history),
        "from": slot_start(w.first_slot).isoformat(),
    }


def _body(w: KpiWarning) -> str:
    at = slot_start(w.first_slot)
    if w.rule.startswith("spike"):
        return f"{w.label}：{int(w.value)}（近{len(w.history)}周同时段中位数 {w.baseline:g}），{at:%H:%M} UTC 起"
    if w.rule == "wait_long":
        return f"{w.label} {int(w.value)} 秒，超过 {int(w.baseline or 0)} 秒"
    return f"{w.label} {w.value:.1%}，限值 {(w.baseline or 0):.0%}"


def do_run(session: Session, at: datetime, cfg: KpiSettings, short_abandon: int, notify: NotifySettings) -> int:
    """The worker's step: judges every slot finished since the last run (at most the last four), and the
    live waits; the number of new warnings."""
    current = int((at - LATE).timestamp()) // SLOT_SECONDS  # the slots before this one are judged
    mark, new = locked_mark(session, MARK, slot_start(current), "")
    first = current - 1 if new else max(int(mark.upto.timestamp()) // SLOT_SECONDS, current - 4)
    found: list[Found] = []
    known = since(session)
    for slot in range(first, current):
        found += evaluate(session, slot, cfg, short_abandon, known)
    found += live_waits(session, current, cfg)
    mark.upto = max(mark.upto, slot_start(current))
    return len(do_record(session, found, at, notify))


def open_warnings(session: Session) -> list[KpiWarning]:
    return list(session.scalars(select(KpiWarning).where(KpiWarning.state == "open").order_by(KpiWarning.id)))


def do_acknowledge(session: Session, warning_id: int, user_id: int, outcome: str, at: datetime) -> KpiWarning:
    w = session.get(KpiWarning, warning_id)
    if w is None:
        raise NotFound(f"no warning {warning_id}", code="performance.no_such_warning", warning_id=warning_id)
    if w.state != "open":
        raise Conflict("this warning was acknowledged already", code="performance.warning_acknowledged")
    session.execute(
        update(KpiWarning)
        .where(KpiWarning.id == warning_id)
        .values(state="acknowledged", outcome=outcome, acknowledged_by=user_id, acknowledged_at=at, updated_at=at)
    )
    session.refresh(w)
    return w


def replay(session: Session, first: int, end: int, cfg: KpiSettings, short_abandon: int) -> list[Found]:
    """``evaluate`` over the slots [first, end) of history, nothing written: what would have warned."""
    out: list[Found] = []
    known = since(session)
    for slot in range(first, end):
        out += evaluate(session, slot, cfg, short_abandon, known)
    return out


def warning_data(w: KpiWarning) -> dict[str, Any]:
    return {
        "id": w.id,
        "rule": w.rule,
        "rule_name": RULE_NAMES.get(w.rule, w.rule),
        "series": w.series,
        "label": w.label,
        "first_at": slot_start(w.first_slot),
        "last_at": slot_start(w.last_slot),
        "hits": w.hits,
        "value": w.value,
        "baseline": w.baseline,
        "mad": w.mad,
        "score": w.score,
        "history": w.history,
        "state": w.state,
        "outcome": w.outcome,
        "acknowledged_by": w.acknowledged_by,
        "acknowledged_at": w.acknowledged_at,
        "created_at": w.created_at,
    }
