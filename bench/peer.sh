#!/usr/bin/env bash
# Measure django-helpdesk (the peer of issue 13) and Huiyin in one run, with the same load client.
#
#   bench/peer.sh compare       setup + seed the peer + load it + load Huiyin (bench/run.sh) + report
#   bench/peer.sh setup         scratch venv $PEER_DIR/venv: django-helpdesk, gunicorn, psycopg (PyPI)
#   bench/peer.sh seed          (re)create the peer's database and seed $TICKETS tickets with follow-ups
#   bench/peer.sh run           serve the peer with gunicorn and run its scenarios (no Huiyin)
#   bench/peer.sh huiyin-data   generate Huiyin's bench database with the code of $SNAPSHOT (git archive)
#   bench/peer.sh report [ID]   print the comparison table of a run (default: the last one)
#   bench/peer.sh drop          drop the peer's database
#
# The peer lives outside the repository: venv, SQLite file and logs in $PEER_DIR (default
# /var/tmp/huiyin-peer); its Django project is bench/peer/helpdesk_peer (settings: DEBUG off, persistent
# database connections, DRF token auth read as "Bearer", dummy e-mail backend). PostgreSQL database
# helpdesk_peer on 127.0.0.1 (user postgres, trust auth), dropped and created by `seed`.
#
# Environment (all optional):
#   PEER_DIR=/var/tmp/huiyin-peer  HELPDESK_VERSION=2.6.1 (empty = newest)  TICKETS=100000  PEER_DB=pg|sqlite
#   PEER_PORT=8766 PEER_WORKERS=2 PEER_THREADS=8 (gunicorn gthread workers and threads per worker)
#   PEER_SCENARIOS="hello get list get_api list_api create"   SKIP_SEED=1 (compare: keep the peer's data)
#   HUIYIN_DB=pg|sqlite HUIYIN_SIZE=full|small  HUIYIN_SCENARIOS="hello get list register"  HUIYIN=0 (skip)
#   SNAPSHOT=<commit> (default HEAD): Huiyin's code under test, served from a git archive (see run.sh)
#   CONCURRENCY=16 TIME_LIMIT=60 SCALE=1 QUIET_WAIT=300 QUIET_BUSY=0.25 (as in run.sh)
#   REPEAT_BUSY=0.1 REPEATS=2: a scenario whose cpu_others exceeds REPEAT_BUSY is run again, up to REPEATS times
#   RUN_ID (default: UTC time)  RESULTS=bench/out/peer-compare.jsonl
#
# Output: one JSON line per scenario run appended to $RESULTS, each with run_id, system (django-helpdesk or
# huiyin), label, the load client's summary (rps, p50_ms, p99_ms, …) and the CPU shares (cpu_server,
# cpu_postgres, cpu_client, cpu_others), the data sizes and versions. Huiyin's lines are those bench/run.sh
# appended to results-<db>.jsonl, copied with the run id. Logs: bench/out/peer-*.log.
set -euo pipefail

CMD=${1:-compare}
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python          # the load client's interpreter, as in run.sh
OUT=$ROOT/bench/out
mkdir -p "$OUT"

