#!/usr/bin/env bash
# XLSX export benchmark (issue 16, item 5): bench/export_xlsx.sh S|M|L [N]
#
# Generates (or, with BENCH_KEEP_DATA=1, reuses) the data set `bench_<scale>`
# like bench/run.sh (`thidua seed bench`), starts the server, logs in
# bench.admin and downloads the compliance matrix of the first bloc's pledge
# in force N times (default 20) as JSON and as XLSX
# (`?format=xlsx`), one request at a time, timing each (curl's
# time_total) and reading the server's VmRSS / VmHWM (peak) before and
# after. Each workbook is checked to be an XLSX (its `[Content_Types].xml`).
# Writes bench/results/<UTC date>-export-<scale>.md. Figures are benchmarks,
# not tests; run M/L only on a quiet machine.
#
# Environment: BENCH_BIN (a built `thidua`; default: build the release
# binary), BENCH_PORT (18085), BENCH_SEED (1), BENCH_KEEP_DATA=1, PGUSER
# (postgres; PostgreSQL on 127.0.0.1:5432).
set -euo pipefail

SCALE=${1:-}
case "$SCALE" in S | M | L) ;; *)
    echo "usage: bench/export_xlsx.sh S|M|L [N]" >&2
    exit 2
    ;;
esac
N=${2:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${BENCH_PORT:-18085}
SEED=${BENCH_SEED:-1}
BASE=http://127.0.0.1:$PORT
WORK=$ROOT/bench/var
RAW=$WORK/raw-export-$SCALE
rm -rf "$RAW"
mkdir -p "$RAW" "$ROOT/bench/results"
OUT=$ROOT/bench/results/$(date -u +%F)-export-$SCALE.md
PASSWORD=bench-password-$SEED
export PGUSER=${PGUSER:-postgres} PGHOST=127.0.0.1 PGPORT=5432

log() { echo "[export $(date -u +%T)] $*" >&2; }

if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
    BUILD="BENCH_BIN=$BENCH_BIN"
else
    log "building the release binary"
    cargo build --release --bin thidua -q
    cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/thidua" "$WORK/thidua-export"
    BIN=$WORK/thidua-export
    BUILD=release
fi
pg_isready -q -h 127.0.0.1 -p 5432 || { log "no PostgreSQL on 127.0.0.1:5432"; exit 1; }

DB=bench_$(echo "$SCALE" | tr 'A-Z' 'a-z')
URL=postgres://$PGUSER@127.0.0.1:5432/$DB
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    return 0
}
trap cleanup EXIT
trap "exit 130" INT TERM

if [ "${BENCH_KEEP_DATA:-}" = 1 ] && psql -d "$DB" -Atc "SELECT 1 FROM users WHERE username = 'bench.admin'" 2>/dev/null | grep -q 1; then
    log "reusing database $DB"
else
    log "generating scale $SCALE (seed $SEED) into $DB"
    psql -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
    THIDUA_PASSWORD=$PASSWORD DATABASE_URL=$URL RUST_LOG=warn "$BIN" seed bench --scale "$SCALE" --seed "$SEED" >"$RAW/generate.txt" 2>&1
fi

log "starting the server"
DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$PORT RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
    JWT_SECRET=$(head -c 48 /dev/urandom | base64 -w0) \
    "$BIN" serve >"$RAW/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do
    curl -sf "$BASE/health/ready" >/dev/null && break
    sleep 0.2
done
curl -sf "$BASE/health/ready" >/dev/null || { log "server did not become ready"; cat "$RAW/server.log" >&2; exit 1; }
rss() { awk '/VmHWM|VmRSS/ {printf "%s %s kB  ", $1, $2}' "/proc/$SERVER_PID/status"; }

TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"grantType\":\"password\",\"username\":\"bench.admin\",\"password\":\"$PASSWORD\"}" \
    "$BASE/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
PLEDGE=$(psql -d "$DB" -Atc "SELECT p.id FROM pledges p JOIN bloc_terms t ON t.id = p.term_id JOIN blocs b ON b.id = t.bloc_id
    WHERE p.status = 'in_force' ORDER BY t.year DESC, b.code LIMIT 1")
SHAPE=$(psql -d "$DB" -Atc "SELECT (SELECT count(*) FROM pledge_targets WHERE pledge_id = '$PLEDGE') || ' targets × ' ||
    (SELECT count(*) FROM term_members m JOIN pledges p ON p.term_id = m.term_id WHERE p.id = '$PLEDGE') || ' units'" 2>/dev/null || echo "?")
PATH_C=/api/v1/pledges/$PLEDGE/compliance
BEFORE=$(rss)

measure() { # $1: label, $2: query suffix; prints "label n p50 max bytes"
    local times=$RAW/times-$1.txt
    : >"$times"
    for _ in $(seq 1 "$N"); do
        curl -sf -o "$RAW/body-$1" -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$BASE$PATH_C$2" >>"$times"
    done
    sort -n "$times" | awk -v l="$1" -v b="$(stat -c %s "$RAW/body-$1")" '{ t[NR] = $1 }
        END { printf "| %s | %d | %.1f | %.1f | %d |\n", l, NR, t[int((NR + 1) / 2)] * 1000, t[NR] * 1000, b }'
}
ROWS=$(measure json "")
ROWS="$ROWS
$(measure xlsx "?format=xlsx")"
unzip -l "$RAW/body-xlsx" | grep -q '\[Content_Types\].xml' || { log "the export is not an XLSX"; exit 1; }
AFTER=$(rss)

cat >"$OUT" <<MD
# XLSX export, scale $SCALE ($(date -u +%FT%TZ))

Compliance matrix of the first bloc's pledge in force ($SHAPE), $N requests
one at a time per form. Binary: $BUILD. Load average at the start:
$(cut -d' ' -f1-3 /proc/loadavg).

| form | requests | p50 ms | max ms | bytes |
|---|---|---|---|---|
$ROWS

Server memory: before — $BEFORE; after — $AFTER (VmHWM is the peak).
MD
cat "$OUT"
