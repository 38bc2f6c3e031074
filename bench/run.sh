#!/usr/bin/env bash
# Generate a bench database, serve Huiyin on it and load it with bench/loadclient.py (loopback only).
#
#   bench/run.sh [sqlite|pg] [small|full]
#
#   small = 50,000 customers / 100,000 orders (a quick check); full = 1,000,000 / 2,000,000.
#   SQLite: bench/out/huiyin-<size>.db; PostgreSQL: database huiyin_bench on 127.0.0.1 (user postgres,
#   trust auth), dropped and created fresh.
#
# Environment (all optional):
#   CUSTOMERS / ORDERS   override the volume of the size
#   SKIP_GENERATE=1      reuse the database of an earlier run (registrations of that run stay in it)
#   SNAPSHOT=1|<commit>  serve a copy of HEAD's (or that commit's) huiyin/ instead of the working tree
#   GENERATE_ONLY=1      stop after generating
#   QUIET_WAIT=300       before each scenario, wait up to this many seconds until the other processes on
#                        the machine use < QUIET_BUSY (default 0.25) of the CPUs (0 = do not wait); the
#                        CPU share they used just before is recorded as busy_before
#   PORT=8765 WORKERS=2 CONCURRENCY=16 TIME_LIMIT=60 SCALE=1 (multiplies the request counts)
#   SCENARIOS="hello get list phone address2 address3 register" (and tail: 手机尾号, the last 4 digits)
#
# Output in bench/out/: generate-<db>-<size>.log, summary-<db>-<size>.json, phones-<db>-<size>.txt,
# server-<db>-<size>.log, and one JSON line per scenario appended to results-<db>.jsonl (the load client's
# summary plus db, size, label, volume, code commit, time, and the CPU shares used meanwhile by the server,
# PostgreSQL, the client and everybody else).
set -euo pipefail

DB=${1:-sqlite}
SIZE=${2:-small}
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
OUT=$ROOT/bench/out
mkdir -p "$OUT"

case $SIZE in
  small) CUSTOMERS=${CUSTOMERS:-50000}; ORDERS=${ORDERS:-100000} ;;
  full)  CUSTOMERS=${CUSTOMERS:-1000000}; ORDERS=${ORDERS:-2000000} ;;
  *) echo "usage: $0 [sqlite|pg] [small|full]" >&2; exit 2 ;;
esac
PORT=${PORT:-8765}
WORKERS=${WORKERS:-2}
CONCURRENCY=${CONCURRENCY:-16}
TIME_LIMIT=${TIME_LIMIT:-60}
SCALE=${SCALE:-1}
SCENARIOS=${SCENARIOS:-"hello get list phone address2 address3 register"}
PGHOST=127.0.0.1
PGDB=huiyin_bench

case $DB in
  sqlite)
    DBFILE=$OUT/huiyin-$SIZE.db
    URL="sqlite:///$DBFILE" ;;
  pg)
    URL="postgresql://postgres@$PGHOST/$PGDB" ;;
  *) echo "usage: $0 [sqlite|pg] [small|full]" >&2; exit 2 ;;
esac
TAG=$DB-$SIZE
SUMMARY=$OUT/summary-$TAG.json
PHONES=$OUT/phones-$TAG.txt
RESULTS=$OUT/results-$DB.jsonl

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# ---------------------------------------------------------------------------------------------- generate
if [[ ${SKIP_GENERATE:-0} != 1 ]]; then
  if [[ $DB == sqlite ]]; then
    rm -f "$DBFILE" "$DBFILE-wal" "$DBFILE-shm" "$DBFILE-journal"
  else
    psql -h $PGHOST -U postgres -qX -c "DROP DATABASE IF EXISTS $PGDB" -c "CREATE DATABASE $PGDB"
  fi
  log "generating $CUSTOMERS customers / $ORDERS orders into $URL"
  START=$(date +%s)
  /usr/bin/time -f "generate: %e s wall, %M KB max RSS" \
    "$PY" -m bench.generate --url "$URL" --customers "$CUSTOMERS" --orders "$ORDERS" \
      --phones-out "$PHONES" --summary-out "$SUMMARY" 2>&1 | tee "$OUT/generate-$TAG.log"
  log "generation took $(( $(date +%s) - START )) s"
  if [[ $DB == pg ]]; then
    psql -h $PGHOST -U postgres -qXAt -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size('$PGDB'))" \
      | tee -a "$OUT/generate-$TAG.log"
  else
    echo "database size: $(du -h "$DBFILE" | cut -f1)" | tee -a "$OUT/generate-$TAG.log"
  fi
