#!/usr/bin/env python3
"""The failover measurement (issue 18, item 7), driven by .ci/failover.sh.

WRITERS threads create units (POST /api/v1/organizations, an
Idempotency-Key each) as fast as they are answered. After LOAD_BEFORE
seconds the primary is crashed, FAILOVER_DETECT_MS later the standby is
promoted, and the load goes on LOAD_AFTER seconds. A write not answered
2xx is retried with its key, as a client does, until it is. Checks: every
answer that is not 2xx is 503 with Retry-After; the API writes again by
itself after the promotion; every write acknowledged 2xx is on the new
primary. Prints the gap and the counts.
"""

import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid

BASE = os.environ["BASE"]
WRITERS = int(os.environ.get("FAILOVER_WRITERS", "4"))
LOAD_BEFORE = float(os.environ.get("FAILOVER_LOAD_BEFORE", "3"))
LOAD_AFTER = float(os.environ.get("FAILOVER_LOAD_AFTER", "5"))
DETECT = float(os.environ.get("FAILOVER_DETECT_MS", "1000")) / 1000

host, port = BASE.removeprefix("http://").rsplit(":", 1)


def call(method, path, body=None, token=None, headers=None):
    h = {"content-type": "application/json", **(headers or {})}
    if token:
        h["authorization"] = f"Bearer {token}"
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        c.request(method, path, None if body is None else json.dumps(body).encode(), h)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def main():
    s, _, b = call("POST", "/api/v1/auth/token",
                   {"grantType": "password", "username": "admin", "password": os.environ["ADMIN_PASSWORD"]})
    assert s == 200, (s, b)
    token = json.loads(b)["accessToken"]

    lock = threading.Lock()
    acked = []  # (time, code)
    failed = []  # (time, status, retry-after)
    refused = []  # (time, code, status, body): a final answer that is not 2xx
    stop = threading.Event()
    n = [0]

    def writer(w):
        while not stop.is_set():
            with lock:
                n[0] += 1
                code = f"F{w}X{n[0]}"
            key = str(uuid.uuid4())
            since = time.time()
            body = {"code": code, "name": f"Đơn vị thử chuyển đổi {code}", "kind": "department"}
            while True:
                try:
                    status, headers, answer = call("POST", "/api/v1/organizations", body, token,
                                                   {"idempotency-key": key})
                except OSError as e:
                    status, headers, answer = type(e).__name__, {}, b""
                now = time.time()
                if status in (200, 201):
                    with lock:
                        acked.append((now, code))
                    break
                # In progress past the lease (5 s) + margin: committed, the answer lost.
                retry = status == 503 or status == "ConnectionResetError" or (
                    status == 409 and b"idempotency_in_progress" in answer and now - since < 8)
                with lock:
                    failed.append((now, status, headers.get("retry-after")))
                    if not retry:
                        refused.append((now, code, status, answer[:200]))
                if not retry:
                    break
                time.sleep(0.05)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    t_start = time.time()
    for t in threads:
        t.start()
    time.sleep(LOAD_BEFORE)
    t_crash = time.time()
    subprocess.run(os.environ["STOP_PRIMARY"], shell=True, check=True, capture_output=True)
    t_down = time.time()
    time.sleep(DETECT)
    t_promote = time.time()
    subprocess.run(os.environ["PROMOTE"], shell=True, check=True, capture_output=True)
    t_promoted = time.time()
    time.sleep(LOAD_AFTER)
    stop.set()
    for t in threads:
        t.join()

    before = [a for a in acked if a[0] < t_crash]
    after = sorted(a for a in acked if a[0] >= t_promote)
    first_after = after[0][0] if after else None
    # The longest stretch without an acknowledged write, around the failover.
    times = sorted(a[0] for a in acked if a[0] >= t_crash - 1)
    gap, gap_from = max(((b - a, a) for a, b in zip(times, times[1:])), default=(0.0, t_crash))
    final = {(r[0], r[2]) for r in refused}
    bad = [f for f in failed
           if (f[0], f[1]) not in final and (f[1] not in (503, 409) or not (f[2] or "").isdigit())]
    print(f"write load: {WRITERS} writers, {len(acked)} writes acknowledged "
          f"({len(before)} before the crash, {len(after)} after), {len(failed)} failed requests")
    print(f"primary crashed at +{t_crash - t_start:.2f} s (pg_ctl stop -m immediate returned after "
          f"{t_down - t_crash:.2f} s); standby promoted at +{t_promote - t_start:.2f} s "
          f"(pg_ctl promote returned after {t_promoted - t_promote:.2f} s)")
    ok = True
    if first_after is None:
        print("FAIL: no write was acknowledged after the promotion")
        return 1
    print(f"gap without an acknowledged write: {gap:.2f} s (from +{gap_from - t_start:.2f} s); "
          f"the API wrote again {first_after - t_promoted:.2f} s after pg_ctl promote returned "
          f"({first_after - t_crash:.2f} s after the crash, of which {DETECT:.2f} s waiting to promote)")
    statuses = {}
    for f in failed:
        statuses[(f[1], f[2])] = statuses.get((f[1], f[2]), 0) + 1
    print(f"failed requests by (status, Retry-After): {statuses}")
    if bad:
        print(f"FAIL: {len(bad)} failed requests were not 503 (or 409 idempotency_in_progress) "
              f"with Retry-After: {bad[:5]}")
        ok = False
    in_progress = sum(1 for f in failed if f[1] == 409)
    print(f"  of which 409 idempotency_in_progress (a retry of a write in flight at the crash, until "
          f"its reservation's lease, REQUEST_TIMEOUT_SECS, ends): {in_progress}")
    def on_new_primary(sql):
        return subprocess.run(["psql", "-qAtX", os.environ["NEW_PRIMARY_URL"], "-c", sql],
                              capture_output=True, text=True, check=True).stdout.strip()

    for r in refused:
        there = on_new_primary(f"SELECT count(*) FROM organizations WHERE code = '{r[1]}'")
        print(f"  a retry answered {r[2]}, not acknowledged: {r[1]} {r[3][:80]!r}; on the new primary: "
              f"{there} (its first try committed on both servers, the crash took the answer)")
    if first_after - t_promoted > 10:
        print("FAIL: more than 10 s to write again after the promotion")
        ok = False

    codes = [c for _, c in acked]
    listed = ",".join(f"'{c}'" for c in codes)
    found = subprocess.run(["psql", "-qAtX", os.environ["NEW_PRIMARY_URL"], "-c",
                            f"SELECT count(*) FROM organizations WHERE code IN ({listed})"],
                           capture_output=True, text=True, check=True).stdout.strip()
    recovery = subprocess.run(["psql", "-qAtX", os.environ["NEW_PRIMARY_URL"], "-c", "SELECT pg_is_in_recovery()"],
                              capture_output=True, text=True, check=True).stdout.strip()
    print(f"on the new primary (in recovery: {recovery}): {found} of the {len(codes)} acknowledged writes")
    if int(found) != len(codes) or len(set(codes)) != len(codes):
        print("FAIL: an acknowledged write is missing from the new primary")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
