"""The worker's KPI rollup refresh alone, in a loop (for ``bench.cti_load --kpi-refresh``): every ``--every``
seconds one ``performance.rollups.do_refresh``, as ``huiyin worker`` does it; prints one line per refresh
(slots recomputed, milliseconds) to stderr and a summary when stopped (SIGTERM)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from datetime import timedelta

from huiyin.clock import now
from huiyin.models import load_all
from huiyin.performance.rollups import do_refresh
from huiyin.settings import Settings
from huiyin.wiring import open_database


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--every", type=float, default=10.0)
    a = p.parse_args(argv)
    load_all()
    settings = Settings(database_url=a.url)
    db = open_database(settings)
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    times: list[float] = []
    while not stop:
        t = time.perf_counter()
        with db.session() as s:
            slots = do_refresh(s, now(), timedelta(seconds=settings.kpis.refresh_margin_seconds), settings.timezone)
        times.append(time.perf_counter() - t)
        print(f"refresh: {slots} slots in {times[-1] * 1000:.1f} ms", file=sys.stderr, flush=True)
        deadline = time.monotonic() + a.every
        while not stop and time.monotonic() < deadline:
            time.sleep(0.2)
    if times:
        ms = sorted(x * 1000 for x in times)
        print(f"refreshes: {len(ms)}, median {ms[len(ms) // 2]:.1f} ms, max {ms[-1]:.1f} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
