"""Print the comparison table of one bench/peer.sh run (issue 13) as Markdown.

    python bench/peer/report.py bench/out/peer-compare.jsonl [RUN_ID]

Of each (system, scenario) it takes the last line of the run whose ``cpu_others`` is at most
``--busy`` (0.1), else the last line, marked ⚠. Ratios are Huiyin's req/s over the peer's.
"""

from __future__ import annotations

import argparse
import json
import sys

PAIRS = (  # (what, Huiyin's label, the peer's label, target ratio or None)
    ("register an order / create a ticket", "register", "create", 10),
    ("one unit's open orders, 50 rows / one queue's open tickets, 50 rows", "list", "list", 100),
    ("one order with its timeline / one ticket with its follow-ups (staff page)", "get", "get", None),
    ("… the same ticket from the peer's REST API", "get", "get_api", None),
    ("… the peer's REST API list of open tickets (no queue filter)", "list", "list_api", None),
    ("bare endpoint (no database, no auth): the ceiling", "hello", "hello", None),
)


def rps(r: dict) -> float:
    """Requests per second unrounded (the summary's ``rps`` has one decimal: too coarse below 1/s)."""
    return r["requests"] / r["elapsed_s"] if r.get("elapsed_s") else r["rps"]


def pick(rows: list[dict], system: str, label: str, busy: float) -> dict | None:
    mine = [r for r in rows if r.get("system") == system and r.get("label") == label]
    quiet = [r for r in mine if r.get("cpu_others", 0) <= busy]
    if quiet:
        return quiet[-1]
    return mine[-1] if mine else None


def cell(r: dict | None, busy: float) -> tuple[str, str, str]:
    if r is None:
        return "–", "–", "–"
    v = rps(r)
    shown = f"{v:,.2f}" if v < 1 else f"{v:,.1f}" if v < 100 else f"{v:,.0f}"
    lat = f"{r['p50_ms']:,.0f} / {r['p99_ms']:,.0f}"
    if r.get("concurrency") != 16:
        lat += f" (c={r.get('concurrency')}, n={r.get('requests')})"
    if r.get("errors"):
        lat += f", {r['errors']} errors"
    others = f"{r.get('cpu_others', 0):.2f}" + (" ⚠" if r.get("cpu_others", 0) > busy else "")
    return shown, lat, others


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("results")
    p.add_argument("run_id", nargs="?", default="")
    p.add_argument("--busy", type=float, default=0.1)
    args = p.parse_args(argv)
    with open(args.results, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    run_id = args.run_id or (rows[-1]["run_id"] if rows else "")
    rows = [r for r in rows if r.get("run_id") == run_id]
    if not rows:
        print(f"no lines of run {run_id!r} in {args.results}", file=sys.stderr)
        return 1
    hy = next((r for r in rows if r["system"] == "huiyin"), {})
    peer = next((r for r in rows if r["system"] == "django-helpdesk"), {})
    print(f"Run `{run_id}` ({min(r['at'] for r in rows)} – {max(r['at'] for r in rows)})\n")
    if hy:
        print(
            f"* Huiyin: commit `{hy.get('commit')}`, {hy.get('db')} {hy.get('size')}: {hy.get('orders'):,} orders, "
            f"{hy.get('customers'):,} customers; {hy.get('workers')} uvicorn workers"
        )
    if peer:
        v = peer.get("versions", {})
        print(
            f"* django-helpdesk {v.get('django-helpdesk')} (Django {v.get('django')}, DRF "
            f"{v.get('djangorestframework')}, gunicorn {v.get('gunicorn')}, psycopg {v.get('psycopg')}, "
            f"Python {v.get('python')}), {peer.get('db')}: {peer.get('tickets'):,} tickets, "
            f"{peer.get('followups'):,} follow-ups; {peer.get('workers')} gunicorn {peer.get('worker_class')} "
            f"workers × {peer.get('threads')} threads"
        )
    print()
    print(
        "| scenario | Huiyin req/s | p50 / p99 ms | others | django-helpdesk req/s | p50 / p99 ms | others "
        "| Huiyin ÷ peer | target |"
    )
    print("|---|---:|---|---:|---:|---|---:|---:|---|")
    for what, hl, pl, target in PAIRS:
        h, q = pick(rows, "huiyin", hl, args.busy), pick(rows, "django-helpdesk", pl, args.busy)
        if q is None and pl != hl:
            continue
        ratio = f"{rps(h) / rps(q):,.1f}×" if h and q and rps(q) else "–"
        if q and h and q.get("concurrency") != h.get("concurrency"):
            ratio += f" (peer at c={q.get('concurrency')})"
        verdict = ""
        if target and h and q and rps(q):
            verdict = f"≥ {target}×: " + ("met" if rps(h) / rps(q) >= target else "**missed**")
        # The peer's REST API rows compare with the Huiyin row above them: its cells are not repeated.
        hcells = ("″", "″", "″") if pl in ("get_api", "list_api") else cell(h, args.busy)
        print(f"| {what} | {' | '.join(hcells)} | {' | '.join(cell(q, args.busy))} | {ratio} | {verdict} |")
    print()
    print("Share of each side's own ceiling (scenario req/s ÷ its bare endpoint's req/s):\n")
    hh, ph = pick(rows, "huiyin", "hello", args.busy), pick(rows, "django-helpdesk", "hello", args.busy)
    for _what, hl, pl, _ in PAIRS[:3]:
        h, q = pick(rows, "huiyin", hl, args.busy), pick(rows, "django-helpdesk", pl, args.busy)
        hs = f"{rps(h) / rps(hh):.4f}" if h and hh else "–"
        qs = f"{rps(q) / rps(ph):.4f}" if q and ph else "–"
        print(f"* {hl} / {pl}: Huiyin {hs}, django-helpdesk {qs}")
    print()
    print("CPU shares (server / postgres / client / others) of every line of the run:\n")
    print("| system | scenario | req/s | p50 ms | p99 ms | server | postgres | client | others | at |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['system']} | {r['label']} | {rps(r):,.2f} | {r['p50_ms']:,.0f} | {r['p99_ms']:,.0f} | "
            f"{r.get('cpu_server', 0):.2f} | {r.get('cpu_postgres', 0):.2f} | {r.get('cpu_client', 0):.2f} | "
            f"{r.get('cpu_others', 0):.2f} | {r['at'][11:19]} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
