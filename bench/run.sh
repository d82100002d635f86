#!/usr/bin/env bash
# Load benchmark: bench/run.sh S|M|L   (see bench/README.md)
#
# Builds the release binary, generates the data set (`thidua seed bench`)
# into a PostgreSQL on loopback (127.0.0.1:5432 if one answers, else a
# private server under bench/var/pg), starts the server, gets tokens, and
# runs every scenario closed-loop (wrk -t1, 16 and 64 connections) and
# open-loop at half the best rate (oha --latency-correction), plus the
# PostgreSQL ceiling (pgbench). Writes bench/results/<date>-<scale>.md.
#
# Environment: BENCH_DURATION (s per closed-loop run, default 10),
# BENCH_LATENCY_DURATION (s per open-loop run, default 10), BENCH_SEED (1),
# BENCH_PORT (18080), BENCH_KEEP_DATA=1 (reuse the generated database),
# BENCH_WAIT_MAX (s to wait for other compilations to finish, default 1800),
# DB_POOL_SIZE (the server's pool, default 8 = 4 x 2 cores), PGUSER (postgres).
set -euo pipefail

SCALE=${1:-}
case "$SCALE" in S | M | L) ;; *)
    echo "usage: bench/run.sh S|M|L" >&2
    exit 2
    ;;
esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DUR=${BENCH_DURATION:-10}
LAT_DUR=${BENCH_LATENCY_DURATION:-10}
SEED=${BENCH_SEED:-1}
PORT=${BENCH_PORT:-18080}
CONNS="16 64"
WORK=$ROOT/bench/var
RAW=$WORK/raw-$SCALE
rm -rf "$RAW"
mkdir -p "$RAW" "$ROOT/bench/results"
OUT=$ROOT/bench/results/$(date -u +%F)-$SCALE.md
# Only the bench users (in a throwaway local database) have this password.
PASSWORD=bench-password-$SEED
BASE=http://127.0.0.1:$PORT

log() { echo "[bench $(date -u +%T)] $*" >&2; }

# --- tools -----------------------------------------------------------------
apt_install() {
    apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}
command -v wrk >/dev/null || { log "installing wrk"; apt_install wrk; }
command -v psql >/dev/null || { log "installing the PostgreSQL client"; apt_install postgresql-client; }
command -v pgbench >/dev/null || { log "installing pgbench"; apt_install postgresql-contrib || apt_install postgresql; }
command -v curl >/dev/null || apt_install curl
export PATH="$HOME/.cargo/bin:$PATH"
command -v oha >/dev/null || { log "installing oha (cargo install oha --locked)"; cargo install oha --locked -q; }

# --- build -----------------------------------------------------------------
log "building the release binary"
cargo build --release --bin thidua --example bench-bare -q
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
# A private copy: a shared target directory may be rebuilt while we run.
cp "$TARGET/release/thidua" "$WORK/thidua"
cp "$TARGET/release/examples/bench-bare" "$WORK/bench-bare"
BIN=$WORK/thidua
BARE_BIN=$WORK/bench-bare

# --- PostgreSQL on loopback ------------------------------------------------
export PGUSER=${PGUSER:-postgres} PGHOST=127.0.0.1
PRIVATE_PG=""
if pg_isready -q -h 127.0.0.1 -p 5432; then
    export PGPORT=5432
else
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    PRIVATE_PG=$WORK/pg
    export PGPORT=55432
    as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    if [ ! -f "$PRIVATE_PG/PG_VERSION" ]; then
        log "creating a private PostgreSQL under $PRIVATE_PG"
        mkdir -p "$PRIVATE_PG"
        [ "$(id -u)" = 0 ] && chown postgres "$PRIVATE_PG"
        as_pg "$PGBIN/initdb" -D "$PRIVATE_PG" -U postgres -A trust >/dev/null
    fi
    as_pg "$PGBIN/pg_ctl" -D "$PRIVATE_PG" -l "$PRIVATE_PG/log" -w \
        -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=200" start >/dev/null
fi
PGVERSION=$(psql -d postgres -Atc "SHOW server_version")

DB=bench_$(echo "$SCALE" | tr 'A-Z' 'a-z')
URL=postgres://$PGUSER@127.0.0.1:$PGPORT/$DB

