"""The FAQ bot's matcher against a set of customers' questions: how often it finds the right FAQ, how often it
answers wrongly, and how long one question takes.

    python -m bench.bot_eval                                  # both dev sets, the module's THRESHOLD / MARGIN
    python -m bench.bot_eval --set bench/data/bot_dev.jsonl   # one set
    python -m bench.bot_eval --set bench/data/bot_dev.jsonl --set bench/data/bot_dev2.jsonl --threshold 0.5 -v
    python -m bench.bot_eval --sweep                          # a grid of thresholds and margins (all sets)

A set is JSON lines ``{"q": question, "expect": FAQ key or null, "kind": ..., "sub": ...}``; ``null`` means no FAQ
answers it (out of scope), and ``sub`` (optional) says which kind of out-of-scope question it is (chitchat,
unrelated, adjacent, reuse). ``--set`` may be given several times: the figures are printed for each set, then for
all of them together (when more than one). The matcher is built as production builds it: the seeded FAQs of
``huiyin/knowledge/data/faq.json`` (questions = title + variants, the utility from the top-level parent of the
FAQ's category) and its synonym groups.

Measured:

- **raw top-1 / top-3**: the expected FAQ is first / among the first three, over the questions that have one;
- **answered-correct**: the bot answers (score ≥ threshold and lead over the second FAQ ≥ margin) and it is the
  expected FAQ, over the questions that have one;
- **false answers**: the bot answers and it is not the expected FAQ (or the question has none), over all
  questions;
- per kind, the same; and the time of one ``match()`` (after one warm-up pass), p50 / p99 in ms.

Tune only on the dev sets (``bench/data/bot_dev.jsonl``, ``bench/data/bot_dev2.jsonl``); the held-out set measures
the result once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huiyin.bot import matcher as M

ROOT = Path(__file__).resolve().parent.parent
FAQ_JSON = ROOT / "huiyin" / "knowledge" / "data" / "faq.json"


def load_matcher(path: Path = FAQ_JSON) -> M.Matcher:
    """The matcher over the seeded FAQs, as production builds it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    parent = {c["key"]: c["parent"] for c in data["categories"]}

    def top(key: str) -> str:
        while parent.get(key):
            key = parent[key]
        return key

    faqs = [
        M.Faq(
            article_id=i + 1,
            title=f["title"],
            answer=f["answer"],
            questions=(f["title"], *f["variants"]),
            key=f["key"],
            utility=top(f["category"]),
            category=f["category"],
        )
        for i, f in enumerate(data["faqs"])
    ]
    return M.Matcher(faqs, data["synonyms"])


@dataclass
class Result:
    q: str
    expect: str | None
    kind: str
    sub: str | None  # the kind of out-of-scope question (chitchat, unrelated, adjacent, reuse), if the set says
    keys: list[str | None]  # the top three FAQs' keys, best first
    score: float  # the best score
    lead: float  # best score − second score
    ms: float


def run(matcher: M.Matcher, rows: list[dict[str, Any]]) -> list[Result]:
    for r in rows:  # warm-up: jieba's caches, the first allocations
        matcher.match(r["q"])
    out: list[Result] = []
    for r in rows:
        t0 = time.perf_counter()
        ms = matcher.match(r["q"], top=3)
        el = (time.perf_counter() - t0) * 1000
        score = ms[0].score if ms else 0.0
        second = ms[1].score if len(ms) > 1 else 0.0
        out.append(
            Result(
                r["q"],
                r.get("expect"),
                r.get("kind", "?"),
                r.get("sub"),
                [m.faq.key for m in ms],
                score,
                score - second,
                el,
            )
        )
    return out


def answered(r: Result, threshold: float, margin: float) -> bool:
    return bool(r.keys) and r.score >= threshold and r.lead >= margin


@dataclass
class Figures:
    n: int
    expected: int
    top1: int
    top3: int
    correct: int
    false: int

    def line(self) -> str:
        e = max(self.expected, 1)
        return (
            f"n={self.n:4d}  top1 {self.top1 / e:6.1%}  top3 {self.top3 / e:6.1%}  "
            f"answered-correct {self.correct:3d}/{self.expected:<3d} {self.correct / e:6.1%}  "
            f"false {self.false:3d}/{self.n:<3d} {self.false / max(self.n, 1):6.1%}"
        )


def figures(results: list[Result], threshold: float, margin: float) -> Figures:
    f = Figures(len(results), 0, 0, 0, 0, 0)
    for r in results:
        ans = answered(r, threshold, margin)
        if r.expect:
            f.expected += 1
            f.top1 += bool(r.keys) and r.keys[0] == r.expect
            f.top3 += r.expect in r.keys
            f.correct += ans and r.keys[0] == r.expect
        f.false += ans and r.keys[0] != r.expect
    return f


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


