#!/usr/bin/env bash
# Issue 17's independent mail check: the deadline reminder mail read by
# someone else's code. Starts `thidua serve --demo` (.ci/lib/demo-server.sh)
# with SMTP_URL pointing at an aiosmtpd sink (PyPI) on loopback and the
# deadline scan every second, gives one demo unit an officer with an
# address, moves the 2021 term's year report due date to tomorrow, and reads
# the mail that arrives with Python's `email` package (not lettre, which
# wrote it): the Vietnamese subject and body must decode exactly, as UTF-8.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib/tools.sh
source .ci/lib/demo-server.sh

start=$(date +%s.%N)
VENV=.venv-wh
if ! "$VENV/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check aiosmtpd==1.4.6
fi

sink_pid=
stop_all() {
  local rc=$?
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  (exit "$rc")
  demo_server_stop
}
trap stop_all EXIT

box=$(mktemp -d)
"$VENV/bin/python" - "$box" <<'PY' &
import asyncio, os, socket, sys, time
from aiosmtpd.controller import Controller

box = sys.argv[1]
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()

class Sink:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.n += 1
        with open(os.path.join(box, f"{Sink.n:04d}.eml"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(box, f"{Sink.n:04d}.rcpt"), "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        return "250 OK"

c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
open(os.path.join(box, "port"), "w").write(str(port))
try:
    while True:
        time.sleep(1)
finally:
    c.stop()
PY
sink_pid=$!
for _ in $(seq 1 100); do [ -s "$box/port" ] && break; sleep 0.05; done
port=$(cat "$box/port")

export SMTP_URL="smtp://127.0.0.1:$port" DEADLINE_SCAN_SECS=1
export MAIL_FROM='Thi đua – Khen thưởng <thidua@localhost>'
demo_server_start

DEMO_BASE=$DEMO_BASE DEMO_ADMIN_PASSWORD=$DEMO_ADMIN_PASSWORD BOX=$box \
  "$VENV/bin/python" - <<'PY'
import datetime, email, email.policy, glob, json, os, time, urllib.request

base, box = os.environ["DEMO_BASE"], os.environ["BOX"]

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
_, blocs = call("GET", "/api/v1/blocs?limit=1", None, token)
bloc = blocs["items"][0]
_, term = call("GET", f"/api/v1/blocs/{bloc['id']}/terms/2021", None, token)
today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
settings = f"/api/v1/blocs/{bloc['id']}/terms/2021/deadline-settings"
def report_due(days, leads):
    due = today + datetime.timedelta(days=days)
    status, _ = call("PUT", settings, {"reportingPeriods": ["Y"], "reportDue": {"Y": due.isoformat()},
                                       "reminderLeadDays": leads}, token)
    assert status == 200, status
    return due
# Far ahead first (no reminder yet): which unit has not reported the year?
report_due(30, [1])
_, dl = call("GET", "/api/v1/deadlines?limit=200", None, token)
unit = next(d["organizationId"] for d in dl["items"]
            if d["kind"] == "progress_report" and d["state"] != "done" and d["termId"] == term["id"])
_, org = call("GET", f"/api/v1/organizations/{unit}", None, token)
status, _ = call("POST", "/api/v1/users", {"username": "ci.thuky", "fullName": "Trần Thị Thư Ký",
    "organizationId": unit, "roles": ["officer"], "password": "mật-khẩu-dài-đủ",
    "email": "thuky@so.example.vn"}, token)
assert status == 201, status
due = report_due(1, [7, 1])

def mails():
    out = []
    for path in sorted(glob.glob(f"{box}/*.eml")):
        rcpt = open(path[:-4] + ".rcpt").read().split("\n")
        out.append((rcpt, email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)))
    return out

for _ in range(300):
    mine = [m for rcpt, m in mails() if "thuky@so.example.vn" in rcpt]
    if mine:
        break
    time.sleep(0.1)
else:
    raise SystemExit(f"no reminder mail for the unit's officer ({len(mails())} mails arrived)")
m = mine[0]
d = due.strftime("%d/%m/%Y")
want_subject = f"Nhắc hạn: báo cáo kết quả thực hiện kỳ Y — hạn chót {d}"
assert m["subject"] == want_subject, (m["subject"], want_subject)
assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8", m["content-type"]
assert str(m["from"].addresses[0].display_name) == "Thi đua – Khen thưởng", m["from"]
body = m.get_content().replace("\r\n", "\n")
assert body.startswith(f"Kính gửi {org['name']},\n"), body
assert f"Đơn vị chưa báo cáo kết quả thực hiện kỳ Y. Hạn chót là ngày {d} (còn 1 ngày)." in body, body
assert f"Khối thi đua: {bloc['name']}, năm 2021." in body, body
print(f"  {len(mails())} reminder mails; the officer's reads, by Python's email package:")
print(f"  Subject: {m['subject']}")
for line in body.splitlines():
    print(f"  | {line}")
PY
echo "== reminder mail read independently: $(elapsed_since "$start") s"
