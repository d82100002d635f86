#!/usr/bin/env python3
"""The two-instance replay (issue 18, item 5), driven by .ci/two-instances.sh.

Talks to nginx only (BASE), except to tell which instance answered (nginx
adds X-Upstream) and to kill and restart instance B. Phases:

1. the founding 2021 cycle's year of work: each of the bloc's nine units'
   own officer reports M01..M12 on the bloc's pledge (one batch a month,
   an Idempotency-Key each), the units in parallel; every batch is sent
   again with its key until the retry is answered by the OTHER instance,
   which must replay the first answer byte for byte;
2. meanwhile a reader follows the change feed through nginx from the
   start; halfway through the year instance B is killed (SIGKILL) and
   later started again. A client that gets no answer, 502 or 503 retries
   the same request with the same key;
3. checks: every batch stored once (the database holds exactly the lines
   acknowledged, no duplicate), one `progress.reported` event per batch,
   the feed as the reader saw it equals the feed read at the end (no event
   skipped, ids increasing), nginx routed around B while it was down;
4. rate limits: a fresh caller sends 3 x RATE requests through nginx:
   each instance allows RATE a minute (per instance), so 2 x RATE succeed;
5. readiness: B's database role is refused (NOLOGIN, sessions ended), so
   B is alive but /health/ready answers 503: the watcher takes B out, and
   requests meanwhile all answer 200 from A; the role back, B comes back.

Prints the figures; exits 1 when a check fails.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

BASE = os.environ["BASE"]  # http://127.0.0.1:port (nginx)
ADDR_A = os.environ["ADDR_A"]
ADDR_B = os.environ["ADDR_B"]
PID_B_FILE = os.environ["PID_B_FILE"]
START_B = os.environ["START_B"]  # shell command that starts B again (writes PID_B_FILE)
PSQL = os.environ["PSQL_URL"]
RATE = int(os.environ["RATE"])
ROLE_B = os.environ["ROLE_B"]
CREDENTIALS = os.environ["CREDENTIALS"]  # the demo's "  user   password" lines

failures = []
lock = threading.Lock()


def check(ok, what):
    print(("  ok   " if ok else "  FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body) if self.body else None

    @property
    def upstream(self):
        # nginx lists every upstream it tried ("B, A" after B refused): the last answered.
        return self.headers.get("x-upstream", "").split(",")[-1].strip()


def call(method, path, body=None, token=None, headers=None, base=BASE, timeout=30):
    host, port = base.removeprefix("http://").rsplit(":", 1)
    h = {"content-type": "application/json", **(headers or {})}
    if token:
        h["authorization"] = f"Bearer {token}"
    c = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        c.request(method, path, None if body is None else json.dumps(body).encode(), h)
        r = c.getresponse()
        data = r.read()
        return Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        c.close()


def call_retrying(method, path, body=None, token=None, headers=None, stats=None, attempts=60):
    """A client's retry policy: no answer, 502, 503, or 409 idempotency_in_progress
    (the first try's reservation, on an instance that died, until its lease ends)
    → the same request again."""
    for i in range(attempts):
        try:
            a = call(method, path, body, token, headers)
        except OSError as e:
            a = None
            why = type(e).__name__
        in_progress = a is not None and a.status == 409 and b"idempotency_in_progress" in a.body
        if a is not None and a.status not in (502, 503, 504) and not in_progress:
            return a
        if stats is not None:
            with lock:
                stats.append(why if a is None else a.status)
        time.sleep(0.2)
    if a is not None and a.status == 409:
        return a  # still in progress past the lease: its write committed, the answer was lost
    raise RuntimeError(f"{method} {path}: no answer after {attempts} attempts")


def passwords():
    out = {}
    for line in open(CREDENTIALS):
        parts = line.split()
        if line.startswith("  ") and len(parts) == 2:
            out[parts[0]] = parts[1]
    return out


def login(user, pw):
    a = call_retrying("POST", "/api/v1/auth/token",
                      {"grantType": "password", "username": user, "password": pw})
    assert a.status == 200, (user, a.status, a.body)
    return a.json()["accessToken"]


def psql(sql):
    r = subprocess.run(["psql", "-qAtX", PSQL, "-c", sql], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def page_all(path, token):
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        a = call_retrying("GET", path + (f"{sep}cursor={cursor}" if cursor else ""), token=token)
        assert a.status == 200, (path, a.status, a.body)
        page = a.json()
        items += page["items"]
        cursor = page.get("nextCursor")
        if not cursor:
            return items


def lines_for(targets, month):
    lines = []
    for t in targets:
        if t["kind"] == "percentage" and t["subject"] in ("staff", "sub_units"):
            d = 48 if t["subject"] == "staff" else 7
            lines.append({"targetId": t["id"], "numerator": d * (8 + month) // 20, "denominator": d})
        elif t["kind"] == "boolean":
            lines.append({"targetId": t["id"], "done": month >= 10})
    return lines


def main():
    pw = passwords()
    admin = login("admin", pw["admin"])
    officers = {u: login(u, p) for u, p in pw.items() if u.endswith(".officer")}
    print(f"logged in: admin and {len(officers)} unit officers (through nginx)")

    blocs = page_all("/api/v1/blocs?code=VHXH", admin)
    bloc = blocs[0]
    cutoff = (datetime.now(timezone.utc) + timedelta(days=365, hours=7)).date().isoformat()
    a = call_retrying("PUT", f"/api/v1/blocs/{bloc['id']}/terms/2021/reporting-cutoff",
                      {"reportingCutoff": cutoff, "reason": "Phát lại năm 2021 qua hai phiên bản (CI)"}, admin)
    check(a.status == 200, f"2021 reporting cut-off moved to {cutoff} ({a.status})")
    pledges = page_all("/api/v1/pledges?year=2021", admin)
    pledge_id = next(p["id"] for p in pledges if p["status"] == "in_force")
    pledge = call_retrying("GET", f"/api/v1/pledges/{pledge_id}", token=admin).json()
    targets = [t for item in pledge["items"] for t in item["targets"]]

    # ---- the reader following the feed, through nginx, during the year
    seen, reader_stop = [], threading.Event()
    reader_errors = []

    def follow():
        after = 0
        while True:
            a = call_retrying("GET", f"/api/v1/events?after={after}&limit=50", token=admin, stats=reader_errors)
            page = a.json()
            for e in page["items"]:
                seen.append((e["id"], e["type"], e["entityId"]))
            if page["items"]:
                after = page["lastEventId"]
            elif reader_stop.is_set():
                return
            else:
                time.sleep(0.05)

    reader = threading.Thread(target=follow)
    reader.start()

    # ---- the year of work, one thread per unit
    acked = {}  # key -> (upstream of the first answer, upstream of the replay, stored ids)
    client_errors = []
    recovered = []  # batches whose answer died with B: (user, month, lines read back)
    months_done = [0] * 13
    phase = {"killed_at": None, "restarted_at": None, "while_down": []}
    mismatches = []  # batches whose retry did not replay the first answer, and how

    def unit(user, token):
        for month in range(1, 13):
            key = str(uuid.uuid4())
            body = {"period": f"M{month:02d}", "reports": lines_for(targets, month)}
            hdr = {"idempotency-key": key}
            sent = time.time()
            first = call_retrying("POST", f"/api/v1/pledges/{pledge_id}/reports", body, token, hdr, client_errors)
            if first.status == 409:
                # In progress past the lease: the write committed on an instance
                # that died before storing the answer. Read it back.
                me = call_retrying("GET", "/api/v1/auth/me", token=token).json()
                org = me.get("organizationId")
                got = page_all(f"/api/v1/pledges/{pledge_id}/reports?organizationId={org}"
                               f"&period=2021-M{month:02d}", token)
                with lock:
                    recovered.append((user, month, len(got)))
                    acked[key] = (None, None, [x["id"] for x in got], len(got) == len(body["reports"]))
                    months_done[month] += 1
                continue
            if first.status != 201:
                with lock:
                    failures.append(f"{user} M{month:02d}: {first.status} {first.body[:200]!r}")
                continue
            # Sent after the kill and answered before the restart: B cannot
            # have answered it (one sent before the kill may be B's answer
            # arriving just after it).
            if phase["killed_at"] and sent > phase["killed_at"] and not phase["restarted_at"]:
                with lock:
                    phase["while_down"].append(first.upstream)
            replay = None
            for _ in range(8):  # until the retry lands on the other instance
                r = call_retrying("POST", f"/api/v1/pledges/{pledge_id}/reports", body, token, hdr, client_errors)
                if r.upstream != first.upstream or (phase["killed_at"] and not phase["restarted_at"]):
                    replay = r
                    break
            else:
                # Every retry went to the same instance (nginx keeps a
                # restarted B out for fail_timeout): the replay must still be
                # the first answer; "most retries landed on the other
                # instance" is judged below.
                replay = r
            ok = (replay is not None and replay.status == 201 and replay.body == first.body
                  and replay.headers.get("idempotent-replayed") == "true")
            if not ok:
                with lock:
                    mismatches.append(f"{user} M{month:02d}: first {first.status} via {first.upstream}, "
                                      + (f"retry {replay.status} via {replay.upstream} "
                                         f"replayed={replay.headers.get('idempotent-replayed')!r} "
                                         f"same body={replay.body == first.body} {replay.body[:160]!r}"
                                         if replay else "no retry reached the other instance"))
            with lock:
                acked[key] = (first.upstream, replay.upstream if replay else None,
                              [x["id"] for x in first.json()], ok)
                months_done[month] += 1

    threads = [threading.Thread(target=unit, args=(u, t)) for u, t in officers.items()]
    start = time.time()
    for t in threads:
        t.start()
    # Halfway through the year: kill B; three months later start it again.
    while min(months_done[6:7]) < len(officers) // 2:
        time.sleep(0.05)
    pid_b = int(open(PID_B_FILE).read())
    os.kill(pid_b, signal.SIGKILL)
    phase["killed_at"] = time.time()
    print(f"instance B (pid {pid_b}) killed with SIGKILL at {phase['killed_at'] - start:.1f} s", flush=True)
    while months_done[9] < len(officers) // 2 and any(t.is_alive() for t in threads):
        time.sleep(0.05)
    subprocess.run(START_B, shell=True, check=True)
    phase["restarted_at"] = time.time()
    print(f"instance B started again at {phase['restarted_at'] - start:.1f} s", flush=True)
    for t in threads:
        t.join()
    took = time.time() - start
    reader_stop.set()
    reader.join()

    batches = len(officers) * 12
    print(f"replayed {batches} monthly batches in {took:.1f} s; client retries after no answer/502/503: "
          f"{len(client_errors)} ({', '.join(sorted({str(e) for e in client_errors})) or 'none'})")
    check(len(acked) == batches, f"every batch acknowledged ({len(acked)}/{batches}; "
          f"{len(recovered)} committed on B as it was killed, answer lost, read back: {recovered})")
    check(all(v[3] for v in acked.values()), "every retry replayed the first answer byte for byte "
          "(Idempotent-Replayed: true), or, for a batch whose answer was lost, is stored once")
    for m in mismatches[:5]:
        print(f"       {m}")
    crossed = sum(1 for v in acked.values() if v[1] and v[1] != v[0])
    print(f"  retries answered by the other instance: {crossed} of {len(acked)} "
          f"(the rest were sent while B was down)")
    check(crossed >= batches // 2, "most retries landed on the other instance")
    check(all(u == ADDR_A for u in phase["while_down"]),
          f"while B was down every batch was answered by A ({len(phase['while_down'])} batches)")

    ids = [i for v in acked.values() for i in v[2]]
    stored = int(psql(f"SELECT count(*) FROM progress_reports WHERE pledge_id = '{pledge_id}'"))
    distinct = int(psql(f"SELECT count(DISTINCT (organization_id, target_id, period)) FROM progress_reports "
                        f"WHERE pledge_id = '{pledge_id}'"))
    id_list = ",".join(f"'{i}'" for i in ids)
    found = int(psql(f"SELECT count(*) FROM progress_reports WHERE id IN ({id_list})"))
    check(len(set(ids)) == len(ids) and found == len(ids),
          f"every acknowledged line is in the database ({found}/{len(ids)})")
    check(stored == len(ids) and distinct == len(ids),
          f"nothing stored twice: {stored} rows for {len(ids)} acknowledged lines, {distinct} (unit, target, period)")

    final = []
    after = 0
    while True:
        page = call_retrying("GET", f"/api/v1/events?after={after}&limit=200", token=admin).json()
        if not page["items"]:
            break
        final += [(e["id"], e["type"], e["entityId"]) for e in page["items"]]
        after = page["lastEventId"]
    reported = [e for e in final if e[1] == "progress.reported"]
    check(len(reported) == batches, f"one progress.reported event per batch ({len(reported)})")
    check([e[0] for e in final] == sorted({e[0] for e in final}), "the feed's ids increase")
    check(seen == final, f"the feed as followed during the load ({len(seen)} events, reader retries "
          f"{len(reader_errors)}) is the feed read at the end ({len(final)}): nothing skipped")
    holes = (final[-1][0] - final[0][0] + 1 - len(final)) if final else 0
    print(f"  feed: ids {final[0][0]}..{final[-1][0]}, {holes} unused id(s) (sequence values of "
          f"transactions that never committed, e.g. on the killed instance)")

    # ---- rate limits: per instance
    leader = login("bdt.leader", pw["bdt.leader"])
    codes = {}
    by_instance = {}
    retry_after_ok = True
    for _ in range(3 * RATE):
        a = call("GET", "/api/v1/auth/me", token=leader)
        codes[a.status] = codes.get(a.status, 0) + 1
        if a.status == 200:
            by_instance[a.upstream] = by_instance.get(a.upstream, 0) + 1
        if a.status == 429 and not a.headers.get("retry-after", "").isdigit():
            retry_after_ok = False
    print(f"rate limit {RATE}/min per instance, {3 * RATE} requests by one caller: {codes}, 200s by instance {by_instance}")
    check(codes.get(200) == 2 * RATE and codes.get(429) == RATE,
          f"per instance: 2 x {RATE} allowed, the rest 429")
    check(retry_after_ok, "every 429 carries Retry-After")

    # ---- readiness drives the upstream choice
    psql(f"ALTER ROLE {ROLE_B} NOLOGIN")
    psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{ROLE_B}'")
    t0 = time.time()
    while call("GET", "/health/ready", base="http://" + ADDR_B).status == 200 and time.time() - t0 < 10:
        time.sleep(0.1)
    check(call("GET", "/health/live", base="http://" + ADDR_B).status == 200
          and call("GET", "/health/ready", base="http://" + ADDR_B).status == 503,
          "B's database role refused: B is live, /health/ready 503")
    time.sleep(2.0)  # the watcher's poll and reload
    answers = [call("GET", "/api/v1/organizations?limit=5", token=admin) for _ in range(40)]
    check(all(a.status == 200 for a in answers) and {a.upstream for a in answers} == {ADDR_A},
          f"B not ready: 40 reads all 200, all from A ({sorted({(a.status, a.upstream) for a in answers})})")
    psql(f"ALTER ROLE {ROLE_B} LOGIN")
    t0 = time.time()
    back = None
    while time.time() - t0 < 15:
        a = call("GET", "/api/v1/organizations?limit=5", token=admin)
        if a.status == 200 and a.upstream == ADDR_B:
            back = time.time() - t0
            break
        time.sleep(0.1)
    check(back is not None, f"B ready again: nginx sends it requests again ({back and round(back, 1)} s)")

    if failures:
        print(f"FAILED: {len(failures)}")
        for f in failures:
            print("  - " + f)
        return 1
    print("two instances: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
