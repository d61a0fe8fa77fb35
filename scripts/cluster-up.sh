#!/usr/bin/env bash
# Start a local, dev-only Citus cluster (1 coordinator + 2 workers) plus PgBouncer.
#
# Uses the PostgreSQL 15 + Citus + pgbouncer binaries already installed on the
# machine; it never builds or downloads anything. All state lives in
# <repo>/.cluster/ (ignored by git through .cluster/.gitignore).
#
# Idempotent: if everything is already running it only prints the status; if the
# data exists but is stopped it is started again; otherwise it is created.
#
# Environment overrides:
#   PG_BIN                     PostgreSQL bin dir (default /usr/lib/postgresql/15/bin)
#   CLUSTER_COORDINATOR_PORT   default 9700
#   CLUSTER_WORKER1_PORT       default 9701
#   CLUSTER_WORKER2_PORT       default 9702
#   CLUSTER_PGBOUNCER_PORT     default 6432
#   CLUSTER_DIR                default <repo>/.cluster (a second cluster needs its own dir and ports)
#   CLUSTER_DURABILITY         'on' (default: fsync and synchronous_commit on, as in production) or
#                              'unsafe-fast' (both off: a crash loses acknowledged commits; the
#                              benches, the faults suite and npm run chaos refuse such a cluster)
#
# Exit codes: 2 PostgreSQL binaries missing, 3 Citus missing, 4 pgbouncer missing,
#             5 existing cluster was created with different ports, 1 other errors.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$REPO_ROOT/.cluster}"
PGB_DIR="$CLUSTER_DIR/pgbouncer"
PORTS_FILE="$CLUSTER_DIR/ports.env"

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
COORD_PORT="${CLUSTER_COORDINATOR_PORT:-9700}"
WORKER1_PORT="${CLUSTER_WORKER1_PORT:-9701}"
WORKER2_PORT="${CLUSTER_WORKER2_PORT:-9702}"
WORKER3_PORT="${CLUSTER_WORKER3_PORT:-$((WORKER2_PORT + 1))}"
# --add-node: start a third worker next to a running cluster and add it (npm run cluster:add-node).
ADD_NODE=0
[[ "${1:-}" == "--add-node" ]] && ADD_NODE=1
PGB_PORT="${CLUSTER_PGBOUNCER_PORT:-6432}"
HOST=127.0.0.1
DB=app
NODES=(coordinator worker1 worker2)
# A worker added by --add-node is part of the cluster from then on.
[[ -f "$CLUSTER_DIR/worker3/data/PG_VERSION" ]] && NODES+=(worker3)

log() { echo "[cluster-up] $*"; }
die() { local code="$1"; shift; echo "[cluster-up] ERROR: $*" >&2; exit "$code"; }

# --- who runs the PostgreSQL / PgBouncer processes ---------------------------
# postgres and pgbouncer refuse to run as root, so when invoked as root we run
# them as the OS user "postgres" and make .cluster/ owned by it.
if [[ "$(id -u)" -eq 0 ]]; then
  OWNER=postgres
  id -u "$OWNER" >/dev/null 2>&1 || die 1 "running as root but OS user 'postgres' does not exist"
  AS_OWNER=(runuser -u "$OWNER" --)
else
  OWNER="$(id -un)"
  AS_OWNER=()
fi
as_owner() { "${AS_OWNER[@]}" "$@"; }

# --- prerequisite checks ------------------------------------------------------
for b in postgres initdb pg_ctl pg_isready psql; do
  [[ -x "$PG_BIN/$b" ]] || die 2 "PostgreSQL 15 binary '$PG_BIN/$b' not found (set PG_BIN to the PostgreSQL 15 bin directory)"
done

if [[ -x "$PG_BIN/pg_config" ]]; then
  PG_CONFIG="$PG_BIN/pg_config"
elif command -v pg_config >/dev/null 2>&1; then
  PG_CONFIG="$(command -v pg_config)"
else
  die 2 "pg_config not found in $PG_BIN or PATH"
fi
PKGLIBDIR="$("$PG_CONFIG" --pkglibdir)"
SHAREDIR="$("$PG_CONFIG" --sharedir)"
if [[ ! -f "$PKGLIBDIR/citus.so" || ! -f "$SHAREDIR/extension/citus.control" ]]; then
  echo "Citus is not installed for PostgreSQL 15: expected $PKGLIBDIR/citus.so and $SHAREDIR/extension/citus.control (pg_config: $PG_CONFIG). Install Citus for PostgreSQL 15 first." >&2
  exit 3