SERVER_PID=""
BARE_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    [ -n "$BARE_PID" ] && kill "$BARE_PID" 2>/dev/null && wait "$BARE_PID" 2>/dev/null
    [ -n "$PRIVATE_PG" ] && as_pg "$PGBIN/pg_ctl" -D "$PRIVATE_PG" -m fast stop >/dev/null 2>&1
    return 0
}
trap cleanup EXIT
trap "exit 130" INT TERM

# --- data set ----------------------------------------------------------------
GEN_SECS=reused
if [ "${BENCH_KEEP_DATA:-}" = 1 ] && psql -d "$DB" -Atc "SELECT 1 FROM users WHERE username = 'bench.admin'" 2>/dev/null | grep -q 1; then
    log "reusing database $DB"
else
    log "generating scale $SCALE (seed $SEED) into $DB"
    psql -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
    start=$(date +%s.%N)
    THIDUA_PASSWORD=$PASSWORD DATABASE_URL=$URL RUST_LOG=warn "$BIN" seed bench --scale "$SCALE" --seed "$SEED" | tee "$RAW/generate.txt" >&2
    GEN_SECS=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    DATABASE_URL=$URL RUST_LOG=warn "$BIN" audit verify | tee "$RAW/verify.txt" >&2
fi
psql -d "$DB" -Atc "SELECT 'organizations', count(*) FROM organizations UNION ALL SELECT 'people', count(*) FROM people
    UNION ALL SELECT 'blocs', count(*) FROM blocs UNION ALL SELECT 'pledges', count(*) FROM pledges
    UNION ALL SELECT 'pledge_targets', count(*) FROM pledge_targets UNION ALL SELECT 'progress_reports', count(*) FROM progress_reports
    UNION ALL SELECT 'audit_log', count(*) FROM audit_log UNION ALL SELECT 'events', count(*) FROM events
    UNION ALL SELECT 'awards', count(*) FROM awards
    UNION ALL SELECT 'database size', pg_database_size(current_database())" >"$RAW/counts.txt"

# --- pgbench database --------------------------------------------------------
if ! psql -d bench_pgbench -Atc "SELECT 1 FROM bench_audit LIMIT 0" >/dev/null 2>&1; then
    log "initialising bench_pgbench"
    psql -d postgres -qc "DROP DATABASE IF EXISTS bench_pgbench" -c "CREATE DATABASE bench_pgbench"
    pgbench -i -q -s 10 bench_pgbench >/dev/null 2>&1
    psql -d bench_pgbench -qc "
        CREATE TABLE bench_row (id bigserial PRIMARY KEY, target bigint NOT NULL, value bigint NOT NULL,
                                note text, at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE bench_audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),
                                  action text NOT NULL, entity_id text NOT NULL, after jsonb);"
fi
cat >"$RAW/insert_audit.sql" <<'EOF'
\set t random(1, 100000)
\set v random(0, 100)
BEGIN;
INSERT INTO bench_row (target, value, note) VALUES (:t, :v, 'Báo cáo quý IV');
INSERT INTO bench_audit (action, entity_id, after) VALUES ('progress.reported', :t, '{"period": "Q4", "value": 1}');
END;
EOF

# --- server ------------------------------------------------------------------
log "starting the server"
DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$PORT RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn \
    TOKEN_TTL_SECS=14400 JWT_SECRET=$(head -c 48 /dev/urandom | base64 -w0) \
    "$BIN" serve >"$RAW/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -sf "$BASE/health/ready" >/dev/null && break
    sleep 0.2
done
curl -sf "$BASE/health/ready" >/dev/null || { log "server did not become ready"; cat "$RAW/server.log" >&2; exit 1; }

# The bare server (bench/bare/main.rs): actix-web + the same pool, nothing
# else; B0 and B1 measure it in this same run, beside H.
BARE_PORT=${BENCH_BARE_PORT:-$((PORT + 1))}
BARE=http://127.0.0.1:$BARE_PORT
log "starting the bare server"
DATABASE_URL=$URL BIND_ADDR=127.0.0.1:$BARE_PORT DB_POOL_SIZE=${DB_POOL_SIZE:-8} \
    "$BARE_BIN" >"$RAW/bare.log" 2>&1 &
