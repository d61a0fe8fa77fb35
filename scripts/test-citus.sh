#!/usr/bin/env bash
# The integration suite and the Citus-only tests against the local Citus cluster behind
# PgBouncer. Starts the cluster when needed (and stops it again if it started it). Without
# Citus or PgBouncer installed it prints SKIPPED, loudly, and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

skip() {
  cat >&2 <<BANNER

##############################################################################
##  CITUS SUITE SKIPPED: $1
##  Nothing was tested against Citus. Install PostgreSQL 15 with Citus and
##  PgBouncer, then run: npm run test:citus
##############################################################################

BANNER
  exit 0
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
was_running=0
if listening "${CLUSTER_COORDINATOR_PORT:-9700}" && listening "${CLUSTER_PGBOUNCER_PORT:-6432}"; then was_running=1; fi

up_output="$(bash scripts/cluster-up.sh 2>&1)"
status=$?
case "$status" in
  0) ;;
  2) skip "PostgreSQL 15 server binaries are not installed" ;;
  3) skip "Citus is not installed for PostgreSQL 15" ;;
  4) skip "PgBouncer is not installed" ;;
  *) echo "$up_output" >&2; echo "cluster-up failed with exit code $status" >&2; exit "$status" ;;
esac

TEST_TARGET=citus npx jest --config jest.int.config.js --runInBand "$@"
result=$?
if [[ "$was_running" -eq 0 ]]; then bash scripts/cluster-down.sh >/dev/null 2>&1 || true; fi
[[ "$result" -eq 0 ]] || exit "$result"

# Fault injection runs on a cluster of its own.
bash scripts/test-faults.sh
