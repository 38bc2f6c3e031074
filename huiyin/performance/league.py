"""The unit league table (单位考核排名): the handling stations ranked each month.

Each station's month is measured on six figures (``METRICS``): on-time rate and reopen rate of its closed
orders, 催办 and 督办 per 100 orders registered, complaints per 10,000 of its areas' customers a month, and
满意率 (satisfied ÷ rated). Each figure is scored 0–1 against the other stations of the month, min–max
(the best 1, the worst 0; all equal: 1), and weighted (``league_weights``, editable, summing to 100). A
station with no value for a figure (no order closed, nobody rated) is scored on the others, their weights
scaled up to 100; a station with no order registered or closed in the month is not ranked. The lowest
``bottom`` totals are flagged 末位. Each item also carries the rank a month
before (its movement) and its totals over the last three months (the trend).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from huiyin.complaints import figures as complaint_figures
from huiyin.errors import Invalid
from huiyin.org.refs import org
from huiyin.performance import orders
from huiyin.performance.models import LeagueWeight
from huiyin.performance.periods import month_bounds, period
from huiyin.surveys import service as surveys


@dataclass(frozen=True)
class Metric:
    code: str
    name: str
    higher_is_better: bool
    weight: int  # the default


METRICS = (
    Metric("on_time_rate", "按时办结率", True, 30),
    Metric("satisfaction", "满意率", True, 25),
    Metric("complaint_rate", "万户投诉率", False, 20),
    Metric("reopen_rate", "重复派单率", False, 15),
    Metric("urged", "催办率（每百单）", False, 5),
    Metric("supervised", "督办率（每百单）", False, 5),
)
CODES = tuple(m.code for m in METRICS)


def weights(session: Session) -> dict[str, int]:
    """The weights in force: the saved ones, else the defaults."""
    saved = {w.code: w.weight for w in session.scalars(select(LeagueWeight))}
    return {m.code: saved.get(m.code, m.weight) if saved else m.weight for m in METRICS}


def check_weights(given: Mapping[str, int]) -> dict[str, int]:
    unknown = sorted(set(given) - set(CODES))
    if unknown:
        raise Invalid(
            f"unknown figures: {', '.join(unknown)}; the figures are {', '.join(CODES)}",
            code="performance.unknown_figures",
        )
    out = {c: int(given.get(c, 0)) for c in CODES}
    if any(v < 0 for v in out.values()):
        raise Invalid("a weight cannot be negative", code="performance.negative_weight")
    if sum(out.values()) != 100:
        total = sum(out.values())
        raise Invalid(
            f"the weights must add up to 100 (they add up to {total})", code="performance.weights_sum", total=total
        )
    return out


def do_set_weights(session: Session, checked: Mapping[str, int]) -> dict[str, int]:
    session.execute(delete(LeagueWeight))
    session.add_all(LeagueWeight(code=c, weight=w) for c, w in checked.items())
    session.flush()
    return weights(session)


def previous(month: str, n: int = 1) -> str:
    first, _ = month_bounds(month)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return first.strftime("%Y-%m")


def _ratio(a: float, b: float, scale: float = 1.0) -> float | None:
    return round(a / b * scale, 4) if b else None


def figures(session: Session, month: str, tz_name: str) -> dict[int, dict[str, float | None]]:
    """Each station's six figures for the month."""
    first, last = month_bounds(month)
    p = period(first.isoformat(), last.isoformat(), tz_name)
    by_unit = orders.order_facts(session, p.start, p.end, p.tz, "unit")
    rates = {r.key: r for r in complaint_figures.rates(session, by="unit", first=first, last=last)}
    rated, _ = surveys.satisfaction(session, kind="instant", group_by="unit", start=first, end=last)
    satisfied = {c.key: c for c in rated}
    out: dict[int, dict[str, float | None]] = {}
    for unit in org(session).units.values():
        if unit.kind != "station" or not unit.is_active:
            continue
        key = str(unit.id)
        acc = by_unit.get(key)
        if acc is None or not (acc.registered or acc.closed):
            continue  # no order registered or closed this month: nothing to judge it on
        rate, sat = rates.get(key), satisfied.get(key)
        out[unit.id] = {
            "on_time_rate": _ratio(acc.on_time, acc.closed),
            "reopen_rate": _ratio(acc.reopened, acc.closed),
            "urged": _ratio(acc.urged, acc.registered, 100),
            "supervised": _ratio(acc.supervised, acc.registered, 100),
            "complaint_rate": rate.per_10k_month if rate else None,
            "satisfaction": sat.rate(False) if sat else None,
        }
    return out


def _scores(values: Mapping[int, float | None], higher: bool) -> dict[int, float]:
    """Min–max within the month: the best 1, the worst 0, all equal 1; units without a value left out."""
    known = {u: v for u, v in values.items() if v is not None}
    if not known:
        return {}
    lo, hi = min(known.values()), max(known.values())
    if hi == lo:
        return dict.fromkeys(known, 1.0)
    return {u: (v - lo) / (hi - lo) if higher else (hi - v) / (hi - lo) for u, v in known.items()}


def standings(session: Session, month: str, tz_name: str, w: Mapping[str, int]) -> list[dict[str, Any]]:
    """The month's stations ranked by total (ties by name)."""
    figs = figures(session, month, tz_name)
    scores = {m.code: _scores({u: f[m.code] for u, f in figs.items()}, m.higher_is_better) for m in METRICS}
    units = org(session).units
    rows: list[dict[str, Any]] = []
    for unit_id, f in figs.items():
        present = [m for m in METRICS if unit_id in scores[m.code] and w[m.code] > 0]
        scale = 100 / sum(w[m.code] for m in present) if present else 0.0
        items = []
        total = 0.0
        for m in METRICS:
            score = scores[m.code].get(unit_id)
            exact = score * w[m.code] * scale if score is not None and m in present else None
            total += exact or 0.0
            points = round(exact, 2) if exact is not None else None
            items.append({"code": m.code, "name": m.name, "raw": f[m.code], "points": points, "weight": w[m.code]})
        rows.append({"key": unit_id, "label": units[unit_id].name, "total": round(total, 2), "items": items})
    rows.sort(key=lambda r: (-float(r["total"]), str(r["label"])))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows


def league(session: Session, month: str, tz_name: str, bottom: int) -> dict[str, Any]:
    """``GET /league``: the month's standings with 末位, movement and the three months' trend."""
    w = weights(session)
    rows = standings(session, month, tz_name, w)
    before = [standings(session, previous(month, k), tz_name, w) for k in (1, 2)]
    rank_before = {r["key"]: r["rank"] for r in before[0]}
    totals = [{r["key"]: r["total"] for r in b} for b in before]
    for r in rows:
        r["bottom"] = r["rank"] > len(rows) - bottom
        was = rank_before.get(r["key"])
        r["previous_rank"] = was
        r["movement"] = was - r["rank"] if was is not None else None  # up is positive
        r["trend"] = [totals[1].get(r["key"]), totals[0].get(r["key"]), r["total"]]
    return {"month": month, "weights": w, "bottom": bottom, "items": rows}