fi
[[ -f $SUMMARY ]] || { echo "no $SUMMARY: generate first (without SKIP_GENERATE)" >&2; exit 1; }
read -r STATIONS BUSIEST MAX_ORDER MAX_CUSTOMER < <("$PY" -c "
import json, sys
s = json.load(open(sys.argv[1]))
print(','.join(map(str, s['station_unit_ids'])), s['busiest_station_id'], s['max_order_id'], s['max_customer_id'])
" "$SUMMARY")
log "station unit ids: $STATIONS (busiest: $BUSIEST)"
[[ ${GENERATE_ONLY:-0} == 1 ]] && exit 0

# ---------------------------------------------------------------------------------------------- serve
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# The code under test: the working tree ("+dirty" when huiyin/ has uncommitted changes), or with SNAPSHOT=1
# a copy of HEAD's huiyin/ (git archive) put first on the server's PYTHONPATH, so that edits made while a
# long run is going on do not change the code half-way.
SNAPSHOT=${SNAPSHOT:-0}
[[ $SNAPSHOT == 1 ]] && SNAPSHOT=HEAD
REV=$([[ $SNAPSHOT != 0 ]] && echo "$SNAPSHOT" || echo HEAD)
COMMIT=$(git rev-parse --short "$REV" 2>/dev/null || echo unknown)
SERVER_PYTHONPATH=${PYTHONPATH:-}
if [[ $SNAPSHOT != 0 ]]; then
  SNAP=$OUT/code-$COMMIT
  rm -rf "$SNAP" && mkdir -p "$SNAP"
  git archive "$REV" huiyin | tar -x -C "$SNAP"
  SERVER_PYTHONPATH=$SNAP${PYTHONPATH:+:$PYTHONPATH}
else
  [[ -n $(git status --porcelain -- huiyin 2>/dev/null) ]] && COMMIT="$COMMIT+dirty"
fi
CODE_FILE=$(cd /tmp && PYTHONPATH=$SERVER_PYTHONPATH "$PY" -c "import huiyin; print(huiyin.__file__)")
log "starting huiyin serve on 127.0.0.1:$PORT with $WORKERS workers (code $COMMIT from $CODE_FILE)"
PYTHONPATH=$SERVER_PYTHONPATH HUIYIN_DATABASE_URL=$URL "$ROOT/.venv/bin/huiyin" serve --host 127.0.0.1 \
  --port "$PORT" --workers "$WORKERS" >"$OUT/server-$TAG.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 120); do
  if curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "server died; see $OUT/server-$TAG.log" >&2; exit 1; }
  sleep 0.5
  [[ $i == 120 ]] && { echo "server not healthy after 60 s" >&2; exit 1; }
