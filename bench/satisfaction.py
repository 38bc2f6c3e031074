"""The satisfaction and complaint figures' benchmark (issue 15): ``GET /api/v1/satisfaction`` for a month
and for a year, by day, agent, unit, category and channel, and (once ``bench.complaints_data`` added the
complaint records) ``GET /api/v1/complaints/analysis`` by stage, staff, unit and root cause, on a database
``bench.generate`` filled (2,000,000 orders and about 1,000,000 ratings at full size). The app runs in this
process (ASGI, no socket): the time is the request's, from the routing to the JSON, as a manager's token
asks for it; one request at a time.

    .venv/bin/python -m bench.satisfaction --url sqlite:///bench/out/huiyin-full.db [--repeat 40]

Prints one JSON line per figure: ``figure``, ``period``, ``group_by``, ``rows`` (groups in the answer),
``counted`` (ratings, or complaints), ``p50_ms``, ``p99_ms``, ``max_ms``, and the run's ``db``, ``ratings``,
``complaints`` and ``commit``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.app import create_app
from huiyin.auth.models import User
from huiyin.auth.service import do_issue_token
from huiyin.complaints.models import Complaint
from huiyin.db import normalize_url
from huiyin.settings import Settings
from huiyin.surveys.models import Rating
from huiyin.wiring import open_database

GROUPS = ("day", "agent", "unit", "category", "channel")
TARGET_MS = 300


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per figure (after 3 warm-up)")
    args = parser.parse_args()
    url = normalize_url(args.url)
    os.environ["HUIYIN_WORKER__EMBEDDED"] = "false"
    settings = Settings(database_url=url)
    db = open_database(settings)
    with db.session() as s:
        manager = s.scalar(select(User).where(User.username == "duty_manager"))
        assert manager is not None, "no duty_manager: fill the database with bench.generate first"
        token = do_issue_token(s, manager, "access", hours=2).secret
        last: date | None = s.scalar(select(func.max(Rating.day)))
        ratings = s.scalar(select(func.count()).select_from(Rating)) or 0
        complaints = s.scalar(select(func.count()).select_from(Complaint)) or 0
    assert last is not None, "no ratings in this database"
    if isinstance(last, str):
        last = date.fromisoformat(last)
    periods = {"month": last - timedelta(days=29), "year": last - timedelta(days=364)}
    commit = _commit()
    failures = 0
    figures = [
        (period, "satisfaction", g, f"/api/v1/satisfaction?from={first}&to={last}&group_by={g}")
        for period, first in periods.items()
        for g in GROUPS
    ]
    if complaints:
        figures += [
            (period, "complaints", b, f"/api/v1/complaints/analysis?from={first}&to={last}&by={b}")
            for period, first in periods.items()
            for b in ("stage", "staff", "unit", "root_cause", "area")
        ]
        figures += [
            (period, f"complaints_{name}", by, f"/api/v1/complaints/{name.replace('_', '-')}?from={first}&to={last}"
             + (f"&by={by}" if by else ""))
            for period, first in periods.items()
            for name, by in (("summary", ""), ("by_month", "stage"), ("rates", "unit"), ("rates", "area"))
        ]
    with TestClient(create_app(settings, db=db)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for period, figure, group_by, q in figures:
            for _ in range(3):
                body = client.get(q).json()
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = client.get(q)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
            times.sort()
            p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
            row = {
                "figure": figure,
                "period": period,
                "group_by": group_by,
                "rows": len(body.get("items", [body])),
                "counted": body["total"]["surveyed"] if figure == "satisfaction" else sum(
                    i["complaints"] for i in body.get("items", [body])
                ),
                "p50_ms": round(statistics.median(times), 1),
                "p99_ms": round(p99, 1),
                "max_ms": round(times[-1], 1),
                "db": settings.database_url.split(":")[0].split("+")[0],
                "ratings": ratings,
                "complaints": complaints,
                "commit": commit,
            }
            failures += p99 > TARGET_MS
            print(json.dumps(row), flush=True)
    db.dispose()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
