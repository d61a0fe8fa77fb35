# Sourced by the test scripts: a suite that cannot run says so loudly and exits 0, so that a
# machine without Citus still passes `npm test` without anyone mistaking it for a Citus run.
skip() {
  local suite="$1" reason="$2" command="$3"
  cat >&2 <<BANNER

##############################################################################
##  ${suite} SKIPPED: ${reason}
##  Nothing of it ran. Install PostgreSQL 15 with Citus and PgBouncer,
##  then run: ${command}
##############################################################################

BANNER
  exit 0
}

# Starts the local cluster (CLUSTER_* variables choose which) or skips the suite.
cluster_up_or_skip() {
  local suite="$1" command="$2" output status
  output="$(bash scripts/cluster-up.sh 2>&1)"
  status=$?
  case "$status" in
    0) ;;
    2) skip "$suite" "PostgreSQL 15 server binaries are not installed" "$command" ;;
    3) skip "$suite" "Citus is not installed for PostgreSQL 15" "$command" ;;
    4) skip "$suite" "PgBouncer is not installed" "$command" ;;
    *) echo "$output" >&2; echo "cluster-up failed with exit code $status" >&2; exit "$status" ;;
  esac
}
