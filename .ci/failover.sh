#!/usr/bin/env bash
# Issue 18, item 7: failover without losing an acknowledged write.
#
# Two private PostgreSQL servers from the installed binaries: a primary
# and a standby made from it with pg_basebackup, streaming, made
# synchronous (synchronous_standby_names = '*', synchronous_commit = on:
# a commit is acknowledged once the standby has flushed it). One `thidua
# serve` (debug build) with a multi-host DATABASE_URL
# (host a,b, target_session_attrs=read-write). .ci/failover.py puts it
# under write load, crashes the primary (pg_ctl stop -m immediate), waits
# FAILOVER_DETECT_MS (what Patroni or an operator takes to decide), promotes
# the standby, and measures: the gap without an acknowledged write, the
# failed requests (each must be 503 with Retry-After), the time to the
# first write after the promotion, and that every write acknowledged 2xx
# is on the new primary. FAILOVER_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
[ -x "$pg_bin/pg_basebackup" ] || { echo "no PostgreSQL server binaries (set PG_BIN)" >&2; exit 1; }
# THIDUA_BIN: a binary to use instead of the debug build.
if [ -z "${THIDUA_BIN:-}" ]; then
  cargo build --quiet --bin thidua
  THIDUA_BIN=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/thidua
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/thidua-failover.XXXXXX")
chmod 755 "$W"
cp "$THIDUA_BIN" "$W/thidua"
as_pg=""
if [ "$(id -u)" -eq 0 ]; then as_pg="runuser -u postgres --"; chown postgres "$W"; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
api_pid=
cleanup() {
  local rc=$?
  [ -n "$api_pid" ] && kill -TERM "$api_pid" 2>/dev/null || true
  for d in a b; do $as_pg "$pg_bin/pg_ctl" -D "$W/$d" -m immediate stop >/dev/null 2>&1 || true; done
  if [ "$rc" -ne 0 ]; then
    for f in api.log a.log b.log; do
      [ -f "$W/$f" ] && { echo "-- last lines of $f:" >&2; tail -n 15 "$W/$f" >&2; }
    done
  fi
  if [ -n "${FAILOVER_KEEP:-}" ]; then echo "FAILOVER_KEEP: kept $W" >&2; else rm -rf "$W"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_a=$(free_port)
port_b=$(free_port)
pg_start() { # dir port
  $as_pg "$pg_bin/pg_ctl" -D "$W/$1" -l "$W/$1.log" -w \
    -o "-p $2 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$W/$1" start >/dev/null
}
$as_pg "$pg_bin/initdb" -D "$W/a" -U postgres --auth=trust >/dev/null
pg_start a "$port_a"
url_a="postgres://postgres@127.0.0.1:$port_a/postgres"

# The database, migrated, and an admin (before the standby: nothing to wait for yet).
pw=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
jwt=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
export JWT_SECRET=$jwt LOG_FORMAT=json RUST_LOG=warn
DATABASE_URL="postgres://postgres@127.0.0.1:$port_a/thidua?sslmode=disable" THIDUA_PASSWORD=$pw \
  "$W/thidua" user add --username admin --full-name 'Quản trị' --role admin >/dev/null

# The standby, then the primary made to wait for it at every commit.
$as_pg "$pg_bin/pg_basebackup" -D "$W/b" -R -X stream -c fast -h 127.0.0.1 -p "$port_a" -U postgres
pg_start b "$port_b"
psql -qAtX "$url_a" -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 1 100); do
  state=$(psql -qAtX "$url_a" -c "SELECT sync_state FROM pg_stat_replication")
  [ "$state" = sync ] && break
  sleep 0.1
done
[ "$state" = sync ] || { echo "the standby did not become synchronous ($state)" >&2; exit 1; }
echo "primary 127.0.0.1:$port_a, synchronous standby 127.0.0.1:$port_b (sync_state=$state)"

api_port=$(free_port)
export DATABASE_URL="postgres://postgres@127.0.0.1:$port_a,127.0.0.1:$port_b/thidua?target_session_attrs=read-write&sslmode=disable"
BIND_ADDR=127.0.0.1:$api_port RATE_LIMIT_PER_MINUTE=0 REQUEST_TIMEOUT_SECS=5 DB_CONNECT_TIMEOUT_MS=${FAILOVER_CONNECT_TIMEOUT_MS:-1000} \
  "$W/thidua" serve >"$W/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$api_port/health/ready" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$api_port/health/ready"
echo "thidua serve on 127.0.0.1:$api_port, DATABASE_URL hosts a,b with target_session_attrs=read-write; $(($(date +%s) - start)) s to set up"

BASE="http://127.0.0.1:$api_port" ADMIN_PASSWORD=$pw \
  STOP_PRIMARY="$as_pg $pg_bin/pg_ctl -D $W/a -m immediate stop" \
  PROMOTE="$as_pg $pg_bin/pg_ctl -D $W/b -w promote" \
  NEW_PRIMARY_URL="postgres://postgres@127.0.0.1:$port_b/thidua" \
  python3 .ci/failover.py
echo "== failover passed: $(($(date +%s) - start)) s"
