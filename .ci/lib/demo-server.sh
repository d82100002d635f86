# Sourced by the contract scripts (.ci/contract-*.sh): start `thidua serve
# --demo` on a free port with a throwaway database, the same way
# .ci/schemathesis.sh does, and stop and remove everything on exit.
#
#   source .ci/lib/demo-server.sh
#   demo_server_start            # sets DEMO_BASE, DEMO_ADMIN_PASSWORD, DEMO_WORK, DEMO_LOG
#
# The server is the debug build (cargo test, run before these in .ci/run,
# has built it), copied into a temporary directory so that a later build
# cannot swap it. The database is a fresh one on 127.0.0.1:5432 when a
# PostgreSQL answers there as `postgres` (dropped afterwards), else the
# private server of the run story under the temporary THIDUA_VAR_DIR.
# DEMO_PG=private skips 127.0.0.1:5432; DEMO_KEEP=1 keeps the directory (the
# server's log) and the database to look at afterwards.
#
# The caller's EXIT trap must call demo_server_stop (the scripts do
# `trap demo_server_stop EXIT`); INT and TERM end the script through it.

DEMO_BASE=
DEMO_ADMIN_PASSWORD=
DEMO_WORK=
DEMO_LOG=
_demo_server_pid=
_demo_dropdb_url=
_demo_db_name=

demo_server_stop() {
  local rc=$?
  if [ -n "$_demo_server_pid" ] && kill -0 "$_demo_server_pid" 2>/dev/null; then
    kill -TERM "$_demo_server_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$_demo_server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$_demo_server_pid" 2>/dev/null || true
    wait "$_demo_server_pid" 2>/dev/null || true
  fi
  [ -n "$DEMO_WORK" ] || exit "$rc"
  # A private server left behind (the API killed hard): stop it by its pid file.
  local pidfile="$DEMO_WORK/var/postgres/postmaster.pid"
  if [ -f "$pidfile" ]; then
    local pg_pid
    pg_pid=$(head -n1 "$pidfile")
    if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
      kill -INT "$pg_pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pg_pid" 2>/dev/null || true
    fi
  fi
  if [ -n "${DEMO_KEEP:-}" ]; then
    echo "DEMO_KEEP: kept $DEMO_WORK${_demo_dropdb_url:+ and database $_demo_db_name}" >&2
    exit "$rc"
  fi
  if [ -n "$_demo_dropdb_url" ]; then
    psql -q "$_demo_dropdb_url" -c "DROP DATABASE IF EXISTS \"$_demo_db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$DEMO_LOG" ]; then
    # Less the demo users' passwords ("  <user>   <password>" lines).
    echo "-- last lines of the server's log:" >&2
    grep -vE '^  [^ ]+ +[^ ]+$' "$DEMO_LOG" | tail -n 20 >&2 || true
  fi
  rm -rf "$DEMO_WORK"
  exit "$rc"
}

demo_server_start() {
  trap 'exit 130' INT
  trap 'exit 143' TERM
  cargo build --quiet --bin thidua
  local target_dir
  target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

  DEMO_WORK=$(mktemp -d "${TMPDIR:-/tmp}/thidua-demo.XXXXXX")
  chmod 755 "$DEMO_WORK" # the private server runs as `postgres` when we are root
  DEMO_LOG="$DEMO_WORK/server.log"
  cp "$target_dir/debug/thidua" "$DEMO_WORK/thidua"

  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  DEMO_BASE="http://127.0.0.1:$port"

  (
    export THIDUA_VAR_DIR="$DEMO_WORK/var" BIND_ADDR="127.0.0.1:$port" LOG_FORMAT=json RUST_LOG=warn
    unset DATABASE_URL JWT_PRIVATE_KEY JWT_PUBLIC_KEY JWT_SECRET
    if [ -n "${_DEMO_DATABASE_URL:-}" ]; then
      export DATABASE_URL=$_DEMO_DATABASE_URL JWT_SECRET=$_DEMO_JWT_SECRET
    fi
    exec "$DEMO_WORK/thidua" serve --demo
  ) >"$DEMO_LOG" 2>&1 &
  _demo_server_pid=$!

  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$DEMO_BASE/health/ready" 2>/dev/null; then break; fi
    if ! kill -0 "$_demo_server_pid" 2>/dev/null; then
      echo "the server exited before it was ready" >&2
      return 1
    fi
    sleep 0.1
  done
  curl -fsS -o /dev/null "$DEMO_BASE/health/ready"

  # The demo prints each user's password once: "  admin              <password>".
  DEMO_ADMIN_PASSWORD=$(awk '$1 == "admin" && NF == 2 { print $2; exit }' "$DEMO_LOG")
  if [ -z "$DEMO_ADMIN_PASSWORD" ]; then
    echo "the demo printed no admin password" >&2
    return 1
  fi
  echo "demo server: $DEMO_BASE (pid $_demo_server_pid, log $DEMO_LOG)"
}

# Choose the database before starting: a fresh one on 127.0.0.1:5432 when it
# answers, else the private server.
_demo_choose_database() {
  local local_pg="postgres://postgres@127.0.0.1:5432/postgres"
  if [ "${DEMO_PG:-}" != private ] && command -v psql >/dev/null &&
    psql -q "$local_pg" -c 'select 1' >/dev/null 2>&1; then
    _demo_db_name="thidua_demo_$$"
    _demo_dropdb_url=$local_pg
    _DEMO_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$_demo_db_name"
    _DEMO_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
    echo "database: $_demo_db_name on 127.0.0.1:5432 (dropped afterwards)"
  else
    _DEMO_DATABASE_URL=
    echo "database: a private server in a temporary directory"
  fi
}
_demo_choose_database
