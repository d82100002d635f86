#!/usr/bin/env python3
"""Render bench/run.sh's raw outputs (wrk, oha, pgbench) as the results table."""

import argparse
import json
import os
import re
import subprocess

READS = {"B0", "B1", "H", "R1", "R2", "R3", "R3p200", "R3org", "W2-read"}
WRITES = {"W1", "W2-write"}
WHAT = {
    "B0": "bare actix-web + the same pool (`bench/bare`): one `SELECT 1`",
    "B1": "bare actix-web + the same pool: one keyed row (`pledges` by id) as JSON",
    "H": "`GET /health/ready` (in-binary floor: one `SELECT 1`)",
    "R1": "`GET /api/v1/pledges/{id}`: items, targets, signatures",
    "R2": "`GET /api/v1/pledges/{id}/compliance`: the bloc's matrix",
    "R3": "`GET /api/v1/people?q=nguyen&limit=50`: diacritic-insensitive search, page 1",
    "R3p200": "the same search, page 200 (keyset cursor)",
    "R3org": "`GET /api/v1/organizations?q=so&limit=50`",
    "W1": "`POST /api/v1/pledges/{id}/reports` (256 officer × target × period cells, round-robin)",
    "W2": "90% R1 / 10% W1",
}


def read(path, default=""):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return default


