#!/usr/bin/env python3
"""Keep nginx's upstream list in step with each instance's /health/ready.

Open-source nginx has no active health checks (that is NGINX Plus's
`health_check`): by itself it only learns that an instance is gone when a
request to it fails (`max_fails` / `fail_timeout`, passive). This watcher
adds the active half: every --every seconds it asks each instance's
`/health/ready`; an instance that does not answer 200 within --timeout is
written `down` in the upstream file, one that does is written back, and
nginx is reloaded (graceful: workers finish their requests) whenever the
file changes. docs/deploy.md, "Two instances behind nginx".

  nginx_ready_watch.py --upstream-file /etc/nginx/thidua-upstream.conf \
      --reload 'nginx -s reload' --instance 10.0.0.11:8080 --instance 10.0.0.12:8080

The file holds the `server` lines of an `upstream { include …; }` block.
When no instance is ready every one is written up: nginx then tries them
all and answers 502 rather than refusing the traffic outright.
"""

import argparse
import http.client
import os
import subprocess
import sys
import time


def ready(addr: str, timeout: float) -> bool:
    host, port = addr.rsplit(":", 1)
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=timeout)
        c.request("GET", "/health/ready")
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False


def render(states: dict, options: str) -> str:
    everyone_down = not any(states.values())
    lines = []
    for addr, up in states.items():
        down = "" if up or everyone_down else " down"
        lines.append(f"server {addr} {options}{down};\n")
    return "".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instance", action="append", required=True, help="host:port (repeat)")
    p.add_argument("--upstream-file", required=True)
    p.add_argument("--reload", required=True, help="command that reloads nginx")
    p.add_argument("--every", type=float, default=0.5)
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--server-options", default="max_fails=1 fail_timeout=2s")
    p.add_argument("--log", default=None, help="append state changes here (default stderr)")
    a = p.parse_args()
    out = open(a.log, "a", buffering=1) if a.log else sys.stderr
    states = {addr: True for addr in a.instance}
    current = None
    if os.path.exists(a.upstream_file):
        current = open(a.upstream_file).read()
    while True:
        for addr in a.instance:
            up = ready(addr, a.timeout)
            if up != states[addr]:
                print(f"{time.time():.3f} {addr} {'ready' if up else 'NOT ready'}", file=out)
            states[addr] = up
        text = render(states, a.server_options)
        if text != current:
            tmp = a.upstream_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, a.upstream_file)
            current = text
            r = subprocess.run(a.reload, shell=True, capture_output=True, text=True)
            print(f"{time.time():.3f} upstreams: {text.strip()!r} reload rc={r.returncode} {r.stderr.strip()}",
                  file=out)
        time.sleep(a.every)


if __name__ == "__main__":
    sys.exit(main())
