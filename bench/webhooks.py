"""Webhook delivery figures: the receiver and the measurement (bench/webhooks.sh)."""

import json
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

base, username, password, events, webhooks, db_url = sys.argv[1:7]
events, webhooks = int(events), int(webhooks)

lock = threading.Lock()
got = {}  # path -> list of (webhook-id, monotonic time)


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("content-length", 0))
        self.rfile.read(n)
        with lock:
            got.setdefault(self.path, []).append((self.headers["webhook-id"], time.monotonic()))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


rx = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=rx.serve_forever, daemon=True).start()
rx_port = rx.server_address[1]


def call(method, path, body=None, token=None):
    req = urllib.request.Request(
        base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json",
                 **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)


_, t = call("POST", "/api/v1/auth/token",
            {"grantType": "password", "username": username, "password": password})
token = t["accessToken"]
_, org = call("POST", "/api/v1/organizations",
              {"code": "BENCH", "name": "Đơn vị thử tải", "kind": "department"}, token)
hooks = []
for i in range(webhooks):
    _, h = call("POST", "/api/v1/webhooks",
                {"url": f"http://127.0.0.1:{rx_port}/w{i}", "eventTypes": ["person."]}, token)
    hooks.append(h["id"])
    call("POST", f"/api/v1/webhooks/{h['id']}/pause", None, token)

t0 = time.monotonic()
for i in range(events):
    call("POST", "/api/v1/people",
         {"fullName": f"Nguyễn Văn Thử {i}", "organizationId": org["id"], "category": "cong_chuc"}, token)
made = time.monotonic() - t0

start = time.monotonic()
for h in hooks:
    call("POST", f"/api/v1/webhooks/{h}/resume", None, token)
want = events * webhooks
deadline = start + 600
while time.monotonic() < deadline:
    with lock:
        n = sum(len(v) for v in got.values())
    if n >= want:
        break
    time.sleep(0.02)
with lock:
    n = sum(len(v) for v in got.values())
    last = max((t for v in got.values() for _, t in v), default=start)
    per_hook = {p: len(v) for p, v in sorted(got.items())}
elapsed = last - start
lat = subprocess.run(
    ["psql", db_url, "-Atc",
     "SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY latency_ms) "
     "FROM webhook_deliveries WHERE status = 'succeeded'"],
    capture_output=True, text=True).stdout.strip()
print(f"events made             {events} in {made:.1f} s (people created through the API, webhooks paused)")
print(f"webhooks                {webhooks} (each delivers sequentially, in feed order)")
print(f"delivered               {n} of {want} in {elapsed:.2f} s after the resume")
if elapsed > 0:
    print(f"events per second       {n / elapsed:.0f} delivered in total, {n / elapsed / webhooks:.0f} per webhook")
print(f"attempt latency ms      p50, p99 = {lat}")
print(f"per webhook             {per_hook}")
if n < want:
    sys.exit(f"only {n} of {want} deliveries arrived")
