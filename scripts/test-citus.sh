#!/usr/bin/env bash
# The integration suite and the Citus-only tests on a Citus cluster of their own behind PgBouncer
# (its own data folder and ports, purged afterwards), so that nothing a developer did to the
# development cluster (an isolated tenant, an added node) changes what the tests see.
# Without Citus or PgBouncer installed it prints SKIPPED, loudly, and exits 0.
set -uo pipefail
cd "$(dirname "$0")/.."

export CLUSTER_DIR="$PWD/.cluster-test"
export CLUSTER_COORDINATOR_PORT="${TEST_CLUSTER_COORDINATOR_PORT:-9800}"
export CLUSTER_WORKER1_PORT="${TEST_CLUSTER_WORKER1_PORT:-9801}"
export CLUSTER_WORKER2_PORT="${TEST_CLUSTER_WORKER2_PORT:-9802}"
export CLUSTER_PGBOUNCER_PORT="${TEST_CLUSTER_PGBOUNCER_PORT:-6442}"

source scripts/lib/skip-banner.sh

cluster_up_or_skip "CITUS SUITE" "npm run test:citus"

TEST_TARGET=citus npx jest --config jest.int.config.js --runInBand "$@"
result=$?
bash scripts/cluster-down.sh --purge >/dev/null 2>&1 || true
[[ "$result" -eq 0 ]] || exit "$result"

# Fault injection runs on a cluster of its own too.
env -u CLUSTER_DIR -u CLUSTER_COORDINATOR_PORT -u CLUSTER_WORKER1_PORT -u CLUSTER_WORKER2_PORT -u CLUSTER_PGBOUNCER_PORT bash scripts/test-faults.sh
