#!/usr/bin/env bash
# Every test: unit, integration on the embedded PostgreSQL (through PgBouncer when installed),
# then the Citus suite, which starts the local cluster or reports itself SKIPPED.
set -euo pipefail
cd "$(dirname "$0")/.."

npx jest --config jest.config.js
npx jest --config jest.int.config.js --runInBand
bash scripts/test-citus.sh