fi

PGBOUNCER_BIN="$(command -v pgbouncer 2>/dev/null || true)"
[[ -z "$PGBOUNCER_BIN" && -x /usr/sbin/pgbouncer ]] && PGBOUNCER_BIN=/usr/sbin/pgbouncer
if [[ -z "$PGBOUNCER_BIN" ]]; then
  echo "pgbouncer is not installed (binary not found in PATH or /usr/sbin); install it, e.g. 'apt-get install pgbouncer'." >&2
  exit 4
fi

# --- helpers -----------------------------------------------------------------
node_port() {
  case "$1" in
    coordinator) echo "$COORD_PORT" ;;
    worker1) echo "$WORKER1_PORT" ;;
    worker2) echo "$WORKER2_PORT" ;;
    worker3) echo "$WORKER3_PORT" ;;
  esac
}
node_dir() { echo "$CLUSTER_DIR/$1"; }          # node's own dir: data (PGDATA) + log
node_data() { echo "$CLUSTER_DIR/$1/data"; }
node_log() { echo "$CLUSTER_DIR/$1/postgresql.log"; }

# pg_ctl status trusts the pid file: a postmaster killed with SIGKILL stays a zombie until it is reaped
# and counts as running. Running means answering (or starting up); a pid that does not answer is
# waited for until it is gone, so the node is started rather than left down.
node_running() {
  local n="$1" port
  port="$(node_port "$n")"
  for _ in $(seq 1 60); do
    as_owner "$PG_BIN/pg_ctl" -D "$(node_data "$n")" status >/dev/null 2>&1 || return 1
    "$PG_BIN/pg_isready" -q -h "$HOST" -p "$port" -t 1 && return 0
    # 1: starting up or shutting down; 2: no answer (dead or stopped); wait and look again.
    sleep 0.5
  done
  return 0
}

# psql against a node over TCP loopback (trust auth), as user postgres.
psql_node() {
  local port="$1" db="$2"; shift 2
  as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$port" -U postgres -d "$db" "$@"
}

pgbouncer_pid() {
  local pidfile="$PGB_DIR/pgbouncer.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == pgbouncer* ]] || return 1
  # a killed-but-unreaped (zombie) pgbouncer does not count as running
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)" != Z ]] || return 1
  echo "$pid"
}

