#!/usr/bin/env bash
# Issue 17's independent check: webhook signatures verified by someone
# else's library. Starts `thidua serve --demo` (.ci/lib/demo-server.sh) with
# the loopback receiver allowed, a receiver that verifies with the
# `standardwebhooks` package from PyPI (.ci/webhook_receiver.py), registers
# a webhook as the admin, pings it, makes a real change (a person created),
# rotates the secret with an overlap and pings again (a ping reaches the
# webhook whatever its filters; the filter here is `person.`). Fails unless every
# delivery verifies with the secret in force, and each delivery made during
# the overlap verifies with the old and the new secret alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib/tools.sh
source .ci/lib/demo-server.sh

start=$(date +%s.%N)
VENV=.venv-wh
if ! "$VENV/bin/python" -c 'import standardwebhooks' 2>/dev/null; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check standardwebhooks==1.1.0
fi

receiver_pid=
stop_all() {
  local rc=$?
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
  (exit "$rc")
  demo_server_stop
}
trap stop_all EXIT

export WEBHOOK_ALLOW_HOSTS=127.0.0.1 WEBHOOK_RETRY_BASE_MS=200
demo_server_start

rx="$DEMO_WORK/receiver"
mkdir -p "$rx"
: >"$rx/secrets"
"$VENV/bin/python" .ci/webhook_receiver.py --port-file "$rx/port" \
  --secrets-file "$rx/secrets" --out "$rx/deliveries.jsonl" &
receiver_pid=$!
for _ in $(seq 1 100); do [ -s "$rx/port" ] && break; sleep 0.05; done
port=$(cat "$rx/port")

DEMO_BASE=$DEMO_BASE DEMO_ADMIN_PASSWORD=$DEMO_ADMIN_PASSWORD RX=$rx PORT=$port \
  "$VENV/bin/python" - <<'PY'
import json, os, time, urllib.request

base, rx, port = os.environ["DEMO_BASE"], os.environ["RX"], os.environ["PORT"]

def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=30) as r:
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)

_, t = call("POST", "/api/v1/auth/token", {"grantType": "password", "username": "admin",
                                           "password": os.environ["DEMO_ADMIN_PASSWORD"]})
token = t["accessToken"]
status, hook = call("POST", "/api/v1/webhooks",
                    {"url": f"http://127.0.0.1:{port}/hook", "eventTypes": ["person."]}, token)
assert status == 201, status
old = hook["secret"]
open(f"{rx}/secrets", "w").write(old + "\n")

def deliveries():
    try:
        return [json.loads(l) for l in open(f"{rx}/deliveries.jsonl")]
    except FileNotFoundError:
        return []

def wait_for(n):
    for _ in range(300):
        got = deliveries()
        if len(got) >= n:
            return got
        time.sleep(0.1)
    raise SystemExit(f"only {len(deliveries())} of {n} deliveries arrived")

call("POST", f"/api/v1/webhooks/{hook['id']}/ping", None, token)
_, orgs = call("GET", "/api/v1/organizations?limit=1", None, token)
call("POST", "/api/v1/people", {"fullName": "Nguyễn Văn Kiểm Tra", "organizationId": orgs["items"][0]["id"], "category": "cong_chuc"}, token)
got = wait_for(2)
status, rotated = call("POST", f"/api/v1/webhooks/{hook['id']}/secret", {"overlapSeconds": 3600}, token)
new = rotated["secret"]
open(f"{rx}/secrets", "w").write(old + "\n" + new + "\n")
call("POST", f"/api/v1/webhooks/{hook['id']}/ping", None, token)
got = wait_for(3)
for d in got:
    print(f"  {d['id']:>6} {d['type']:<20} signatures {d['signatures']} verified {d['verified']}")
first, after = got[:2], got[2:]
assert all(d["verified"][0] for d in first), "a delivery failed standardwebhooks' verification"
assert all(d["signatures"] == 2 and all(d["verified"]) for d in after), \
    "during the overlap each secret alone must verify the delivery"
assert {d["type"] for d in got} >= {"webhook.pinged", "person.created"}, got
print(f"{len(got)} deliveries, every signature verified by standardwebhooks")
PY
echo "== webhook signatures verified independently: $(elapsed_since "$start") s"
