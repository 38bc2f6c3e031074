"""CPU to analyse a call recording (issue 17, huiyin.quality.audio) and a night's batch.

A realistic 5-minute stereo 8 kHz call (alternating turns of espeak-ng Mandarin, pauses of 0.3-2 s, some
dead air, some overlap: tests/audio_fixtures.py's realistic_call) is written once to bench/out/audio/ (and
reused), then:
- single: `analyse(path)` (decoding included) after one warm-up, CPU seconds by time.process_time,
  median of --repeat runs (target: under 1 s);
- batch: --calls analyses spread over --workers processes (multiprocessing, each worker analyses file
  after file as the night's worker would), wall time extrapolated to 10,000 calls (target: under 2 h),
  each worker's peak RSS after its first and its last call (memory flat).
The machine's load average is printed before and after: the numbers mean little without it.

    .venv/bin/python -m bench.audio_analysis                 # single + 200 calls on 2 workers
    .venv/bin/python -m bench.audio_analysis --calls 0       # single only
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out" / "audio"


def make_calls(n_variants: int, seconds: float) -> list[Path]:
    from tests.audio_fixtures import realistic_call

    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(1, n_variants + 1):
        path = OUT / f"call-{int(seconds)}s-8k-{seed}.wav"
        if not path.exists():
            realistic_call(seconds, rate=8000, seed=seed).write(path)
        paths.append(path)
    return paths


def _one(path: str) -> tuple[float, float, int]:
    from huiyin.quality.audio import analyse

    t = time.process_time()
    analyse(path)
    cpu = time.process_time() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return cpu, rss_mb, os.getpid()


def single(path: Path, repeat: int) -> dict[str, Any]:
    from huiyin.quality.audio import analyse

    result = analyse(path)  # warm-up: imports, first allocations
    cpus, walls = [], []
    for _ in range(repeat):
        w, t = time.perf_counter(), time.process_time()
        analyse(path)
        cpus.append(time.process_time() - t)
        walls.append(time.perf_counter() - w)
    d = result.to_dict()
    return {
        "file": str(path),
        "duration_s": d["duration"],
        "cpu_s": [round(c, 3) for c in cpus],
        "cpu_median_s": round(statistics.median(cpus), 3),
        "wall_median_s": round(statistics.median(walls), 3),
        "agent": d["channels"]["agent"],
        "customer": d["channels"]["customer"],
        "dead_air": len(d["dead_air"]),
        "talk_over": len(d["talk_over"]),
        "flags": len(d["flags"]),
    }


def batch(paths: list[Path], calls: int, workers: int) -> dict[str, Any]:
    jobs = [str(paths[i % len(paths)]) for i in range(calls)]
    w = time.perf_counter()
    per_worker: dict[int, list[float]] = {}
    cpus = []
    with mp.get_context("spawn").Pool(workers) as pool:
        for cpu, rss, pid in pool.imap_unordered(_one, jobs):
            cpus.append(cpu)
            per_worker.setdefault(pid, []).append(rss)
    wall = time.perf_counter() - w
    return {
        "calls": calls,
        "workers": workers,
        "wall_s": round(wall, 1),
        "cpu_total_s": round(sum(cpus), 1),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "calls_per_hour": round(calls / wall * 3600),
        "projected_10000_h": round(10_000 * wall / calls / 3600, 2),
        "rss_mb_first_last": {str(pid): [round(r[0]), round(r[-1])] for pid, r in per_worker.items()},
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=300.0, help="length of the generated call")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--calls", type=int, default=200, help="batch size (0: no batch)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--variants", type=int, default=3, help="different generated calls the batch cycles through")
    opts = p.parse_args(argv)
    report: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}
    paths = make_calls(opts.variants, opts.seconds)
    report["single"] = single(paths[0], opts.repeat)
    projected = 10_000 * report["single"]["cpu_median_s"] / opts.workers / 3600
    report["projection_from_single_h"] = round(projected, 2)  # 10,000 × CPU ÷ workers, an idle machine
    if opts.calls:
        report["batch"] = batch(paths, opts.calls, opts.workers)
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    (OUT / "report.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
