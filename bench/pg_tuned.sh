#!/bin/sh
# A PostgreSQL 15 server with production-minded settings for the benchmarks, beside the stock one:
# its own data directory and port (5433), so the machine's server on 5432 stays as it was.
#   sh bench/pg_tuned.sh start   # initdb on first use, then start
#   sh bench/pg_tuned.sh stop    # stop; `rm -r $DATA` to throw it away
# The settings are the ones docs/deployment.md recommends for a service centre's database; durability is
# untouched (fsync, synchronous_commit and full_page_writes stay on).
set -eu
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | tail -1)}
DATA=${PG_DATA:-/var/tmp/huiyin-pg-tuned}
PORT=${PG_PORT:-5433}
RUNAS=${PG_USER:-postgres}
as() { if [ "$(id -un)" = "$RUNAS" ]; then "$@"; else su "$RUNAS" -s /bin/sh -c "$*"; fi; }
case "${1:-start}" in
start)
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA" && chown "$RUNAS" "$DATA"
    as "$BIN/initdb -D $DATA -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
    cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '/tmp'
max_connections = 200
shared_buffers = 4GB
effective_cache_size = 12GB
work_mem = 16MB
maintenance_work_mem = 1GB
wal_buffers = 64MB
wal_compression = lz4
max_wal_size = 16GB
min_wal_size = 2GB
checkpoint_timeout = 15min
checkpoint_completion_target = 0.9
random_page_cost = 1.1
autovacuum = on
autovacuum_vacuum_scale_factor = 0.05
autovacuum_analyze_scale_factor = 0.05
CONF
  fi
  as "$BIN/pg_ctl -D $DATA -l $DATA/server.log -w start" >/dev/null
  echo "tuned PostgreSQL on 127.0.0.1:$PORT ($DATA)"
  ;;
stop) as "$BIN/pg_ctl -D $DATA -w stop" >/dev/null ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
