#!/usr/bin/env bash
# Reliability gate 6: Schemathesis against the running server and the
# committed spec (openapi/openapi.json). Every operation, as the demo's admin,
# a bounded number of examples per operation, all checks on. Exits non-zero on
# any finding. Settings and the reasoning behind them: .ci/schemathesis.toml.
#
# The server is the debug build of `thidua serve --demo` (cargo test has built
# its dependencies already) on a free port, with a throwaway database: a fresh
# database on 127.0.0.1:5432 when a PostgreSQL answers there as `postgres`
# (as the tests use it), else the private server of the run story under a
# temporary THIDUA_VAR_DIR. Everything is stopped and removed on exit.
#
# Before the run, the hooks make fixtures through the API (a resource in the
# state each operation needs: .ci/schemathesis_fixtures.py) and put their ids
# in place of generated ones, so that every operation reaches its logic; the
# gate fails when an operation never answered 2xx, on a problem `code` its
# operation does not document, and on Schemathesis's warnings
# (docs/contract.md, "The Schemathesis gate").
#
# Environment: ST_MAX_EXAMPLES (default 100), ST_SEED (default 20261201, the
# gate's own; the run prints it so a failure can be replayed),
# ST_PG=private (skip 127.0.0.1:5432), ST_KEEP=1 (keep the server's log and
# the database to look at afterwards), ST_BIN=<path> (run that `thidua`
# binary instead of building one: a replay while the target directory is
# busy). Arguments are passed on to `schemathesis run` (e.g.
# `--include-operation-id createUser` to replay a few operations).
set -euo pipefail
cd "$(dirname "$0")/.."

ST_VERSION=4.32.5
VENV=.venv-st # its own: check-jsonschema (.venv-ci) pins other versions of shared packages
MAX_EXAMPLES=${ST_MAX_EXAMPLES:-100}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$ST_VERSION"; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi

if [ -z "${ST_BIN:-}" ]; then
  cargo build --quiet --bin thidua
  target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  ST_BIN="$target_dir/debug/thidua"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/thidua-st.XXXXXX")
chmod 755 "$work" # the private server runs as `postgres` when we are root
# A copy: a later build into the same target directory cannot swap it.
bin="$work/thidua"
cp "$ST_BIN" "$bin"
server_pid=
st_pid=
dropdb_url=
cleanup() {
  local rc=$?
  if [ -n "$st_pid" ] && kill -0 "$st_pid" 2>/dev/null; then
    kill -TERM "$st_pid" 2>/dev/null || true
    wait "$st_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  # A private server left behind (the API killed hard): stop it by its pid file.
  local pidfile="$work/var/postgres/postmaster.pid"
  if [ -f "$pidfile" ]; then
    local pg_pid
    pg_pid=$(head -n1 "$pidfile")
    if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
      kill -INT "$pg_pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pg_pid" 2>/dev/null || true
    fi
  fi
  if [ -n "${ST_KEEP:-}" ]; then
    echo "ST_KEEP: kept $work${dropdb_url:+ and database $db_name}" >&2
    exit "$rc"
  fi
  if [ -n "$dropdb_url" ]; then
    psql -q "$dropdb_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "-- last lines of the server's log:" >&2
    tail -n 20 "$work/server.log" >&2 || true
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

export THIDUA_VAR_DIR="$work/var" BIND_ADDR="127.0.0.1:$port" LOG_FORMAT=json RUST_LOG=warn
# Schemathesis sends thousands of requests as one caller: the per-caller limit
# would turn most of them into 429s and hide the real answers.
export RATE_LIMIT_PER_MINUTE=0
# The fixtures' webhooks deliver to a receiver of the hooks on 127.0.0.1.
export WEBHOOK_ALLOW_HOSTS=127.0.0.1
unset DATABASE_URL JWT_PRIVATE_KEY JWT_PUBLIC_KEY
local_pg="postgres://postgres@127.0.0.1:5432/postgres"
if [ "${ST_PG:-}" != private ] && command -v psql >/dev/null &&
  psql -q "$local_pg" -c 'select 1' >/dev/null 2>&1; then
  db_name="thidua_st_$$"
  dropdb_url=$local_pg
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db_name"
  JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
  export JWT_SECRET
  echo "database: $db_name on 127.0.0.1:5432 (dropped afterwards)"
else
  echo "database: a private server under $THIDUA_VAR_DIR"
fi

"$bin" serve --demo >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null "$base/health/ready" 2>/dev/null; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited before it was ready" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fsS -o /dev/null "$base/health/ready"

# The demo prints each user's password once: "  admin              <password>".
password=$(awk '$1 == "admin" && NF == 2 { print $2; exit }' "$work/server.log")
if [ -z "$password" ]; then
  echo "the demo printed no admin password" >&2
  exit 1
fi
token=$(curl -fsS "$base/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"grantType\":\"password\",\"username\":\"admin\",\"password\":\"$password\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
admin_id=$(curl -fsS "$base/api/v1/auth/me" -H "Authorization: Bearer $token" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

seed=${ST_SEED:-20261201}
echo "schemathesis $ST_VERSION: $base, --max-examples $MAX_EXAMPLES --seed $seed"
# The hooks log in as the admin (and again after the run resets the admin's
# own password): see .ci/schemathesis_hooks.py.
# Run from the temporary directory: Schemathesis keeps a cache (.schemathesis/)
# in its working directory, and it goes with the rest.
repo=$PWD
cd "$work"
started=$(date +%s)
ST_BASE_URL=$base ST_ADMIN_ID=$admin_id ST_ADMIN_PASSWORD=$password \
  ST_SERVER_LOG="$work/server.log" \
  SCHEMATHESIS_HOOKS="$repo/.ci/schemathesis_hooks.py" \
  "$repo/$VENV/bin/schemathesis" --config-file "$repo/.ci/schemathesis.toml" \
  run "$repo/openapi/openapi.json" \
  --url "$base" \
  --checks all \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$seed" \
  --workers 2 \
  --generation-database none \
  --no-color "$@" &
# In the background and waited for, so that a TERM or INT stops the run at
# once (bash runs traps only between commands) and the trap stops it too.
st_pid=$!
st_rc=0
wait "$st_pid" || st_rc=$?
st_pid=
echo "== schemathesis: exit $st_rc after $(($(date +%s) - started)) s"
exit "$st_rc"
