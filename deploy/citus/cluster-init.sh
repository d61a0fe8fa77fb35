#!/usr/bin/env bash
# Joins the Citus cluster of docker-compose.yml: records the coordinator's own address and
# adds every worker. Idempotent: each `docker compose up` runs it again and changes nothing
# on a cluster that is already complete. Runs in the citus image (psql, pg_isready).
#
#   CITUS_COORDINATOR   host:port of the coordinator     (default coordinator:5432)
#   CITUS_WORKERS       space-separated host:port list   (default "worker1:5432 worker2:5432")
#   CITUS_WAIT_SECONDS  how long to wait for each node   (default 120)
#   PGDATABASE, PGUSER  database and superuser           (default app, postgres)
#   PGPASSWORD          the superuser's password (scram-sha-256 on every node)
set -euo pipefail

COORDINATOR="${CITUS_COORDINATOR:-coordinator:5432}"
WORKERS="${CITUS_WORKERS:-worker1:5432 worker2:5432}"
WAIT_SECONDS="${CITUS_WAIT_SECONDS:-120}"
export PGDATABASE="${PGDATABASE:-app}" PGUSER="${PGUSER:-postgres}" PGCONNECT_TIMEOUT=5

log() { echo "[cluster-init] $*"; }
host_of() { echo "${1%:*}"; }
port_of() { echo "${1##*:}"; }
node_psql() {
  local node="$1"
  shift
  psql -X -q -At -v ON_ERROR_STOP=1 -h "$(host_of "$node")" -p "$(port_of "$node")" "$@"
}

# A node counts as ready once it answers and the citus extension exists in the database
# (the image creates it during initdb, before the server listens on TCP).
wait_for() {
  local node="$1" deadline=$((SECONDS + WAIT_SECONDS))
  until [[ "$(node_psql "$node" -c "SELECT count(*) FROM pg_extension WHERE extname = 'citus'" 2>/dev/null)" == 1 ]]; do
    if ((SECONDS >= deadline)); then
      log "ERROR: $node has no citus extension in database $PGDATABASE after ${WAIT_SECONDS}s" >&2
      exit 1
    fi
    sleep 1
  done
  log "$node is ready"
}

for node in "$COORDINATOR" $WORKERS; do
  wait_for "$node"
done

# The coordinator connects to the workers as the calling role, with a password under
# scram-sha-256: the owner's goes into pg_dist_authinfo before the first worker is added.
node_psql "$COORDINATOR" -v password="password=$PGPASSWORD" >/dev/null <<'SQL'
INSERT INTO pg_dist_authinfo (nodeid, rolename, authinfo) VALUES (0, 'postgres', :'password')
ON CONFLICT (rolename, nodeid) DO UPDATE SET authinfo = EXCLUDED.authinfo;
SQL

log "coordinator is $COORDINATOR"
node_psql "$COORDINATOR" -v host="$(host_of "$COORDINATOR")" -v port="$(port_of "$COORDINATOR")" >/dev/null <<'SQL'
SELECT citus_set_coordinator_host(:'host', :'port'::int);
SQL

for worker in $WORKERS; do
  added="$(node_psql "$COORDINATOR" -v host="$(host_of "$worker")" -v port="$(port_of "$worker")" <<'SQL'
SELECT citus_add_node(:'host', :'port'::int)
WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodename = :'host' AND nodeport = :'port'::int);
SQL
)"
  if [[ -n "$added" ]]; then log "added worker $worker (node id $added)"; else log "worker $worker already in the cluster"; fi
done

node_psql "$COORDINATOR" -F ' ' -c "SELECT 'node', nodename || ':' || nodeport, noderole, CASE WHEN groupid = 0 THEN 'coordinator' ELSE 'worker' END, CASE WHEN isactive THEN 'active' ELSE 'inactive' END FROM pg_dist_node ORDER BY groupid, nodeid" |
  while read -r line; do log "$line"; done
