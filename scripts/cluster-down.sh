#!/usr/bin/env bash
# Stop the local dev Citus cluster started by scripts/cluster-up.sh.
#
#   scripts/cluster-down.sh           stop pgbouncer + the three nodes, keep data
#   scripts/cluster-down.sh --purge   stop everything and delete <repo>/.cluster
#
# Exits 0 when nothing is running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$REPO_ROOT/.cluster}"
PGB_DIR="$CLUSTER_DIR/pgbouncer"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
NODES=(coordinator worker1 worker2 worker3)

log() { echo "[cluster-down] $*"; }
die() { echo "[cluster-down] ERROR: $*" >&2; exit 1; }

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (usage: $0 [--purge])" ;;
  esac
done

# running = exists and is not a zombie (a zombie cannot be waited for by us)
alive() {
  kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)" != Z ]]
}

if [[ "$(id -u)" -eq 0 ]]; then
  AS_OWNER=(runuser -u postgres --)
else
  AS_OWNER=()
fi
as_owner() { "${AS_OWNER[@]}" "$@"; }

if [[ ! -d "$CLUSTER_DIR" ]]; then
  log "no cluster at $CLUSTER_DIR; nothing to do"
  exit 0
fi

# --- pgbouncer ----------------------------------------------------------------------
pidfile="$PGB_DIR/pgbouncer.pid"
if [[ -f "$pidfile" ]]; then
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && alive "$pid" &&
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == pgbouncer* ]]; then
    log "stopping pgbouncer (pid $pid)"
    kill -TERM "$pid"   # SIGTERM = immediate shutdown (fast)
    for _ in $(seq 1 100); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "pgbouncer did not exit, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    log "pgbouncer not running"
  fi
  rm -f "$pidfile"
else
  log "pgbouncer not running"
fi

# --- PostgreSQL nodes (coordinator first) -------------------------------------------
for n in "${NODES[@]}"; do
  data="$CLUSTER_DIR/$n/data"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    continue
  fi
  if as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "stopping $n"
    as_owner "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null ||
      die "failed to stop $n (data: $data)"
  else
    log "$n not running"
  fi
done

if [[ "$PURGE" -eq 1 ]]; then
  log "purging $CLUSTER_DIR"
  rm -rf "$CLUSTER_DIR"
else
  log "data kept in $CLUSTER_DIR (use --purge to delete it)"
fi