BARE_PID=$!
for _ in $(seq 1 100); do
    curl -sf "$BARE/select1" >/dev/null && break
    sleep 0.2
done
curl -sf "$BARE/select1" >/dev/null || { log "the bare server did not become ready"; cat "$RAW/bare.log" >&2; exit 1; }

token() {
    curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"grantType\":\"password\",\"username\":\"$1\",\"password\":\"$PASSWORD\"}" \
        "$BASE/api/v1/auth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}
echo "after start $(awk '/VmHWM|VmRSS/ {printf "%s %s kB  ", $1, $2}' "/proc/$SERVER_PID/status")" >"$RAW/rss.txt"
ADMIN=$(token bench.admin)

# The pledge in force of the first bloc, and people search paging.
PLEDGE=$(psql -d "$DB" -Atc "SELECT p.id FROM pledges p JOIN bloc_terms t ON t.id = p.term_id JOIN blocs b ON b.id = t.bloc_id
    WHERE p.status = 'in_force' ORDER BY t.year DESC, b.code LIMIT 1")
SEARCH=nguyen
MATCHES=$(psql -d "$DB" -Atc "SELECT count(*) FROM people WHERE search_text LIKE '%$SEARCH%'")
cursor_at() { # the cursor that starts page $1 (50 rows a page)
    local id
    id=$(psql -d "$DB" -Atc "SELECT id FROM people WHERE search_text LIKE '%$SEARCH%' ORDER BY id OFFSET ($1 - 1) * 50 - 1 LIMIT 1")
    printf 'id:%s' "$id" | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# W1: up to 256 distinct (officer, target, period) cells across blocs, so that
# concurrent reports do not race for one cell (a report supersedes the cell's
# current one; two at once for the same cell: the second is refused, 409).
psql -d "$DB" -At -F ' ' -c "
    SELECT u.username, p.id, tg.id, tg.kind, per.code
      FROM pledges p JOIN term_members m ON m.term_id = p.term_id
      JOIN users u ON u.organization_id = m.organization_id AND u.username LIKE 'bench.%' AND 'officer' = ANY (u.roles)
      JOIN pledge_targets tg ON tg.pledge_id = p.id AND tg.kind <> 'qualitative'
      CROSS JOIN unnest(ARRAY['Q1','Q2','Q3','Q4','H1','H2','Y','M01','M02','M03','M04','M05','M06']) AS per(code)
     WHERE p.status = 'in_force' ORDER BY md5(u.username || tg.id || per.code) LIMIT 256" >"$RAW/w1-combos.txt"
body_for() { # kind target period → one report line
    case $1 in
    percentage) echo "{\"period\":\"$3\",\"reports\":[{\"targetId\":\"$2\",\"numerator\":31,\"denominator\":40,\"note\":\"Sơ kết quý IV\"}]}" ;;
    count) echo "{\"period\":\"$3\",\"reports\":[{\"targetId\":\"$2\",\"count\":4,\"note\":\"Sơ kết quý IV\"}]}" ;;
    *) echo "{\"period\":\"$3\",\"reports\":[{\"targetId\":\"$2\",\"done\":true,\"note\":\"Sơ kết quý IV\"}]}" ;;
    esac
}
declare -A TOKENS
{
    echo "combos = {"
    while read -r user pledge target kind period; do
        [ -n "${TOKENS[$user]:-}" ] || TOKENS[$user]=$(token "$user")
        body=$(body_for "$kind" "$target" "$period" | sed 's/"/\\"/g')
        echo "  {path=\"/api/v1/pledges/$pledge/reports\", token=\"${TOKENS[$user]}\", body=\"$body\"},"
    done <"$RAW/w1-combos.txt"
    echo "}"
    echo "r1 = \"/api/v1/pledges/$PLEDGE\""
    echo "admin = \"$ADMIN\""
} >"$RAW/combos.lua"
echo "after logins $(awk '/VmHWM|VmRSS/ {printf "%s %s kB  ", $1, $2}' "/proc/$SERVER_PID/status")" >>"$RAW/rss.txt"
read -r W1_USER W1_PLEDGE W1_TARGET W1_KIND W1_PERIOD <"$RAW/w1-combos.txt"
W1_TOKEN=$(token "$W1_USER")
W1_BODY=$(body_for "$W1_KIND" "$W1_TARGET" "$W1_PERIOD")
# The open-loop W1 posts as one officer to one pledge: one body per cell, line by line.
psql -d "$DB" -At -F ' ' -c "
    SELECT tg.id, tg.kind, per.code FROM pledge_targets tg
     CROSS JOIN unnest(ARRAY['Q1','Q2','Q3','Q4','H1','H2','Y','M01','M02','M03','M04','M05','M06',
                             'M07','M08','M09','M10','M11','M12']) AS per(code)
     WHERE tg.pledge_id = '$W1_PLEDGE' AND tg.kind <> 'qualitative' ORDER BY md5(tg.id || per.code)" |
    while read -r target kind period; do body_for "$kind" "$target" "$period"; done >"$RAW/w1-bodies.txt"
