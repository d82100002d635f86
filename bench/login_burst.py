#!/usr/bin/env python3
"""Login burst (issue 12, item 4): fire N concurrent token requests at a
running server while sampling its resident memory and the latency of
another caller's GET. Standard library only; driven by bench/login_burst.sh.

usage: login_burst.py BASE_URL SERVER_PID USERNAME PASSWORD [LOGINS] [REAL_EVERY]
"""

import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse


def rss_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def request(base, method, path, body=None, headers=None):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return r.status, data
    finally:
        c.close()


def login_body(username, password):
    return json.dumps({"grantType": "password", "username": username, "password": password})


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    base, pid, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    logins = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    real_every = int(sys.argv[6]) if len(sys.argv) > 6 else 10
    json_ct = {"Content-Type": "application/json"}

    status, data = request(base, "POST", "/api/v1/auth/token", login_body(user, password), json_ct)
    if status != 200:
        sys.exit(f"the bench user cannot log in: {status} {data[:200]!r}")
    token = json.loads(data)["accessToken"]
    auth = {"Authorization": f"Bearer {token}"}

    def other_get():
        t = time.perf_counter()
        s, _ = request(base, "GET", "/api/v1/auth/me", headers=auth)
        return s, (time.perf_counter() - t) * 1000

    # Idle: the other caller alone.
    idle = [other_get()[1] for _ in range(50)]
    time.sleep(1)
    rss_before = rss_kb(pid, "VmRSS")

    done = threading.Event()
    samples = []
    other = []

    def sampler():
        while not done.is_set():
            samples.append(rss_kb(pid, "VmRSS"))
            time.sleep(0.01)

    def caller():
        while not done.is_set():
            s, ms = other_get()
            other.append((s, ms))
            time.sleep(0.02)

    statuses = []
    lock = threading.Lock()
    barrier = threading.Barrier(logins)

    def login(i):
        # One in `real_every` is the real user with the right password; the
        # rest are unknown users (hashed against the dummy, like a wrong one).
        if i % real_every == 0:
            body = login_body(user, password)
        else:
            body = login_body(f"burst.unknown.{i}", "wrong-password-123")
        barrier.wait()
        try:
            s, data = request(base, "POST", "/api/v1/auth/token", body, json_ct)
            if s >= 400:
                try:
                    s = f"{s} {json.loads(data).get('code')}"
                except ValueError:
                    s = f"{s} (not JSON)"
        except Exception as e:  # noqa: BLE001 - counted, not raised
            s = f"error {type(e).__name__}"
        with lock:
            statuses.append(s)

    bg = [threading.Thread(target=sampler), threading.Thread(target=caller)]
    for t in bg:
        t.start()
    time.sleep(0.2)
    began = time.perf_counter()
    threads = [threading.Thread(target=login, args=(i,)) for i in range(logins)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    burst_s = time.perf_counter() - began
    done.set()
    for t in bg:
        t.join()
    hwm = rss_kb(pid, "VmHWM")
    time.sleep(3)
    steady = rss_kb(pid, "VmRSS")

    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    lat = [ms for s, ms in other if s == 200]
    print(f"logins                  {logins} concurrent ({logins // real_every} the real user, the rest unknown users)")
    print(f"burst wall time         {burst_s:.2f} s")
    print(f"answers                 " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=str)))
    print(f"503 count               {sum(v for k, v in counts.items() if str(k).startswith('503'))}")
    print(f"RSS before burst        {rss_before / 1024:.1f} MB")
    print(f"peak RSS (VmHWM)        {hwm / 1024:.1f} MB (largest 10 ms sample {max(samples or [0]) / 1024:.1f} MB)")
    print(f"steady RSS (3 s after)  {steady / 1024:.1f} MB")
    print(f"other caller idle       p50 {statistics.median(idle):.1f} ms, p99 {pct(idle, 99):.1f} ms")
    print(f"other caller in burst   p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms, max {max(lat or [0]):.1f} ms "
          f"({len(lat)} GETs, {len(other) - len(lat)} not 200)")


if __name__ == "__main__":
    main()
