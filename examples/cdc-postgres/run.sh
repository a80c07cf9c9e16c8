#!/usr/bin/env bash
# The whole example in one command: a temporary PostgreSQL with the shop (lagoa dev postgres), the
# pipeline, the changes of phase 2, the pipeline again, and what the tables hold after each run.
# Everything lives in a temporary folder, deleted at the end (KEEP=1 keeps it, and says where).
# PG_PORT (default 55432) is the port of the temporary server; LAGOA the lagoa command.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAGOA="${LAGOA:-$HERE/../../lagoa}"
PORT="${PG_PORT:-55432}"
PASSWORD=lagoa
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lagoa-cdc-postgres.XXXXXX")"
# When lagoa runs as root, PostgreSQL runs as nobody, who must be able to reach the data folder.
chmod 755 "$WORK"
export LAGOA_WAREHOUSE="$WORK/warehouse"

PG_PID=""
finish() {
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    kill "$PG_PID" 2>/dev/null || true   # SIGTERM: lagoa dev postgres shuts the server down
    wait "$PG_PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = "1" ]; then
    echo "kept: $WORK (warehouse: $LAGOA_WAREHOUSE)"
  else
    rm -rf "$WORK"
  fi
}
trap finish EXIT

step() { printf '\n== %s\n' "$*"; }

step "starting PostgreSQL on 127.0.0.1:$PORT with the shop (shop.pgsql)"
"$LAGOA" dev postgres --data "$WORK/postgres" --port "$PORT" --password "$PASSWORD" \
  --database shop --init "$HERE/shop.pgsql" >"$WORK/postgres.out" 2>&1 &
PG_PID=$!
for _ in $(seq 1 600); do
  grep -q "Stop it with Ctrl-C" "$WORK/postgres.out" 2>/dev/null && break
  if ! kill -0 "$PG_PID" 2>/dev/null; then
    cat "$WORK/postgres.out" >&2
    echo "run.sh: lagoa dev postgres did not start (above: why)" >&2
    exit 1
  fi
  sleep 0.5
done
grep -q "Stop it with Ctrl-C" "$WORK/postgres.out" || { cat "$WORK/postgres.out" >&2; exit 1; }
cat "$WORK/postgres.out"

VARS=(--var "pg_url=jdbc:postgresql://127.0.0.1:$PORT/shop" --var "pg_password=$PASSWORD")
show() {
  "$LAGOA" sql "SELECT id, name, email, city FROM silver.customers ORDER BY id;
    SELECT id, email, city, __START_AT.lsn AS start_lsn, __END_AT.lsn AS end_lsn
      FROM silver.customer_history WHERE id IN (3, 5, 6, 12, 13) ORDER BY id, __START_AT;
    SELECT * FROM gold.revenue_by_customer ORDER BY revenue DESC LIMIT 5"
}

step "pipeline run 1: the initial snapshot of every table"
"$LAGOA" pipeline run "$HERE" --once "${VARS[@]}"
show

step "phase 2 in PostgreSQL (changes.pgsql): inserts, updates, an email change, deletes, a key update"
"$LAGOA" dev postgres --sql "$HERE/changes.pgsql" --data "$WORK/postgres" --database shop

step "pipeline run 2: only the changes"
"$LAGOA" pipeline run "$HERE" --once "${VARS[@]}"
show
