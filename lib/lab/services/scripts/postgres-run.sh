#!/bin/sh
# bosun lab postgres: initdb on first start (database $POSTGRES_DB, default app; superuser
# $POSTGRES_USER, default postgres, password $POSTGRES_PASSWORD), then postgres in the foreground.
set -eu
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-app}

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec su postgres -c "exec $0"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "Cannot initialise the database: POSTGRES_PASSWORD is empty" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 > /dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start > /dev/null
  psql -v ON_ERROR_STOP=1 -q -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
  pg_ctl -D "$PGDATA" -m fast -w stop > /dev/null
  echo "initialised database $db (superuser $user)"
fi
# Docker stops with SIGTERM (postgres' "smart" shutdown waits for every client): turn it into
# SIGINT, a fast shutdown, so `docker stop` takes well under its 10 s.
postgres -D "$PGDATA" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
wait "$pid" || true
wait "$pid"