cat >"$RAW/w1.lua" <<EOF
dofile("$RAW/combos.lua")
local n = 0
request = function()
  n = n + 1
  local c = combos[(n % #combos) + 1]
  return wrk.format("POST", c.path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. c.token}, c.body)
end
EOF
cat >"$RAW/w2.lua" <<EOF
dofile("$RAW/combos.lua")
local n = 0
request = function()
  n = n + 1
  if n % 10 == 0 then
    local c = combos[(n / 10 % #combos) + 1]
    return wrk.format("POST", c.path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. c.token}, c.body)
  end
  return wrk.format("GET", r1, {["Authorization"] = "Bearer " .. admin})
end
EOF

# Scenarios: name | path | wrk script ("-" for a GET as admin) | open-loop kind
{
    echo "B0|$BARE/select1|-|get"
    echo "B1|$BARE/row/$PLEDGE|-|get"
    echo "H|/health/ready|-|get"
    echo "R1|/api/v1/pledges/$PLEDGE|-|get"
    echo "R2|/api/v1/pledges/$PLEDGE/compliance|-|get"
    echo "R3|/api/v1/people?q=$SEARCH&limit=50|-|get"
    if [ "$MATCHES" -gt $((199 * 50)) ]; then
        echo "R3p200|/api/v1/people?q=$SEARCH&limit=50&cursor=$(cursor_at 200)|-|get"
    fi
    echo "R3org|/api/v1/organizations?q=so&limit=50|-|get"
    echo "W1|/api/v1/pledges/$W1_PLEDGE/reports|$RAW/w1.lua|post"
    echo "W2|/api/v1/pledges/$PLEDGE|$RAW/w2.lua|mix"
} >"$RAW/scenarios.txt"

# A scenario's path is on thidua unless it is a whole URL (the bare server).
url_of() { case $1 in http*) echo "$1" ;; *) echo "$BASE$1" ;; esac; }

