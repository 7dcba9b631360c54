#!/bin/sh
# bosun lab demo migrator: applies migration $MIGRATION_VERSION to the app database and exits 0,
# or exits 1 without touching it when MIGRATE_FAIL=1. Connects with libpq's PGHOST (default db),
# PGPORT, PGUSER (default postgres), PGDATABASE (default app), PGPASSWORD (or POSTGRES_PASSWORD),
# or DATABASE_URL when set.
set -eu
version=${MIGRATION_VERSION:-v1}
export PGHOST="${PGHOST:-db}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-app}"
export PGPASSWORD="${PGPASSWORD:-${POSTGRES_PASSWORD:-}}"
if [ -n "${DATABASE_URL:-}" ]; then export PGDATABASE="$DATABASE_URL"; fi
wait_s=${MIGRATE_WAIT:-30}

if [ "${MIGRATE_FAIL:-0}" = 1 ]; then
  echo "Cannot migrate to $version: failing on purpose (MIGRATE_FAIL=1)" >&2
  exit 1
fi

i=0
until pg_isready -q -d "$PGDATABASE" -t 2; do
  i=$((i + 1))
  if [ "$i" -ge "$wait_s" ]; then
    echo "Cannot migrate to $version: database $PGHOST is not ready after ${wait_s}s" >&2
    exit 1
  fi
  sleep 1
done

psql -v ON_ERROR_STOP=1 -q -d "$PGDATABASE" -v version="$version" <<'SQL'
CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO schema_migrations (version) VALUES (:'version') ON CONFLICT DO NOTHING;
INSERT INTO items (name) SELECT 'seeded by ' || :'version' WHERE NOT EXISTS (SELECT 1 FROM items WHERE name = 'seeded by ' || :'version');
SQL
echo "migrated to $version"
