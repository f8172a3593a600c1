#!/usr/bin/env bash
# Installs (if needed) and starts a local PostgreSQL cluster from Debian's
# packages, creates a role and database for the tests, and exports
# DATACOOP_TEST_POSTGRES_URL. Source it: `source .ci/postgres.sh`.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q postgresql
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_VERSION=$(basename "$(dirname "$PG_BIN")")

if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h | grep -q "^$PG_VERSION main"; then
  $SUDO pg_ctlcluster "$PG_VERSION" main start 2>/dev/null || true
else
  $SUDO pg_createcluster "$PG_VERSION" main --start
fi

# Wait for the server to accept connections (bounded).
for _ in $(seq 1 60); do
  if as_postgres psql -qAtc 'select 1' >/dev/null 2>&1; then break; fi
  sleep 0.5
done

as_postgres psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'datacoop') THEN
    CREATE ROLE datacoop LOGIN PASSWORD 'datacoop' CREATEDB;
  END IF;
END $$;
SQL
as_postgres psql -qAtc "SELECT 1 FROM pg_database WHERE datname = 'datacoop'" | grep -q 1 \
  || as_postgres createdb -O datacoop datacoop

export DATACOOP_TEST_POSTGRES_URL="postgres://datacoop:datacoop@127.0.0.1:5432/datacoop"
echo "PostgreSQL $PG_VERSION ready: DATACOOP_TEST_POSTGRES_URL=postgres://datacoop:***@127.0.0.1:5432/datacoop"
