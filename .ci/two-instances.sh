#!/usr/bin/env bash
# Issue 18, item 5: two `thidua serve` on one database behind nginx.
#
# Starts two instances of the debug build (A as `postgres`, B as a role of
# its own so that its database access can be refused alone) on a fresh
# database loaded with the 2021 demo, nginx (Debian's package, installed
# once when missing) on loopback in front of them with a config generated
# here, and .ci/nginx_ready_watch.py keeping nginx's upstream list in step
# with each instance's /health/ready. Then .ci/two_instances.py replays the
# founding cycle's year of work through nginx, kills B with SIGKILL halfway
# and starts it again, and checks idempotent retries across the instances,
# the change feed, the rate limits and the readiness routing
# (docs/deploy.md, "Two instances behind nginx").
#
# The database is a fresh one on 127.0.0.1:5432 when PostgreSQL answers
# there as `postgres` (dropped afterwards), else a private server started
# here from the installed binaries. TWO_KEEP=1 keeps the work directory.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${TWO_RATE:-600}
start=$(date +%s)

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "nginx is missing: installing Debian's package"
  sudo_=""
  [ "$(id -u)" -eq 0 ] || sudo_=sudo
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y --no-install-recommends nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# THIDUA_BIN: a binary to use instead of the debug build.
if [ -z "${THIDUA_BIN:-}" ]; then
  cargo build --quiet --bin thidua
  THIDUA_BIN=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/thidua
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/thidua-two.XXXXXX")
chmod 755 "$W"
cp "$THIDUA_BIN" "$W/thidua"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pids=()
pg_private=
db_name="thidua_two_$$"
role_b="thidua_two_b_$$"
admin_url=
cleanup() {
  local rc=$?
  [ -f "$W/nginx.pid" ] && kill -QUIT "$(cat "$W/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [ -f "$W/b.pid" ] && kill -TERM "$(cat "$W/b.pid")" 2>/dev/null || true
  sleep 0.5
  if [ -n "$admin_url" ]; then
    psql -qX "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
    psql -qX "$admin_url" -c "DROP ROLE IF EXISTS $role_b" >/dev/null 2>&1 || true
  fi
  if [ -n "$pg_private" ]; then
    $as_pg "$pg_bin/pg_ctl" -D "$W/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  if [ "$rc" -ne 0 ]; then
    for f in a.log b.log nginx-error.log watch.log; do
      [ -f "$W/$f" ] && { echo "-- last lines of $f:" >&2; grep -vE '^  [^ ]+ +[^ ]+$' "$W/$f" | tail -n 15 >&2; }
    done
  fi
  if [ -n "${TWO_KEEP:-}" ]; then echo "TWO_KEEP: kept $W" >&2; else rm -rf "$W"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the database
pg_port=5432
if psql -qX "postgres://postgres@127.0.0.1:5432/postgres" -c 'select 1' >/dev/null 2>&1; then
  echo "database: $db_name on 127.0.0.1:5432 (dropped afterwards)"
else
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  as_pg=""
  if [ "$(id -u)" -eq 0 ]; then as_pg="runuser -u postgres --"; chown postgres "$W"; fi
  pg_port=$(free_port)
  $as_pg "$pg_bin/initdb" -D "$W/pg" -U postgres --auth=trust >/dev/null
  $as_pg "$pg_bin/pg_ctl" -D "$W/pg" -l "$W/pg.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$W/pg" start >/dev/null
  pg_private=1
  echo "database: a private server on port $pg_port"
fi
admin_url="postgres://postgres@127.0.0.1:$pg_port/postgres"
psql -qX "$admin_url" -c "CREATE ROLE $role_b LOGIN SUPERUSER" >/dev/null
url_a="postgres://postgres@127.0.0.1:$pg_port/$db_name?sslmode=disable"
url_b="postgres://$role_b@127.0.0.1:$pg_port/$db_name?sslmode=disable"
jwt=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')

# The demo, once (it creates and migrates the database and prints each user's password once).
DATABASE_URL=$url_a JWT_SECRET=$jwt LOG_FORMAT=json RUST_LOG=warn "$W/thidua" seed demo >"$W/credentials" 2>"$W/seed.log"

port_a=$(free_port)
port_b=$(free_port)
port_n=$(free_port)
instance_env="JWT_SECRET=$jwt REQUEST_TIMEOUT_SECS=5 RATE_LIMIT_PER_MINUTE=$RATE TRUSTED_PROXIES=127.0.0.1 LOG_FORMAT=json RUST_LOG=warn"
cat >"$W/start-a.sh" <<EOF
env $instance_env DATABASE_URL='$url_a' BIND_ADDR=127.0.0.1:$port_a "$W/thidua" serve >>"$W/a.log" 2>&1 &
echo \$! >"$W/a.pid"
EOF
cat >"$W/start-b.sh" <<EOF
env $instance_env DATABASE_URL='$url_b' BIND_ADDR=127.0.0.1:$port_b "$W/thidua" serve >>"$W/b.log" 2>&1 &
echo \$! >"$W/b.pid"
for _ in \$(seq 1 300); do curl -fsS -o /dev/null http://127.0.0.1:$port_b/health/ready 2>/dev/null && exit 0; sleep 0.1; done
echo "instance B did not become ready" >&2; exit 1
EOF
bash "$W/start-a.sh"
pids+=("$(cat "$W/a.pid")")
bash "$W/start-b.sh"
for _ in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port_a/health/ready" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "http://127.0.0.1:$port_a/health/ready"

# ---- nginx: passive checks (max_fails, proxy_next_upstream) plus the
# readiness watcher rewriting upstream.conf.
mkdir -p "$W/nginx-tmp"
printf 'server 127.0.0.1:%s max_fails=1 fail_timeout=2s;\nserver 127.0.0.1:%s max_fails=1 fail_timeout=2s;\n' \
  "$port_a" "$port_b" >"$W/upstream.conf"
cat >"$W/nginx.conf" <<EOF
worker_processes 1;
pid $W/nginx.pid;
error_log $W/nginx-error.log warn;
events { worker_connections 512; }
http {
  client_body_temp_path $W/nginx-tmp/body;
  proxy_temp_path $W/nginx-tmp/proxy;
  fastcgi_temp_path $W/nginx-tmp/fastcgi;
  uwsgi_temp_path $W/nginx-tmp/uwsgi;
  scgi_temp_path $W/nginx-tmp/scgi;
  log_format upstream '\$remote_addr "\$request" \$status \$upstream_addr \$upstream_status \$request_time';
  access_log $W/nginx-access.log upstream;
  upstream thidua {
    include $W/upstream.conf;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$port_n;
    location / {
      proxy_pass http://thidua;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      # A refused or reset connection, a timeout or a 503 from one instance:
      # the request goes to the other. Never for a POST already sent
      # (nginx's default without non_idempotent): the client retries that
      # with its Idempotency-Key.
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 1s;
      proxy_read_timeout 35s;
      add_header X-Upstream \$upstream_addr always;
    }
  }
}
EOF
"$NGINX" -t -q -p "$W" -c "$W/nginx.conf" -e "$W/nginx-error.log"
"$NGINX" -p "$W" -c "$W/nginx.conf" -e "$W/nginx-error.log"
for _ in $(seq 1 50); do [ -s "$W/nginx.pid" ] && break; sleep 0.1; done
python3 .ci/nginx_ready_watch.py --instance "127.0.0.1:$port_a" --instance "127.0.0.1:$port_b" \
  --upstream-file "$W/upstream.conf" --log "$W/watch.log" \
  --reload "$NGINX -p $W -c $W/nginx.conf -e $W/nginx-error.log -s reload" &
pids+=("$!")
curl -fsS -o /dev/null "http://127.0.0.1:$port_n/health/ready"
echo "nginx on 127.0.0.1:$port_n in front of A (127.0.0.1:$port_a) and B (127.0.0.1:$port_b); $(($(date +%s) - start)) s to set up"

BASE="http://127.0.0.1:$port_n" ADDR_A="127.0.0.1:$port_a" ADDR_B="127.0.0.1:$port_b" \
  PID_B_FILE="$W/b.pid" START_B="bash $W/start-b.sh" PSQL_URL="postgres://postgres@127.0.0.1:$pg_port/$db_name" \
  RATE=$RATE ROLE_B=$role_b CREDENTIALS="$W/credentials" python3 .ci/two_instances.py
echo "watcher: $(grep -c 'NOT ready' "$W/watch.log" || true) instance(s) taken out, log:"
sed 's/^/  /' "$W/watch.log"
echo "== two instances passed: $(($(date +%s) - start)) s"