port_busy() {
  # true if something already listens on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

print_summary() {
  echo
  echo "Citus dev cluster is up (data: $CLUSTER_DIR)"
  echo "  coordinator : postgres://postgres@$HOST:$COORD_PORT/$DB"
  echo "  workers     : $HOST:$WORKER1_PORT, $HOST:$WORKER2_PORT"
  echo "  pgbouncer   : postgres://postgres@$HOST:$PGB_PORT/$DB  (pool_mode=transaction; users: postgres app_owner app_tenant app_control app_analytics)"
  echo "  logs        : $CLUSTER_DIR/<node>/postgresql.log, $PGB_DIR/pgbouncer.log"
  echo
  echo "SELECT * FROM citus_get_active_worker_nodes();"
  psql_node "$COORD_PORT" "$DB" -c 'SELECT * FROM citus_get_active_worker_nodes() ORDER BY 2;'
}

# --- ports of an existing cluster must match ----------------------------------
WANT_PORTS="COORD_PORT=$COORD_PORT WORKER1_PORT=$WORKER1_PORT WORKER2_PORT=$WORKER2_PORT PGB_PORT=$PGB_PORT"
if [[ -f "$PORTS_FILE" ]]; then
  HAVE_PORTS="$(cat "$PORTS_FILE")"
  if [[ "$HAVE_PORTS" != "$WANT_PORTS" ]]; then
    die 5 "existing cluster in $CLUSTER_DIR was created with '$HAVE_PORTS' but requested '$WANT_PORTS'; run scripts/cluster-down.sh --purge to recreate it with new ports"
  fi
fi

# --- already fully up? --------------------------------------------------------
if [[ "$ADD_NODE" -eq 0 && -d "$CLUSTER_DIR" ]]; then
  all_up=1
  for n in "${NODES[@]}"; do
    [[ -f "$(node_data "$n")/PG_VERSION" ]] && node_running "$n" || { all_up=0; break; }
  done
  if [[ "$all_up" -eq 1 ]] && pgbouncer_pid >/dev/null; then
    log "cluster already running"
    print_summary
    exit 0
  fi
fi

# --- directories ----------------------------------------------------------------
mkdir -p "$CLUSTER_DIR" "$PGB_DIR"
# keep the cluster data out of git without touching the repo's .gitignore
[[ -f "$CLUSTER_DIR/.gitignore" ]] || echo '*' >"$CLUSTER_DIR/.gitignore"
echo "$WANT_PORTS" >"$PORTS_FILE"
for n in "${NODES[@]}"; do mkdir -p "$(node_dir "$n")"; done
if [[ "$(id -u)" -eq 0 ]]; then
  chown -R "$OWNER:" "$CLUSTER_DIR"
  as_owner test -w "$CLUSTER_DIR" -a -x "$CLUSTER_DIR" ||
    die 1 "OS user '$OWNER' cannot access $CLUSTER_DIR (check permissions of its parent directories)"
else
  [[ -w "$CLUSTER_DIR" ]] || die 1 "$CLUSTER_DIR is not writable by $(id -un) (was it created by root? run as root or purge it)"
fi

# --- init + start nodes -----------------------------------------------------------
init_node() {
  local n="$1" port data
  port="$(node_port "$n")"
  data="$(node_data "$n")"
  log "initdb $n (port $port) in $data"
  as_owner "$PG_BIN/initdb" -D "$data" --auth=trust -U postgres --encoding=UTF8 --locale=C.UTF-8 >"$(node_dir "$n")/initdb.log" 2>&1 ||
    { cat "$(node_dir "$n")/initdb.log" >&2; die 1 "initdb failed for $n"; }
  as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# ---- dev Citus cluster settings (written by scripts/cluster-up.sh) ----
port = $port
listen_addresses = '$HOST'
# own socket dir per node: avoids needing write access to /var/run/postgresql
unix_socket_directories = '$data'
shared_preload_libraries = 'citus'
wal_level = logical
max_connections = 300
max_prepared_transactions = 100
citus.stat_tenants_track = 'all'
# stderr is redirected by pg_ctl -l to $(node_log "$n")
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

start_node() {
  local n="$1" port
  port="$(node_port "$n")"
  if node_running "$n"; then
    log "$n already running on port $port"
    return 0
  fi
  if port_busy "$port"; then
    die 1 "port $port (for $n) is already in use by another process"
  fi
  log "starting $n on $HOST:$port"
  if ! as_owner "$PG_BIN/pg_ctl" -D "$(node_data "$n")" -l "$(node_log "$n")" -w -t 60 start >/dev/null; then
    tail -n 30 "$(node_log "$n")" >&2 || true
    die 1 "failed to start $n (log: $(node_log "$n"))"
  fi
}

prepare_database() {
  local n="$1" port
  port="$(node_port "$n")"
  if [[ "$(psql_node "$port" postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]]; then
    log "creating database $DB on $n"
    psql_node "$port" postgres -c "CREATE DATABASE $DB"
  fi
  psql_node "$port" "$DB" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS citus"
  # Recent PostgreSQL minor releases only load the logical decoding plugins listed here, and
  # Citus's non-blocking shard moves and tenant isolation decode through its own plugin.
  if [[ "$(psql_node "$port" postgres -Atc "SELECT 1 FROM pg_settings WHERE name = 'output_plugin_libraries'")" == 1 ]]; then
    psql_node "$port" postgres -Atc "SELECT current_setting('output_plugin_libraries') ~ '(^|[ ,])citus($|[ ,])'" | grep -q t ||
      psql_node "$port" postgres -At >/dev/null <<SQL
ALTER SYSTEM SET output_plugin_libraries = 'pgoutput', 'test_decoding', 'citus';
SELECT pg_reload_conf();
SQL
  fi
}

# --- durability: applied at every start, so an older cluster created without it gets it too ---
apply_durability() {
  local n="$1" value
  case "${CLUSTER_DURABILITY:-on}" in
    on) value=on ;;
    unsafe-fast) value=off ;;
    *) die 1 "CLUSTER_DURABILITY must be 'on' or 'unsafe-fast'" ;;
  esac
  psql_node "$(node_port "$n")" postgres -At >/dev/null <<SQL
ALTER SYSTEM SET fsync = $value;
ALTER SYSTEM SET synchronous_commit = $value;
SELECT pg_reload_conf();
SQL
}
if [[ "$ADD_NODE" -eq 1 ]]; then
  node_running coordinator || die 1 "the cluster in $CLUSTER_DIR is not running: npm run cluster:up first"
  mkdir -p "$(node_dir worker3)"
  [[ "$(id -u)" -eq 0 ]] && chown -R "$OWNER:" "$(node_dir worker3)"
  [[ -f "$(node_data worker3)/PG_VERSION" ]] || init_node worker3
  start_node worker3
  apply_durability worker3
  prepare_database worker3
  log "adding worker3 ($HOST:$WORKER3_PORT); shards move to it with POST /admin/cluster/rebalance"
  psql_node "$COORD_PORT" "$DB" -At >/dev/null -c "SELECT citus_add_node('$HOST', $WORKER3_PORT) WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodename = '$HOST' AND nodeport = $WORKER3_PORT)"
  psql_node "$COORD_PORT" "$DB" -c 'SELECT * FROM citus_get_active_worker_nodes() ORDER BY 2;'
  exit 0
fi

for n in "${NODES[@]}"; do
  [[ -f "$(node_data "$n")/PG_VERSION" ]] || init_node "$n"
done
for n in "${NODES[@]}"; do start_node "$n"; done

[[ "${CLUSTER_DURABILITY:-on}" == on ]] || log "CLUSTER_DURABILITY=${CLUSTER_DURABILITY}: fsync and synchronous_commit OFF, a crash loses acknowledged writes"

# --- database + extension + topology (all idempotent) ----------------------------
for n in "${NODES[@]}"; do apply_durability "$n"; prepare_database "$n"; done

log "registering coordinator and workers"
psql_node "$COORD_PORT" "$DB" -At >/dev/null <<EOF
SELECT citus_set_coordinator_host('$HOST', $COORD_PORT);
SELECT citus_add_node('$HOST', $WORKER1_PORT);
SELECT citus_add_node('$HOST', $WORKER2_PORT);
EOF

# --- PgBouncer ------------------------------------------------------------------
write_pgbouncer_config() {
  local tmp
  tmp="$(mktemp)"
  cat >"$tmp" <<EOF
;; generated by scripts/cluster-up.sh -- dev only, do not edit (regenerated on start)
[databases]
$DB = host=$HOST port=$COORD_PORT dbname=$DB

[pgbouncer]
listen_addr = $HOST
listen_port = $PGB_PORT
unix_socket_dir = $PGB_DIR
auth_type = trust
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits,options
; Fail fast while the coordinator is down instead of queueing clients for minutes, and
; retry the server login every second so service resumes as soon as it is back.
query_wait_timeout = 10
server_login_retry = 1
server_connect_timeout = 2
admin_users = postgres
stats_users = postgres
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
EOF
  install -m 0600 "$tmp" "$PGB_DIR/pgbouncer.ini"
  rm -f "$tmp"
  tmp="$(mktemp)"
  # auth_type=trust: passwords are not checked, but users must be listed.
  for u in postgres app_owner app_tenant app_control app_analytics; do
    echo "\"$u\" \"dev-only\""
  done >"$tmp"
  install -m 0600 "$tmp" "$PGB_DIR/userlist.txt"
  rm -f "$tmp"
  if [[ "$(id -u)" -eq 0 ]]; then chown -R "$OWNER:" "$PGB_DIR"; fi
}

if pgbouncer_pid >/dev/null; then
  log "pgbouncer already running on $HOST:$PGB_PORT"
else
  rm -f "$PGB_DIR/pgbouncer.pid"   # stale pidfile, if any
  port_busy "$PGB_PORT" && die 1 "port $PGB_PORT (pgbouncer) is already in use by another process"
  write_pgbouncer_config
  log "starting pgbouncer on $HOST:$PGB_PORT"
  as_owner "$PGBOUNCER_BIN" -d "$PGB_DIR/pgbouncer.ini" ||
    { tail -n 30 "$PGB_DIR/pgbouncer.log" >&2 || true; die 1 "failed to start pgbouncer"; }
  for _ in $(seq 1 50); do
    port_busy "$PGB_PORT" && break
    sleep 0.1
  done
  port_busy "$PGB_PORT" || { tail -n 30 "$PGB_DIR/pgbouncer.log" >&2 || true; die 1 "pgbouncer did not start listening on $PGB_PORT"; }
fi

print_summary
