#!/usr/bin/env bash
# Two versions of the code, in process, alternated: bench/order_profile.py run three times for each side on
# the same database, base then new, so that both see the same machine. The base is a worktree of an
# earlier commit (git worktree add /tmp/base <commit>); "new" is this checkout.
#
#   bench/ab.sh "get list phone" [URL SUMMARY]     # default: sqlite:////tmp/prof.db /tmp/prof-summary.json
#   BASE=/tmp/base N=300 bench/ab.sh "register" postgresql://postgres@127.0.0.1/huiyin_prof /tmp/profpg-summary.json
#
# Prints one line per side, run and scenario (order_profile's summary: cpu_ms_median …); docs/benchmarks.md
# reports each side's median of its three medians.
set -euo pipefail
S=${1:-"get list"}; URL=${2:-sqlite:////tmp/prof.db}; SUM=${3:-/tmp/prof-summary.json}; N=${N:-300}
NEW=$(cd "$(dirname "$0")/.." && pwd); BASE=${BASE:-/tmp/base}; PY=$NEW/.venv/bin/python
for _ in 1 2 3; do
  for side in base new; do
    d=$BASE; [ "$side" = new ] && d=$NEW
    # shellcheck disable=SC2086  # the scenarios are words
    (cd "$d" && "$PY" -m bench.order_profile --url "$URL" --summary "$SUM" -n "$N" --only $S 2>&1 | grep scenario | sed "s/^/$side /")
  done
done