PEER_DIR=${PEER_DIR:-/var/tmp/huiyin-peer}
mkdir -p "$PEER_DIR"
PEER_DIR=$(cd "$PEER_DIR" && pwd -P)
case $PEER_DIR/ in "$(pwd -P)"/*) echo "PEER_DIR must be outside the repository" >&2; exit 2 ;; esac
PVENV=$PEER_DIR/venv
PPY=$PVENV/bin/python
HELPDESK_VERSION=${HELPDESK_VERSION-2.6.1}
TICKETS=${TICKETS:-100000}
PEER_DB=${PEER_DB:-pg}
PEER_PORT=${PEER_PORT:-8766}
PEER_WORKERS=${PEER_WORKERS:-2}
PEER_THREADS=${PEER_THREADS:-8}
PEER_SCENARIOS=${PEER_SCENARIOS:-"hello get list get_api list_api create"}
PEER_PGDB=helpdesk_peer
PEER_SUMMARY=$OUT/peer-summary-$PEER_DB.json
HUIYIN_DB=${HUIYIN_DB:-pg}
HUIYIN_SIZE=${HUIYIN_SIZE:-full}
HUIYIN_SCENARIOS=${HUIYIN_SCENARIOS:-"hello get list register"}
SNAPSHOT=${SNAPSHOT:-HEAD}
CONCURRENCY=${CONCURRENCY:-16}
TIME_LIMIT=${TIME_LIMIT:-60}
SCALE=${SCALE:-1}
QUIET_WAIT=${QUIET_WAIT:-300}
QUIET_BUSY=${QUIET_BUSY:-0.25}
REPEAT_BUSY=${REPEAT_BUSY:-0.1}
REPEATS=${REPEATS:-2}
RESULTS=${RESULTS:-$OUT/peer-compare.jsonl}
RUN_ID=${RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)}
PGHOST=127.0.0.1
export PEER_DIR PEER_DB PEER_PGDB

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
psql_() { psql -h $PGHOST -U postgres -qX "$@"; }

# ---------------------------------------------------------------------------------------------- setup
setup() {
  if [[ ! -x $PPY ]]; then
    log "creating the peer's venv in $PVENV"
    python3 -m venv "$PVENV"
  fi
  local spec=django-helpdesk
  [[ -n $HELPDESK_VERSION ]] && spec="django-helpdesk==$HELPDESK_VERSION"
  log "pip install $spec gunicorn psycopg[binary]"
  "$PPY" -m pip install --quiet --disable-pip-version-check "$spec" gunicorn "psycopg[binary]" 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$PPY" -m pip freeze --disable-pip-version-check >"$PEER_DIR/freeze.txt"
  log "peer: $(grep -iE '^(django|django-helpdesk|djangorestframework|gunicorn|psycopg)==' "$PEER_DIR/freeze.txt" | tr '\n' ' ')"
}

# ---------------------------------------------------------------------------------------------- seed
seed() {
  [[ -x $PPY ]] || setup
  if [[ $PEER_DB == pg ]]; then
    psql_ -c "DROP DATABASE IF EXISTS $PEER_PGDB" -c "CREATE DATABASE $PEER_PGDB"
  else
    rm -f "$PEER_DIR/helpdesk_peer.sqlite3"
  fi
  log "migrating the peer's database ($PEER_DB)"
  (cd bench/peer && "$PPY" manage.py migrate -v0)
  log "seeding $TICKETS tickets"
  (cd bench/peer && /usr/bin/time -f "seed: %e s wall, %M KB max RSS" \
    "$PPY" seed.py --tickets "$TICKETS" --summary-out "$PEER_SUMMARY") 2>&1 | tee "$OUT/peer-seed-$PEER_DB.log"
  if [[ $PEER_DB == pg ]]; then
    psql_ -At -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size('$PEER_PGDB'))" \
      | tee -a "$OUT/peer-seed-$PEER_DB.log"
  fi
}

# ---------------------------------------------------------------------------------------------- serve
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
trap stop_server EXIT
trap 'exit 130' INT TERM

start_peer() {
  log "starting gunicorn on 127.0.0.1:$PEER_PORT: $PEER_WORKERS gthread workers x $PEER_THREADS threads"
  # exec: $! is gunicorn's master, whose process tree the CPU accounting follows.
  (cd bench/peer && exec "$PVENV/bin/gunicorn" --bind "127.0.0.1:$PEER_PORT" --workers "$PEER_WORKERS" \
     --worker-class gthread --threads "$PEER_THREADS" --keep-alive 75 --timeout 300 \
     helpdesk_peer.wsgi:application) >"$OUT/peer-server-$PEER_DB.log" 2>&1 &
  SERVER_PID=$!
  for i in $(seq 120); do
    curl -sf "http://127.0.0.1:$PEER_PORT/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "peer died; see $OUT/peer-server-$PEER_DB.log" >&2; exit 1; }
    sleep 0.5
    [[ $i == 120 ]] && { echo "peer not up after 60 s" >&2; exit 1; }
  done
}

# ---------------------------------------------------------------------------------------------- load
busy_of_last() {  # cpu_others of the last line of $RESULTS
  "$PY" -c "import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1]).get('cpu_others', 0))" "$RESULTS"
}

peer_one() {  # peer_one LABEL REQUESTS CONCURRENCY WARMUP TIMEOUT LIMIT
  local label=$1 n=$2 c=$3 warm=$4 timeout=$5 limit=$6 meta
  meta=$("$PY" - "$PEER_SUMMARY" "$PEER_DIR/freeze.txt" <<PYEOF
import json, platform, sys
s = json.load(open(sys.argv[1]))
versions = {}
for line in open(sys.argv[2]):
    name, _, version = line.strip().partition("==")
    if name.lower() in ("django", "django-helpdesk", "djangorestframework", "gunicorn", "psycopg"):
        versions[name.lower()] = version
versions["python"] = platform.python_version()
print(json.dumps({
    "run_id": "$RUN_ID", "system": "django-helpdesk", "db": "$PEER_DB", "label": "$label",
    "tickets": s["tickets"], "followups": s["followups"], "busiest_queue_open": s["busiest_queue_open"],
    "workers": $PEER_WORKERS, "threads": $PEER_THREADS, "worker_class": "gthread", "versions": versions,
    "server_pid": $SERVER_PID, "pgdb": "$([[ $PEER_DB == pg ]] && echo $PEER_PGDB)", "results": "$RESULTS",
    "quiet_wait": $QUIET_WAIT, "quiet_busy": $QUIET_BUSY,
}))
PYEOF
)
  log "peer $label: $n requests, c=$c"
  "$PY" bench/scenario_driver.py "$meta" "$PY" -m bench.peer.load --port "$PEER_PORT" --scenario "$label" \
    -c "$c" -n "$n" --warmup "$warm" --timeout "$timeout" --time-limit "$limit" --json --allow-errors \
    --token "$TOKEN" --session "$SESSION" --queue-ids "$QUEUES" --busiest-queue "$BUSIEST" \
    --max-ticket "$MAX_TICKET"
}

peer_scenario() {  # run one, and again (up to REPEATS times) while someone else used > REPEAT_BUSY
  local try
  for try in $(seq 0 "$REPEATS"); do
    peer_one "$@"
    if "$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)" \
        "$(busy_of_last)" "$REPEAT_BUSY"; then return; fi
    if [[ $try -lt $REPEATS ]]; then log "  cpu_others $(busy_of_last) > $REPEAT_BUSY: again"; fi
  done
  return 0
}

run_peer() {
  [[ -f $PEER_SUMMARY ]] || { echo "no $PEER_SUMMARY: run '$0 seed' first" >&2; exit 1; }
  read -r TOKEN SESSION QUEUES BUSIEST MAX_TICKET < <("$PY" -c "
import json, sys
s = json.load(open(sys.argv[1]))
print(s['token'], s['session_key'], ','.join(map(str, s['queue_ids'])), s['busiest_queue_id'], s['max_ticket_id'])
" "$PEER_SUMMARY")
  start_peer
  for s in $PEER_SCENARIOS; do
    case $s in
      hello)    peer_scenario hello $((20000 * SCALE)) "$CONCURRENCY" 100 30 "$TIME_LIMIT" ;;
      get)      peer_scenario get $((5000 * SCALE)) "$CONCURRENCY" 100 30 "$TIME_LIMIT" ;;
      list)     peer_scenario list $((3000 * SCALE)) "$CONCURRENCY" 100 30 "$TIME_LIMIT" ;;
      create)   peer_scenario create $((5000 * SCALE)) "$CONCURRENCY" 100 30 "$TIME_LIMIT" ;;
      # The REST API's reads evaluate every accessible ticket per request (TicketViewSet.get_queryset
      # loops over the queryset): seconds to tens of seconds each at 100k tickets, so only a few.
      get_api)  peer_scenario get_api 3 1 0 280 290 ;;
      list_api) peer_scenario list_api 32 "$CONCURRENCY" 16 280 290 ;;
      *) echo "unknown peer scenario $s" >&2; exit 2 ;;
    esac
  done
  stop_server
}

# ---------------------------------------------------------------------------------------------- Huiyin
run_huiyin() {
  local jl=$OUT/results-$HUIYIN_DB.jsonl n0 again
  n0=$( [[ -f $jl ]] && wc -l <"$jl" || echo 0 )
  log "Huiyin ($HUIYIN_DB, $HUIYIN_SIZE, code $SNAPSHOT): $HUIYIN_SCENARIOS"
  SKIP_GENERATE=1 SNAPSHOT=$SNAPSHOT SCENARIOS=$HUIYIN_SCENARIOS CONCURRENCY=$CONCURRENCY TIME_LIMIT=$TIME_LIMIT \
    SCALE=$SCALE QUIET_WAIT=$QUIET_WAIT QUIET_BUSY=$QUIET_BUSY bench/run.sh "$HUIYIN_DB" "$HUIYIN_SIZE"
  for try in $(seq 1 "$REPEATS"); do
    again=$("$PY" -c "
import json, sys
lines = open(sys.argv[1]).read().splitlines()[int(sys.argv[2]):]
last = {}
for l in lines:
    r = json.loads(l); last[r['label']] = r
print(' '.join(k for k, r in last.items() if r.get('cpu_others', 0) > float(sys.argv[3])))
" "$jl" "$n0" "$REPEAT_BUSY")
    [[ -z $again ]] && break
    log "Huiyin: cpu_others > $REPEAT_BUSY in: $again; again"
    SKIP_GENERATE=1 SNAPSHOT=$SNAPSHOT SCENARIOS=$again CONCURRENCY=$CONCURRENCY TIME_LIMIT=$TIME_LIMIT \
      SCALE=$SCALE QUIET_WAIT=$QUIET_WAIT QUIET_BUSY=$QUIET_BUSY bench/run.sh "$HUIYIN_DB" "$HUIYIN_SIZE"
  done
  tail -n +"$((n0 + 1))" "$jl" | "$PY" -c "
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(json.dumps({'run_id': sys.argv[1], 'system': 'huiyin', **r}, ensure_ascii=False))
" "$RUN_ID" >>"$RESULTS"
}

huiyin_data() {  # generate Huiyin's database with the code of $SNAPSHOT, where run.sh looks for it
  local commit snap url customers orders
  commit=$(git rev-parse --short "$SNAPSHOT")
  snap=$OUT/code-gen-$commit
  rm -rf "$snap" && mkdir -p "$snap"
  git archive "$commit" huiyin bench migrations alembic.ini | tar -x -C "$snap"
  case $HUIYIN_SIZE in
    small) customers=${CUSTOMERS:-50000}; orders=${ORDERS:-100000} ;;
    full)  customers=${CUSTOMERS:-1000000}; orders=${ORDERS:-2000000} ;;
    *) echo "HUIYIN_SIZE is small or full" >&2; exit 2 ;;
  esac
  if [[ $HUIYIN_DB == pg ]]; then
    psql_ -c "DROP DATABASE IF EXISTS huiyin_bench" -c "CREATE DATABASE huiyin_bench"
    url=postgresql://postgres@$PGHOST/huiyin_bench
  else
    rm -f "$OUT/huiyin-$HUIYIN_SIZE.db"{,-wal,-shm,-journal}
    url=sqlite:///$OUT/huiyin-$HUIYIN_SIZE.db
  fi
  log "generating $customers customers / $orders orders into $url with the code of $commit"
  (cd "$snap" && /usr/bin/time -f "generate: %e s wall, %M KB max RSS" "$PY" -m bench.generate --url "$url" \
    --customers "$customers" --orders "$orders" --phones-out "$OUT/phones-$HUIYIN_DB-$HUIYIN_SIZE.txt" \
    --summary-out "$OUT/summary-$HUIYIN_DB-$HUIYIN_SIZE.json") 2>&1 | tee "$OUT/generate-$HUIYIN_DB-$HUIYIN_SIZE.log"
}

report() {
  "$PY" bench/peer/report.py "$RESULTS" "${1:-}"
}

case $CMD in
  setup) setup ;;
  seed) seed ;;
  run) setup; run_peer; report "$RUN_ID" ;;
  huiyin-data) huiyin_data ;;
  compare)
    log "run $RUN_ID → $RESULTS"
    setup
    [[ ${SKIP_SEED:-0} == 1 ]] || seed
    run_peer
    [[ ${HUIYIN:-1} == 0 ]] || run_huiyin
    report "$RUN_ID" | tee "$OUT/peer-compare-$RUN_ID.md" ;;
  report) report "${2:-}" ;;
  drop) psql_ -c "DROP DATABASE IF EXISTS $PEER_PGDB"; rm -f "$PEER_DIR/helpdesk_peer.sqlite3" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
