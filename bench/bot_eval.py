"""The FAQ bot's matcher against a set of customers' questions: how often it finds the right FAQ, how often it
answers wrongly, and how long one question takes.

    python -m bench.bot_eval --set bench/data/bot_dev.jsonl                  # the module's THRESHOLD / MARGIN
    python -m bench.bot_eval --set bench/data/bot_dev.jsonl --threshold 0.5 --margin 0.05 -v
    python -m bench.bot_eval --set bench/data/bot_dev.jsonl --sweep          # a grid of thresholds and margins

The set is JSON lines ``{"q": question, "expect": FAQ key or null, "kind": ...}``; ``null`` means no FAQ answers
it (out of scope). The matcher is built as production builds it: the seeded FAQs of
``huiyin/knowledge/data/faq.json`` (questions = title + variants, the utility from the top-level parent of the
FAQ's category) and its synonym groups.

Measured:

- **raw top-1 / top-3**: the expected FAQ is first / among the first three, over the questions that have one;
- **answered-correct**: the bot answers (score ≥ threshold and lead over the second FAQ ≥ margin) and it is the
  expected FAQ, over the questions that have one;
- **false answers**: the bot answers and it is not the expected FAQ (or the question has none), over all
  questions;
- per kind, the same; and the time of one ``match()`` (after one warm-up pass), p50 / p99 in ms.

Tune only on the dev set (``bench/data/bot_dev.jsonl``); the held-out set measures the result once.
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
            Result(r["q"], r.get("expect"), r.get("kind", "?"), [m.faq.key for m in ms], score, score - second, el)
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--set", type=Path, default=ROOT / "bench" / "data" / "bot_dev.jsonl", help="JSON lines")
    ap.add_argument("--faq", type=Path, default=FAQ_JSON, help="the seeded FAQ file")
    ap.add_argument("--threshold", type=float, default=M.THRESHOLD, help=f"default {M.THRESHOLD}")
    ap.add_argument("--margin", type=float, default=M.MARGIN, help=f"default {M.MARGIN}")
    ap.add_argument("--sweep", action="store_true", help="also a grid of thresholds × margins")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the questions the bot gets wrong")
    ap.add_argument("--json", action="store_true", help="one JSON line of the figures at the end")
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    matcher = load_matcher(a.faq)
    build_ms = (time.perf_counter() - t0) * 1000
    rows = [json.loads(line) for line in a.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = run(matcher, rows)

    total = figures(results, a.threshold, a.margin)
    e = max(total.expected, 1)
    print(f"set {a.set}  questions {total.n}  with an expected FAQ {total.expected}  FAQs {len(matcher.faqs)}")
    print(f"raw top-1 {total.top1 / e:.1%}   top-3 {total.top3 / e:.1%}")
    print(
        f"threshold {a.threshold}  margin {a.margin}:  answered-correct {total.correct}/{total.expected} "
        f"= {total.correct / e:.1%}   false answers {total.false}/{total.n} = {total.false / max(total.n, 1):.1%}"
    )
    by_kind: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r)
    for kind in sorted(by_kind):
        print(f"  {kind:13s} {figures(by_kind[kind], a.threshold, a.margin).line()}")
    times = [r.ms for r in results]
    print(
        f"match(): p50 {statistics.median(times):.2f} ms  p99 {pct(times, 99):.2f} ms  max {max(times):.2f} ms"
        f"   (build {build_ms:.0f} ms)"
    )

    if a.sweep:
        print("\nthreshold margin  answered-correct  false/all")
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
        print(
            json.dumps(
                {
                    "set": str(a.set),
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