def wrk(raw, name, c):
    t = read(os.path.join(raw, f"{name}.wrk{c}.txt"))
    if not t:
        return None
    r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))}
    r["requests"] = int(re.search(r"(\d+) requests in", t).group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    r["errors"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    if m:
        r["errors"] += sum(int(x) for x in m.groups())
    stm = read(os.path.join(raw, f"{name}.stmts{c}.txt")).strip()
    r["stmts"] = int(stm) / r["requests"] if stm and r["requests"] else None
    return r


def oha(raw, name):
    t = read(os.path.join(raw, f"{name}.oha.json"))
    if not t:
        return None
    d = json.loads(t)
    p = d.get("latencyPercentiles", {})
    codes = d.get("statusCodeDistribution", {})
    ok = sum(n for code, n in codes.items() if str(code).startswith("2"))
    total = sum(codes.values())
    errors = total - ok + sum(d.get("errorDistribution", {}).values())
    return {
        "p50": (p.get("p50") or 0) * 1000,
        "p99": (p.get("p99") or 0) * 1000,
        "rps": d.get("summary", {}).get("requestsPerSec") or 0,
        "errors": errors,
        "total": total,
    }


def pgbench(raw, name, c):
    t = read(os.path.join(raw, f"{name}.c{c}.txt"))
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", t)
    return float(m.group(1)) if m else None


def ms(x):
    return "–" if x is None else f"{x:.2f} ms"


def main():
    a = argparse.ArgumentParser()
    for o in ["raw", "scale", "seed", "duration", "latency-duration", "pg-version",
              "generate-secs", "pool", "commit", "matches", "s-results"]:
        a.add_argument("--" + o, default="")
    a = a.parse_args()
    raw = a.raw
    conns = [16, 64]
    names = [line.split("|")[0] for line in read(os.path.join(raw, "scenarios.txt")).splitlines() if line]
    cpu = "unknown"
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    date = subprocess.run(["date", "-u", "+%F %H:%M UTC"], capture_output=True, text=True).stdout.strip()
    vmhwm_kb = int(read(os.path.join(raw, "vmhwm.txt"), "0").strip() or 0)
    noisy = os.path.exists(os.path.join(raw, "noisy"))

    res = {}
    for n in names:
        res[n] = {"wrk": {c: wrk(raw, n, c) for c in conns}}
        res[n]["best"] = max((w["rps"] for w in res[n]["wrk"].values() if w), default=0)
        res[n]["rate"] = read(os.path.join(raw, f"{n}.rate.txt")).strip()
    lat = {n: oha(raw, n) for n in names + ["W2-read", "W2-write"]}
    pg = {k: {c: pgbench(raw, k, c) for c in conns} for k in ["pgbench-S", "pgbench-insert"]}
    pg_best = {k: max((v for v in d.values() if v), default=0) for k, d in pg.items()}

    out = []
    w = out.append
    w(f"# Benchmark, scale {a.scale}: {date}")
    w("")
    w(f"Commit `{a.commit}`, `bench/run.sh {a.scale}` (seed {a.seed}). Machine: {os.cpu_count()} cores ({cpu}), "
      f"PostgreSQL {a.pg_version} on 127.0.0.1, release build, server pool {a.pool} connections, access log off "
      f"(`RUST_LOG=warn`), rate limit off. Closed loop: `wrk -t1`, {a.duration} s per run; open loop: "
      f"`oha -q RATE --latency-correction -c 16`, {a.latency_duration} s at half the best closed-loop rate."
      + (" **Other compilations were running during the measurement: figures are noisy.**" if noisy else ""))
    w("")
    counts = [l.split("|") for l in read(os.path.join(raw, "counts.txt")).splitlines() if "|" in l]
    if counts:
        w("Data set: " + ", ".join(
            f"{k} {int(v) / 1048576:.0f} MB" if k == "database size" else f"{int(v):,} {k}" for k, v in counts)
          + f"; {int(a.matches or 0):,} people match the search.")
    gen = read(os.path.join(raw, "generate.txt")).strip().splitlines()
    verify = read(os.path.join(raw, "verify.txt")).strip()
    if a.generate_secs != "reused":
        w(f"Generated in {float(a.generate_secs):.1f} s"
          + (f" ({gen[-1]})" if gen else "") + (f"; `thidua audit verify`: {verify}." if verify else "."))
    else:
        w("Data set reused from an earlier generation.")
    w("")
    w("| Scenario | What | req/s @16 | req/s @64 | errors | open-loop rate | p50 | p99 | statements/request |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        r = res[n]
        ws = [r["wrk"][c] for c in conns]
        errors = sum(x["errors"] for x in ws if x)
        sub = ["W2-read", "W2-write"] if n == "W2" else [n]
        lat_cells = []
        for s in sub:
            l = lat.get(s)
            if l:
                errors += l["errors"]
        if n == "W2":
            lr, lw = lat.get("W2-read"), lat.get("W2-write")
            p50 = f"{ms(lr and lr['p50'])} / {ms(lw and lw['p50'])}"
            p99 = f"{ms(lr and lr['p99'])} / {ms(lw and lw['p99'])}"
        else:
            l = lat.get(n)
            p50, p99 = ms(l and l["p50"]), ms(l and l["p99"])
        # The bare server keeps no statement count: one statement by construction.
        st = 1.0 if n in ("B0", "B1") else (ws[0]["stmts"] if ws[0] else None)
        w(f"| {n} | {WHAT.get(n, '')} | " + " | ".join(f"{x['rps']:,.0f}" if x else "–" for x in ws)
          + f" | {errors} | {r['rate']}/s | {p50} | {p99} | {'–' if st is None else f'{st:.2f}'} |")
    w("| pgbench -S | `pgbench -S -M prepared -j 1` (ceiling for reads) | "
      + " | ".join(f"{pg['pgbench-S'][c]:,.0f}" if pg['pgbench-S'][c] else "–" for c in conns) + " | | | | | 1 |")
    w("| pgbench insert+audit | two INSERTs in one transaction, `-M prepared -j 1` | "
      + " | ".join(f"{pg['pgbench-insert'][c]:,.0f}" if pg['pgbench-insert'][c] else "–" for c in conns)
      + " | | | | | 4 |")
    w("")
    w("W2 latency cells read \"R1 part / W1 part\". Errors count non-2xx answers and socket errors in every run "
      "of the scenario. Statements per request come from the server's `db_statements_total` (`/metrics`) over the "
      "16-connection run, divided by the requests wrk completed (a run's last in-flight requests make it a little high).")
    w("")

    def ratio(n, base):
        return res[n]["best"] / pg_best[base] if n in res and pg_best[base] else None

    targets = []

    def target(label, value, goal, ok, fmt="{:.3f}×"):
        shown = "not measured" if value is None else fmt.format(value)
        met = "–" if value is None else ("met" if ok else "**not met**")
        targets.append(f"| {label} | {shown} | {goal} | {met} |")

    for n, goal in [("R1", 0.20), ("R2", 0.10), ("R3", 0.15)]:
        v = ratio(n, "pgbench-S")
        target(f"{n} / pgbench-S", v, f"≥ {goal:.2f}×", v is not None and v >= goal)
    v = ratio("W1", "pgbench-insert")
    target("W1 / pgbench insert+audit", v, "≥ 0.35×", v is not None and v >= 0.35)
    v = res["R1"]["best"] / res["H"]["best"] if res.get("H", {}).get("best") else None
    target("R1 / H", v, "(reported)", True)
    if res.get("B0", {}).get("best"):
        v = res["H"]["best"] / res["B0"]["best"]
        target("H / bare SELECT 1 (B0): what the middleware stack leaves of the floor", v, "≥ 0.85×", v >= 0.85)
    if res.get("B1", {}).get("best"):
        v = res["R1"]["best"] / res["B1"]["best"]
        target("R1 / bare keyed row (B1)", v, "(reported)", True)
    if "R3p200" in res and lat.get("R3p200") and lat.get("R3"):
        v = lat["R3p200"]["p50"] / lat["R3"]["p50"] if lat["R3"]["p50"] else None
        target("R3 page 200 / page 1 (p50 latency)", v, "≤ 1.5×", v is not None and v <= 1.5)
    if a.scale == "L" and a.s_results and lat.get("R3"):
        m = re.search(r"<!-- bench-json (.*) -->", read(a.s_results))
        s_p50 = json.loads(m.group(1)).get("R3_p50") if m else None
        v = lat["R3"]["p50"] / s_p50 if s_p50 else None
        target(f"R3 p50 at L / at S ({os.path.basename(a.s_results)})", v, "≤ 1.5×", v is not None and v <= 1.5)
    target("server peak RSS (VmHWM)", vmhwm_kb / 1024, "≤ 60 MB", vmhwm_kb / 1024 <= 60, "{:.1f} MB")
    for n in ["R1", "R2", "R3", "R3p200", "R3org", "H", "W2-read"]:
        if lat.get(n):
            target(f"{n} p99 (open loop)", lat[n]["p99"], "≤ 10 ms", lat[n]["p99"] <= 10, "{:.2f} ms")
    for n in ["W1", "W2-write"]:
        if lat.get(n):
            target(f"{n} p99 (open loop)", lat[n]["p99"], "≤ 25 ms", lat[n]["p99"] <= 25, "{:.2f} ms")
    w("| Target | Measured | Goal | |")
    w("|---|---:|---:|---|")
    out.extend(targets)
    w("")
    w(f"pgbench best: -S {pg_best['pgbench-S']:,.0f} tps, insert+audit {pg_best['pgbench-insert']:,.0f} tps; "
      "ratios use each side's best of 16 and 64 connections.")
    w("")
    rss = read(os.path.join(raw, "rss.txt")).strip().splitlines()
    if rss:
        w("Server memory after each step (VmHWM is the peak so far):")
        w("")
        w("```")
        out.extend(rss)
        w("```")
        w("")
    summary = {"scale": a.scale, "R3_p50": lat["R3"]["p50"] if lat.get("R3") else None,
               "best": {n: res[n]["best"] for n in names}, "pgbench": pg_best,
               "p99": {n: l["p99"] for n, l in lat.items() if l}, "vmhwm_kb": vmhwm_kb}
    w(f"<!-- bench-json {json.dumps(summary)} -->")
    print("\n".join(out))


if __name__ == "__main__":
    main()
