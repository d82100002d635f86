#!/usr/bin/env bash
# Import benchmark (issue 16, item 5; docs/imports.md):
#   bench/imports.sh [PEOPLE] [FACTS]      full size: 20000 500
# Generates an organisations file (100 units), a PEOPLE-person people file
# (a tenth with two employments) and a FACTS-person facts file for one unit
# (bench/gen_import.py, .xlsx), starts the server on a fresh database
# (the demo plus bench users: `thidua seed bench --scale S`), and imports
# each file (a dry run, then the real run), recording rows per second and the
# server's peak RSS (VmHWM) after each step in
# bench/results/<UTC date>-imports-<PEOPLE>.md.
#
# On a shared machine run it small (bench/imports.sh 500 50): a full-size
# run while others compile measures them, not the import.
# Environment: THIDUA_BIN (the binary; default: build release), BENCH_PORT
# (18081), PGUSER (postgres); PostgreSQL at 127.0.0.1:5432.
set -euo pipefail
PEOPLE=${1:-20000}
FACTS=${2:-500}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${BENCH_PORT:-18081}
PGUSER=${PGUSER:-postgres}
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER
WORK=$ROOT/bench/var/imports
mkdir -p "$WORK" "$ROOT/bench/results"
OUT=$ROOT/bench/results/$(date -u +%F)-imports-$PEOPLE.md
PASSWORD=bench-password-1
BASE=http://127.0.0.1:$PORT
DB=bench_imports
URL=postgres://$PGUSER@127.0.0.1:5432/$DB
log() { echo "[imports $(date -u +%T)] $*" >&2; }

if [ -z "${THIDUA_BIN:-}" ]; then
    log "building the release binary"
    cargo build --release --bin thidua -q
    cp "${CARGO_TARGET_DIR:-$ROOT/target}/release/thidua" "$WORK/thidua"
    THIDUA_BIN=$WORK/thidua
fi

log "generating files ($PEOPLE people, $FACTS facts)"
python3 bench/gen_import.py "$WORK" "$PEOPLE" "$FACTS" 100

log "fresh database $DB"
psql -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
THIDUA_PASSWORD=$PASSWORD DATABASE_URL=$URL RUST_LOG=warn "$THIDUA_BIN" seed bench --scale S --seed 1 >/dev/null

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; return 0; }
trap cleanup EXIT
DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$PORT RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
    REQUEST_TIMEOUT_SECS=600 DB_STATEMENT_TIMEOUT_MS=600000 \
    JWT_SECRET=$(head -c 48 /dev/urandom | base64 -w0) \
    "$THIDUA_BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
curl -sf "$BASE/health/ready" >/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
TOKEN=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"grantType\":\"password\",\"username\":\"bench.admin\",\"password\":\"$PASSWORD\"}" \
    "$BASE/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
hwm() { awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

{
    echo "# Import benchmark, $(date -u +%FT%TZ)"
    echo
    echo "Binary: \`$THIDUA_BIN\`; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Server RSS after start: $(rss) kB (peak $(hwm) kB)."
    echo
    echo "| file | run | data rows | bytes | seconds | rows/s | created | unchanged | problems | server peak RSS (kB) |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$OUT"

run() { # kind file dryRun
    local kind=$1 file=$2 dry=$3 res secs
    res=$(curl -s -w '\n%{time_total}' -X POST -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' \
        --data-binary "@$file" "$BASE/api/v1/imports?kind=$kind&dryRun=$dry")
    secs=$(echo "$res" | tail -1)
    echo "$res" | head -n -1 >"$WORK/$kind-$dry.json"
    python3 - "$WORK/$kind-$dry.json" "$kind" "$dry" "$secs" "$(stat -c %s "$file")" "$(hwm)" >>"$OUT" <<'PY'
import json, sys
path, kind, dry, secs, size, hwm = sys.argv[1:]
r = json.load(open(path))
if "rows" not in r:
    print(f"| {kind} | {'dry' if dry == 'true' else 'real'} | – | {size} | {secs} | – | – | – | {r.get('code')} | {hwm} |")
    sys.exit(0)
rate = r["rows"] / float(secs) if float(secs) > 0 else 0
print(f"| {kind} | {'dry' if dry == 'true' else 'real'} | {r['rows']} | {size} | {float(secs):.3f} | {rate:,.0f} | "
      f"{r['counts']['created']} | {r['counts']['unchanged']} | {len(r['problems'])} | {hwm} |")
PY
    log "$kind dry=$dry: ${secs}s"
}
run organizations "$WORK/organizations.xlsx" false
for kind in people facts; do
    run "$kind" "$WORK/$kind.xlsx" true
    run "$kind" "$WORK/$kind.xlsx" false
done
run people "$WORK/people.xlsx" false  # again: every row unchanged
echo >>"$OUT"
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)." >>"$OUT"
log "wrote $OUT"
cat "$OUT"
