#!/usr/bin/env bash
# Webhook delivery figures (issue 17): bench/webhooks.sh [EVENTS] [WEBHOOKS]
#
# Builds the release binary (or uses BENCH_BIN), creates a fresh database
# `bench_webhooks` on the PostgreSQL at 127.0.0.1:5432 with an admin user,
# starts the server with the loopback receiver allowed, registers WEBHOOKS
# webhooks (default 4) for `person.` to a local receiver (bench/webhooks.py:
# HTTP/1.1 keep-alive, 204, verifies nothing), pauses them, makes EVENTS
# changes (default 200: people created through the API), resumes every
# webhook at once and measures how long until the receiver has every
# delivery: events per second delivered, in total and per webhook
# (deliveries of one webhook are sequential, so one webhook's rate is one
# round trip per event), with the latency of the attempts from the
# deliveries the server recorded.
#
# A measurement, not a test: run it at small size on a shared machine
# (the default), larger only on a quiet one. Environment: BENCH_BIN,
# BENCH_PORT (18095), PGUSER (postgres), WEBHOOK_CONCURRENCY (server's
# attempts in flight, default 4) pass through.
set -euo pipefail

EVENTS=${1:-200}
WEBHOOKS=${2:-4}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${BENCH_PORT:-18095}
BASE=http://127.0.0.1:$PORT
WORK=$ROOT/bench/var
mkdir -p "$WORK"
export PGUSER=${PGUSER:-postgres} PGHOST=127.0.0.1 PGPORT=5432
DB=bench_webhooks
URL=postgres://$PGUSER@127.0.0.1:5432/$DB
PASSWORD=bench-webhooks-password

log() { echo "[webhooks $(date -u +%T)] $*" >&2; }

if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
else
    log "building the release binary"
    cargo build --release --bin thidua -q
    cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/thidua" "$WORK/thidua-webhooks"
    BIN=$WORK/thidua-webhooks
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
    "$BIN" user add --username bench.admin --full-name 'Quản trị thử tải' --role admin >&2

DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$PORT RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
    WEBHOOK_ALLOW_HOSTS=127.0.0.1 DEADLINE_SCAN_SECS=0 \
    JWT_SECRET=$(head -c 48 /dev/urandom | base64 -w0) \
    "$BIN" serve >"$WORK/webhooks-server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -sf "$BASE/health/ready" >/dev/null && break
    sleep 0.2
done
curl -sf "$BASE/health/ready" >/dev/null || { log "server did not become ready"; cat "$WORK/webhooks-server.log" >&2; exit 1; }

echo "binary                  $BIN"
echo "machine                 $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); rustc processes running: $(pgrep -c rustc || true)"
echo "server                  WEBHOOK_CONCURRENCY=${WEBHOOK_CONCURRENCY:-4}"
python3 "$ROOT/bench/webhooks.py" "$BASE" bench.admin "$PASSWORD" "$EVENTS" "$WEBHOOKS" "$URL"
