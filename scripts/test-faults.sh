#!/usr/bin/env bash
# Fault injection: a Citus cluster of its own (separate data folder and ports, so the
# development cluster is never touched), nodes and PgBouncer stopped and restarted under load.
# Without Citus or PgBouncer installed it prints SKIPPED, loudly, and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

export CLUSTER_DIR="$PWD/.cluster-faults"
export CLUSTER_COORDINATOR_PORT="${FAULTS_COORDINATOR_PORT:-9910}"
export CLUSTER_WORKER1_PORT="${FAULTS_WORKER1_PORT:-9911}"
export CLUSTER_WORKER2_PORT="${FAULTS_WORKER2_PORT:-9912}"
export CLUSTER_PGBOUNCER_PORT="${FAULTS_PGBOUNCER_PORT:-6452}"
export TEST_TARGET=citus

source scripts/lib/skip-banner.sh
cluster_up_or_skip "FAULTS SUITE" "npm run test:faults"

# The SIGTERM test runs the built API as a real process.
npx nest build api >/dev/null
npx jest --config jest.faults.config.js --runInBand "$@"
result=$?
bash scripts/cluster-down.sh --purge >/dev/null 2>&1 || true
exit "$result"
