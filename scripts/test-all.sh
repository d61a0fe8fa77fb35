#!/usr/bin/env bash
# Every test: the static checks and unit tests, integration on the embedded PostgreSQL (through PgBouncer when installed),
# then the Citus suite, which starts the local cluster or reports itself SKIPPED.
set -euo pipefail
cd "$(dirname "$0")/.."

# Types, lint, format and unit tests first: the cheapest failures.
npm run check
npx jest --config jest.int.config.js --runInBand
bash scripts/test-citus.sh
