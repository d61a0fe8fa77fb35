#!/bin/sh
# Writes the auth user's line from the environment, then runs PgBouncer: the only password in
# its files is the one auth_query logs in with; app roles are checked against their SCRAM secrets.
set -eu
mkdir -p /tmp/pgbouncer
umask 077
printf '"postgres" "%s"\n' "$PGBOUNCER_AUTH_PASSWORD" > /tmp/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