done
TOKEN=$("$PY" -c "
import asyncio, sys
from bench.loadclient import fetch_token
print(asyncio.run(fetch_token('127.0.0.1', int(sys.argv[1]), 'agent', 'demo')))
" "$PORT")
log "server up (pid $SERVER_PID), token taken"

# RSS_EVERY=<seconds>: sample the server's resident memory (the supervisor and its workers) meanwhile,
# one JSON line per sample in rss-<db>-<size>.jsonl (issue 13: RSS after 10 minutes at load, flat?)
RSS_EVERY=${RSS_EVERY:-0}
if (( RSS_EVERY > 0 )); then
  RSS_OUT=$OUT/rss-$TAG.jsonl
  : >"$RSS_OUT"
  ( while kill -0 "$SERVER_PID" 2>/dev/null; do
      workers=$(ps -o rss= --ppid "$SERVER_PID" | awk '{s += $1; n += 1} END {printf "%d, \"workers\": %d", s, n}')
      parent=$(ps -o rss= -p "$SERVER_PID" | tr -d ' ')
      echo "{\"t\": $(date +%s), \"workers_kb\": $workers, \"parent_kb\": ${parent:-0}}" >>"$RSS_OUT"
      sleep "$RSS_EVERY"
    done ) &
  log "sampling the server's RSS every $RSS_EVERY s into $RSS_OUT"
fi

# WARM=1 (default): read the database's files into the OS page cache first. This VM reclaims cold page
# cache on its own (kdamond), and a run that starts cold measures the disk, not the code: run 4 of
# docs/benchmarks.md ("The order path, second day") read 2M orders at random from disk.
if [[ ${WARM:-1} == 1 ]]; then
  if [[ $DB == pg ]]; then
    oid=$(psql -h 127.0.0.1 -U postgres -Atc "SELECT oid FROM pg_database WHERE datname = '$PGDB'")
    dir=$(psql -h 127.0.0.1 -U postgres -Atc "SHOW data_directory")
    cat "$dir/base/$oid"/* >/dev/null 2>&1 || log "could not read $dir/base/$oid to warm the cache"
  else
    cat "$DBFILE" "$DBFILE"-wal >/dev/null 2>&1 || true
  fi
  log "database files read into the page cache (WARM=1)"
fi

# ---------------------------------------------------------------------------------------------- load
QUIET_WAIT=${QUIET_WAIT:-300}
QUIET_BUSY=${QUIET_BUSY:-0.25}
# Runs one load-client scenario and records, besides the client's summary, who used the CPUs meanwhile:
# our server (its process tree), PostgreSQL backends of the bench database, the load client, and everyone
# else ("others", e.g. tests someone runs on the same machine). Shares are of the whole machine.
DRIVER=$ROOT/bench/scenario_driver.py

run() {  # run LABEL REQUESTS loadclient-args...
  local label=$1 n=$2; shift 2
  n=$(( n * SCALE ))
  log "$label: $n requests, c=$CONCURRENCY"
  local meta
  meta=$(printf '{"db":"%s","size":"%s","label":"%s","customers":%s,"orders":%s,"workers":%s,"commit":"%s","server_pid":%s,"pgdb":"%s","results":"%s","quiet_wait":%s,"quiet_busy":%s}' \
    "$DB" "$SIZE" "$label" "$CUSTOMERS" "$ORDERS" "$WORKERS" "$COMMIT" "$SERVER_PID" \
    "$([[ $DB == pg ]] && echo $PGDB)" "$RESULTS" "$QUIET_WAIT" "$QUIET_BUSY")
  "$PY" "$DRIVER" "$meta" "$PY" -m bench.loadclient --port "$PORT" -c "$CONCURRENCY" -n "$n" --warmup 100 \
    --time-limit "$TIME_LIMIT" --token "$TOKEN" --json --allow-errors "$@"
}

for s in $SCENARIOS; do
  case $s in
    hello)    run hello 20000 --scenario hello ;;
    get)      run get 5000 --scenario get --max-order "$MAX_ORDER" ;;
    list)     run list 3000 --scenario list --unit-ids "$BUSIEST" ;;
    phone)    run phone 5000 --scenario phone --phones-file "$PHONES" ;;
    tail)     run tail 5000 --scenario tail --phones-file "$PHONES" ;;
    address2) run address2 300 --scenario address --fragments "龙溪,观音,金山,大坪,江北,石桥" ;;
    address3) run address3 2000 --scenario address --fragments "渝北区,观音桥,金山路,解放碑,大坪正街,石桥铺" ;;
    register) run register 5000 --scenario register --max-customer "$MAX_CUSTOMER" ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
done

stop_server
log "results appended to $RESULTS"
