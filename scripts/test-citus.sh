#!/usr/bin/env bash
# The integration suite and the Citus-only tests against the local Citus cluster behind
# PgBouncer. Starts the cluster when needed (and stops it again if it started it). Without
# Citus or PgBouncer installed it prints SKIPPED, loudly, and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/skip-banner.sh

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
was_running=0
if listening "${CLUSTER_COORDINATOR_PORT:-9700}" && listening "${CLUSTER_PGBOUNCER_PORT:-6432}"; then was_running=1; fi

cluster_up_or_skip "CITUS SUITE" "npm run test:citus"

TEST_TARGET=citus npx jest --config jest.int.config.js --runInBand "$@"
result=$?
if [[ "$was_running" -eq 0 ]]; then bash scripts/cluster-down.sh >/dev/null 2>&1 || true; fi
[[ "$result" -eq 0 ]] || exit "$result"

# Fault injection runs on a cluster of its own.
bash scripts/test-faults.sh