# Check each scenario answers 2xx before loading it.
while IFS='|' read -r name path script _; do
    if [ "$script" = - ]; then
        code=$(curl -s -o "$RAW/$name.sample.json" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" "$(url_of "$path")")
        [ "${code:0:1}" = 2 ] || { log "$name answers $code"; cat "$RAW/$name.sample.json" >&2; exit 1; }
    fi
done <"$RAW/scenarios.txt"
code=$(curl -s -o "$RAW/W1.sample.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $W1_TOKEN" \
    -H 'Content-Type: application/json' -d "$W1_BODY" "$BASE/api/v1/pledges/$W1_PLEDGE/reports")
[ "$code" = 201 ] || { log "W1 answers $code"; cat "$RAW/W1.sample.json" >&2; exit 1; }

# --- wait for a quiet machine ------------------------------------------------
waited=0
while pgrep -x rustc >/dev/null || pgrep -x cargo >/dev/null; do
    [ "$waited" -ge "${BENCH_WAIT_MAX:-1800}" ] && { log "compilations still running: measuring anyway"; echo yes >"$RAW/noisy"; break; }
    [ "$waited" = 0 ] && log "waiting for other compilations to finish"
    sleep 10
    waited=$((waited + 10))
done

statements() { curl -s "$BASE/metrics" | awk '/^db_statements_total/ {print $2}'; }

# --- closed loop: throughput ---------------------------------------------------
while IFS='|' read -r name path script _; do
    for c in $CONNS; do
        log "$name wrk -c$c"
        s0=$(statements)
        if [ "$script" = - ]; then
            wrk -t1 -c"$c" -d"${DUR}s" --latency -H "Authorization: Bearer $ADMIN" "$(url_of "$path")" >"$RAW/$name.wrk$c.txt"
        else
            wrk -t1 -c"$c" -d"${DUR}s" --latency -s "$script" "$BASE$path" >"$RAW/$name.wrk$c.txt"
        fi
        echo "$(($(statements) - s0))" >"$RAW/$name.stmts$c.txt"
        echo "$name c$c $(awk '/VmHWM|VmRSS/ {printf "%s %s kB  ", $1, $2}' "/proc/$SERVER_PID/status")" >>"$RAW/rss.txt"
    done
done <"$RAW/scenarios.txt"

# --- PostgreSQL ceiling, same connection counts --------------------------------
for c in $CONNS; do
    log "pgbench -S -c$c"
    pgbench -n -S -M prepared -c "$c" -j 1 -T "$DUR" bench_pgbench >"$RAW/pgbench-S.c$c.txt" 2>&1
    log "pgbench insert+audit -c$c"
    pgbench -n -M prepared -f "$RAW/insert_audit.sql" -c "$c" -j 1 -T "$DUR" bench_pgbench >"$RAW/pgbench-insert.c$c.txt" 2>&1
done

# --- open loop: latency at half the best closed-loop rate ----------------------
best() { # best req/s of a scenario over the connection counts
    grep -h '^Requests/sec' "$RAW/$1".wrk*.txt | awk '{ if ($2 > m) m = $2 } END { printf "%d", m }'
}
oha_run() { # name rate args...
    local name=$1 rate=$2
    shift 2
    oha -z "${LAT_DUR}s" -q "$rate" --latency-correction --no-tui --output-format json -c 16 "$@" >"$RAW/$name.oha.json"
}
while IFS='|' read -r name path script kind; do
    rate=$(($(best "$name") / 2))
    [ "$rate" -lt 1 ] && rate=1
    echo "$rate" >"$RAW/$name.rate.txt"
    log "$name oha -q $rate"
    case $kind in
    get) oha_run "$name" "$rate" -H "Authorization: Bearer $ADMIN" "$(url_of "$path")" ;;
    post) oha_run "$name" "$rate" -m POST -T application/json -Z "$RAW/w1-bodies.txt" -H "Authorization: Bearer $W1_TOKEN" "$BASE$path" ;;
    mix) # 90% R1 and 10% W1, two generators at once
        r=$((rate * 9 / 10))
        w=$((rate - r))
        oha_run W2-read "$r" -H "Authorization: Bearer $ADMIN" "$BASE$path" &
        reader=$!
        oha_run W2-write "$w" -m POST -T application/json -Z "$RAW/w1-bodies.txt" -H "Authorization: Bearer $W1_TOKEN" \
            "$BASE/api/v1/pledges/$W1_PLEDGE/reports"
        wait "$reader"
        ;;
    esac
    echo "$name open loop $(awk '/VmHWM|VmRSS/ {printf "%s %s kB  ", $1, $2}' "/proc/$SERVER_PID/status")" >>"$RAW/rss.txt"
done <"$RAW/scenarios.txt"

grep VmHWM "/proc/$SERVER_PID/status" | awk '{print $2}' >"$RAW/vmhwm.txt"
grep -c . "$RAW/server.log" >"$RAW/server-log-lines.txt" || true

# --- report ------------------------------------------------------------------------
python3 "$ROOT/bench/report.py" --raw "$RAW" --scale "$SCALE" --seed "$SEED" --duration "$DUR" \
    --latency-duration "$LAT_DUR" --pg-version "$PGVERSION" --generate-secs "$GEN_SECS" \
    --pool "${DB_POOL_SIZE:-8}" --commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --matches "$MATCHES" --s-results "$(ls "$ROOT"/bench/results/*-S.md 2>/dev/null | sort | tail -1)" >"$OUT"
log "wrote $OUT"
cat "$OUT"
