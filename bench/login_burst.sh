#!/usr/bin/env bash
# Login burst (issue 12, item 4): bench/login_burst.sh [LOGINS]
#
# Builds the release binary (or uses BENCH_BIN), creates a fresh database
# `bench_login` on the PostgreSQL at 127.0.0.1:5432, adds one user, starts
# the server, and fires LOGINS (default 200) concurrent token requests — one
# in ten the real user, the rest unknown users — while sampling the server's
# VmRSS every 10 ms and timing another caller's `GET /api/v1/auth/me`
# (closed loop, every 20 ms). Prints peak RSS (VmHWM), steady RSS, the 503
# count and the other caller's p50/p99 (see bench/README.md, "Login burst").
#
# Environment: BENCH_BIN (a built `thidua` to run instead of building),
# BENCH_PORT (18090), PGUSER (postgres); the server's own settings
# (PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_WAIT_MS, …) pass through.
set -euo pipefail

LOGINS=${1:-200}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${BENCH_PORT:-18090}
BASE=http://127.0.0.1:$PORT
WORK=$ROOT/bench/var
mkdir -p "$WORK"
export PGUSER=${PGUSER:-postgres} PGHOST=127.0.0.1 PGPORT=5432
DB=bench_login
URL=postgres://$PGUSER@127.0.0.1:5432/$DB
USERNAME=burst.user
PASSWORD=burst-password-1

log() { echo "[login-burst $(date -u +%T)] $*" >&2; }

if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
else
    log "building the release binary"
    cargo build --release --bin thidua -q
    cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/thidua" "$WORK/thidua-login"
    BIN=$WORK/thidua-login
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { log "no PostgreSQL on 127.0.0.1:5432"; exit 1; }

SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    return 0
}
trap cleanup EXIT
trap "exit 130" INT TERM

psql -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
THIDUA_PASSWORD=$PASSWORD DATABASE_URL=$URL RUST_LOG=warn \
    "$BIN" user add --username "$USERNAME" --full-name 'Người dùng thử tải' --role viewer >&2

DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$PORT RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
    JWT_SECRET=$(head -c 48 /dev/urandom | base64 -w0) \
    "$BIN" serve >"$WORK/login-burst-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -sf "$BASE/health/ready" >/dev/null && break
    sleep 0.2
done
curl -sf "$BASE/health/ready" >/dev/null || { log "server did not become ready"; cat "$WORK/login-burst-server.log" >&2; exit 1; }

echo "binary                  $BIN"
echo "machine                 $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); rustc processes running: $(pgrep -c rustc || true)"
echo "server after start      VmRSS $(awk '/VmRSS/ {printf "%.1f MB", $2 / 1024}' /proc/$SERVER_PID/status)"
python3 "$ROOT/bench/login_burst.py" "$BASE" "$SERVER_PID" "$USERNAME" "$PASSWORD" "$LOGINS" 10
