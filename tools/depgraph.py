"""The domains' import graph: which top-level part of ``huiyin`` imports which, and how often.

    .venv/bin/python -m tools.depgraph                  # a Markdown table of edges, then the two-way pairs
    .venv/bin/python -m tools.depgraph --before f44e95b # the same, beside the graph of an older commit
    .venv/bin/python -m tools.depgraph --mermaid        # the graph as a Mermaid diagram

An edge A → B counts the import statements in A's modules that name a module of B (lazy imports inside
functions included: grimp reads the source, it does not run it). ``make depgraph`` prints it; the
before/after in docs/architecture.md comes from this command.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import grimp

PACKAGE = "huiyin"


def part(module: str) -> str:
    """``huiyin.sla.jobs`` → ``sla``; a top-level module (``huiyin.app``) is its own part."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else pieces[0]


def edges() -> Counter[tuple[str, str]]:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    out: Counter[tuple[str, str]] = Counter()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = part(importer), part(imported)
            if a != b:
                details = graph.get_import_details(importer=importer, imported=imported)
                out[(a, b)] += max(len(details), 1)
    return out


DOMAINS = {
    "core", "storage", "auth", "org", "customers", "workorders", "sla", "notify", "calls", "surveys", "complaints",
    "performance",
}


def edges_at(rev: str) -> Counter[tuple[str, str]]:
    """The graph of ``huiyin/`` as it was at commit ``rev`` (``git archive`` into a temporary folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "archive", rev, "huiyin"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--json"],
            env={**os.environ, "PYTHONPATH": tmp},
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        )
    return Counter({(a, b): n for a, b, n in json.loads(done.stdout)})


def two_way(shown: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    return sorted({(min(a, b), max(a, b)) for a, b in shown if (b, a) in shown})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mermaid", action="store_true")
    parser.add_argument("--json", action="store_true", help="the edges as JSON [[from, to, imports], …]")
    parser.add_argument("--before", metavar="REV", help="a column for the graph at this commit")
    parser.add_argument("--all", action="store_true", help="also the composition modules (app, cli, demo, …)")
    opts = parser.parse_args()
    found = edges()
    if opts.json:
        print(json.dumps([[a, b, n] for (a, b), n in sorted(found.items())]))
        return
    keep = (lambda e: True) if opts.all else (lambda e: e[0] in DOMAINS and e[1] in DOMAINS)
    shown = {e: n for e, n in sorted(found.items()) if keep(e)}
    if opts.before:
        old = {e: n for e, n in edges_at(opts.before).items() if keep(e)}
        print(f"| from → to | at `{opts.before}` | now |\n|---|---:|---:|")
        for a, b in sorted(set(old) | set(shown)):
            now = shown.get((a, b), 0)
            print(f"| {a} → {b} | {old.get((a, b), 0)} | {now}{' (gone)' if not now else ''} |")
        for label, graph in ((opts.before, old), ("now", shown)):
            pairs = two_way(graph)
            print(f"\n{label}: {len(graph)} edges, {sum(graph.values())} imports, two-way pairs: {len(pairs)}"
                  + (" (" + ", ".join(f"{a} ↔ {b}" for a, b in pairs) + ")" if pairs else ""))
        return
    if opts.mermaid:
        print("graph TD")
        for (a, b), n in shown.items():
            print(f"  {a} -->|{n}| {b}")
        return
    print("| from | to | imports |\n|---|---|---:|")
    for (a, b), n in shown.items():
        print(f"| {a} | {b} | {n} |")
    pairs = two_way(shown)
    print(f"\ndomain → domain edges: {len(shown)}, imports: {sum(shown.values())}, two-way pairs: {len(pairs)}"
          + (" (" + ", ".join(f"{a} ↔ {b}" for a, b in pairs) + ")" if pairs else ""))


if __name__ == "__main__":
    main()