DEV_SETS = [ROOT / "bench" / "data" / "bot_dev.jsonl", ROOT / "bench" / "data" / "bot_dev2.jsonl"]


def load_set(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def report(name: str, results: list[Result], threshold: float, margin: float) -> Figures:
    total = figures(results, threshold, margin)
    e = max(total.expected, 1)
    print(f"set {name}  questions {total.n}  with an expected FAQ {total.expected}")
    print(f"raw top-1 {total.top1 / e:.1%}   top-3 {total.top3 / e:.1%}")
    print(
        f"threshold {threshold}  margin {margin}:  answered-correct {total.correct}/{total.expected} "
        f"= {total.correct / e:.1%}   false answers {total.false}/{total.n} = {total.false / max(total.n, 1):.1%}"
    )
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r)
        if r.sub:
            by_kind[f"{r.kind}/{r.sub}"].append(r)
    for kind in sorted(by_kind):
        label = kind if "/" not in kind else "  " + kind.split("/", 1)[1]
        print(f"  {label:13s} {figures(by_kind[kind], threshold, margin).line()}")
    times = [r.ms for r in results]
    print(f"match(): p50 {statistics.median(times):.2f} ms  p99 {pct(times, 99):.2f} ms  max {max(times):.2f} ms\n")
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--set",
        type=Path,
        action="append",
        help="JSON lines; may be repeated (default: bench/data/bot_dev.jsonl and bench/data/bot_dev2.jsonl)",
    )
    ap.add_argument("--faq", type=Path, default=FAQ_JSON, help="the seeded FAQ file")
    ap.add_argument("--threshold", type=float, default=M.THRESHOLD, help=f"default {M.THRESHOLD}")
    ap.add_argument("--margin", type=float, default=M.MARGIN, help=f"default {M.MARGIN}")
    ap.add_argument("--sweep", action="store_true", help="also a grid of thresholds × margins (all sets together)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the questions the bot gets wrong")
    ap.add_argument("--json", action="store_true", help="one JSON line of the figures per set at the end")
    a = ap.parse_args(argv)
    sets: list[Path] = a.set or DEV_SETS

    t0 = time.perf_counter()
    matcher = load_matcher(a.faq)
    build_ms = (time.perf_counter() - t0) * 1000
    print(f"FAQs {len(matcher.faqs)}  (matcher built in {build_ms:.0f} ms)\n")
    per_set = [(str(p), run(matcher, load_set(p))) for p in sets]
    named = list(per_set)
    if len(per_set) > 1:
        named.append(("all", [r for _, rs in per_set for r in rs]))
    totals = [(name, results, report(name, results, a.threshold, a.margin)) for name, results in named]
    results = named[-1][1]

    if a.sweep:
        e = max(totals[-1][2].expected, 1)
        print("threshold margin  answered-correct  false/all   (all sets)")
        for t in [x / 100 for x in range(20, 81, 5)]:
            for m in (0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25):
                f = figures(results, t, m)
                print(f"  {t:.2f}     {m:.2f}     {f.correct / e:6.1%}          {f.false / max(f.n, 1):6.1%}")

    if a.verbose:
        print("\nwrong top-1, or answered wrongly (q | expected | top-3 | score lead):")
        for r in results:
            first = r.keys[0] if r.keys else None
            if first != r.expect or (r.expect is None and answered(r, a.threshold, a.margin)):
                mark = "ANSWERED" if answered(r, a.threshold, a.margin) else "        "
                print(f"  {mark} {r.q} | {r.expect} | {r.keys} | {r.score:.3f} {r.lead:.3f}")
        print("\nright top-1 but not answered:")
        for r in results:
            if r.expect and r.keys and r.keys[0] == r.expect and not answered(r, a.threshold, a.margin):
                print(f"  {r.q} | {r.expect} | {r.score:.3f} {r.lead:.3f}")
    if a.json:
        for name, rs, total in totals:
            e = max(total.expected, 1)
            times = [r.ms for r in rs]
            print(
                json.dumps(
                    {
                        "set": name,
                        "threshold": a.threshold,
                        "margin": a.margin,
                        "top1": round(total.top1 / e, 4),
                        "top3": round(total.top3 / e, 4),
                        "answered_correct": round(total.correct / e, 4),
                        "false_rate": round(total.false / max(total.n, 1), 4),
                        "ms_p50": round(statistics.median(times), 3),
                        "ms_p99": round(pct(times, 99), 3),
                    }
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
