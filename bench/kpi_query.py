"""Times the KPI reports over real HTTP against a running server (issue 16's targets: a month's call KPIs by
agent under 1 s, a year's under 3 s, with 10,000,000 call records and 2,000,000 orders).

    python -m bench.generate --url postgresql://…/huiyin_kpi --calls 10000000 --agents 300
    HUIYIN_DATABASE_URL=… huiyin kpis rebuild
    HUIYIN_DATABASE_URL=… HUIYIN_WORKER__EMBEDDED=false huiyin serve --port 8010 &
    python -m bench.kpi_query --port 8010 --now 2026-12-06 --repeat 7

Each report is asked once to warm up, then ``--repeat`` times; the median and the slowest are printed, with
the number of items and offered calls the answer held (so that a fast empty answer shows as such). With
``--live`` the rollups' mark is not touched: the part of the period after the last refresh is read from the
calls, as on a live server; the first run after ``kpis rebuild`` has the whole year in the rollups.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta

import httpx


def reports(today: date) -> list[tuple[str, str, dict[str, str]]]:
    month_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # the last whole month
    month_end = today.replace(day=1) - timedelta(days=1)
    year_start = today - timedelta(days=364)
    month = {"from": month_start.isoformat(), "to": month_end.isoformat()}
    year = {"from": year_start.isoformat(), "to": today.isoformat()}
    rows = [
        ("month by agent", {**month, "group_by": "agent"}),
        ("year by agent", {**year, "group_by": "agent"}),
        ("month, whole centre", {**month, "group_by": "none"}),
        ("month by queue", {**month, "group_by": "queue"}),
        ("year by day", {**year, "group_by": "day"}),
        ("month by 30 min", {**month, "group_by": "interval", "interval": "30"}),
        ("today by agent", {"from": today.isoformat(), "to": today.isoformat(), "group_by": "agent"}),
        ("month by agent, T=25 s (not kept: from the calls)", {**month, "group_by": "agent", "threshold": "25"}),
    ]
    order_rows = [
        ("orders: a month by category", {**month, "group_by": "category"}),
        ("orders: a year by category", {**year, "group_by": "category"}),
        ("orders: a month by unit", {**month, "group_by": "unit"}),
        ("orders: a year by day", {**year, "group_by": "day"}),
    ]
    four_weeks = {"from": (today - timedelta(days=27)).isoformat(), "to": today.isoformat()}
    pattern_rows = [
        ("heatmap: calls, 4 weeks", "/kpis/heatmap", {**four_weeks, "measure": "calls"}),
        ("heatmap: calls, a year", "/kpis/heatmap", {**year, "measure": "calls"}),
        ("heatmap: orders, 4 weeks", "/kpis/heatmap", {**four_weeks, "measure": "orders"}),
        ("heatmap: orders, a year", "/kpis/heatmap", {**year, "measure": "orders"}),
        ("pareto: a month by category", "/kpis/pareto", {**month, "of": "category"}),
        ("pareto: a year by area", "/kpis/pareto", {**year, "of": "area"}),
    ]
    return (
        [(name, "/kpis/calls", params) for name, params in rows]
        + [("wallboard", "/kpis/wallboard", {})]
        + [(name, "/kpis/orders", params) for name, params in order_rows]
        + pattern_rows
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--user", default="duty_manager")
    p.add_argument("--password", default="demo")
    p.add_argument("--now", type=date.fromisoformat, default=date.today())
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--json-out", default=None)
    a = p.parse_args(argv)
    base = f"http://{a.host}:{a.port}/api/v1"
    with httpx.Client(base_url=base, timeout=120) as client:
        r = client.post("/auth/token", json={"username": a.user, "password": a.password})
        r.raise_for_status()
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        results = []
        for name, path, params in reports(a.now):
            times = []
            body: dict[str, object] = {}
            for i in range(a.repeat + 1):
                t = time.perf_counter()
                r = client.get(path, params=params)
                elapsed = time.perf_counter() - t
                r.raise_for_status()
                body = r.json()
                if i:
                    times.append(elapsed)
            items = body.get("items", [body.get("today", {})])
            assert isinstance(items, list)
            if "cells" in body:
                items = list(body["cells"])  # type: ignore[call-overload]
            offered = sum(int(i.get("offered", i.get("registered", i.get("count", 0)))) for i in items)
            row = {
                "report": name,
                "median_ms": round(statistics.median(times) * 1000, 1),
                "max_ms": round(max(times) * 1000, 1),
                "items": len(items),
                "offered": offered,
            }
            results.append(row)
            print(
                f"{name:<52} median {row['median_ms']:>8} ms   max {row['max_ms']:>8} ms   "
                f"{len(items):>5} items  {offered:>10,} offered"
            )
    if a.json_out:
        with open(a.json_out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"port": a.port, "now": a.now.isoformat(), "results": results}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
