"""The domains' import graph: which top-level part of ``huiyin`` imports which, and how often.

    .venv/bin/python -m tools.depgraph            # a Markdown table of edges, then the two-way pairs
    .venv/bin/python -m tools.depgraph --mermaid  # the same graph as a Mermaid diagram

An edge A → B counts the import statements in A's modules that name a module of B (lazy imports inside
functions included: grimp reads the source, it does not run it). ``make depgraph`` prints it; the
before/after in docs/architecture.md comes from this command.
"""

from __future__ import annotations

import argparse
from collections import Counter

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


DOMAINS = {"core", "storage", "auth", "org", "customers", "workorders", "sla", "notify", "calls"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mermaid", action="store_true")
    parser.add_argument("--all", action="store_true", help="also the composition modules (app, cli, demo, …)")
    opts = parser.parse_args()
    found = edges()
    shown = {e: n for e, n in sorted(found.items()) if opts.all or (e[0] in DOMAINS and e[1] in DOMAINS)}
    if opts.mermaid:
        print("graph TD")
        for (a, b), n in shown.items():
            print(f"  {a} -->|{n}| {b}")
        return
    print("| from | to | imports |\n|---|---|---:|")
    for (a, b), n in shown.items():
        print(f"| {a} | {b} | {n} |")
    two_way = sorted({tuple(sorted(e)) for e in shown if (e[1], e[0]) in shown})
    print(f"\ndomain → domain edges: {len(shown)}, imports: {sum(shown.values())}, two-way pairs: {len(two_way)}"
          + (" (" + ", ".join(f"{a} ↔ {b}" for a, b in two_way) + ")" if two_way else ""))


if __name__ == "__main__":
    main()
