#!/usr/bin/env bash
# Issue 16's document check (docs/documents.md, "CI"): every printable
# document, downloaded as DOCX from `thidua serve --demo`
# (.ci/lib/demo-server.sh), converts to PDF with LibreOffice headless
# (Debian's libreoffice-writer-nogui, installed once: skipped when present).
# The demo has the 2021 pledge and conference; the script adds what a year
# brings: the head unit (BDT) opens the leading-unit ballot and every
# member's leader votes (the last vote closes it), and the board decides an
# LĐTT award for two staff of SGDDT with their 2021 facts. One PDF is also
# rendered to PNG (pdftoppm) and its path printed, to look at the
# Vietnamese text. Fails on any download or conversion error.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/lib/demo-server.sh

if ! command -v libreoffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  echo "installing libreoffice-writer-nogui and poppler-utils (once)"
  sudo_cmd=
  [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    libreoffice-writer-nogui poppler-utils fonts-liberation >/dev/null
fi

trap demo_server_stop EXIT
demo_server_start

out="${DOCUMENTS_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/thidua-documents.XXXXXX")}"
mkdir -p "$out"

DEMO_BASE=$DEMO_BASE DEMO_LOG=$DEMO_LOG OUT=$out python3 - <<'PY'
import json, os, re, urllib.request

base, out = os.environ["DEMO_BASE"], os.environ["OUT"]
# The demo prints each user's password once: "  <user>   <password>".
passwords = dict(re.findall(r"^  (\S+) +(\S+)$", open(os.environ["DEMO_LOG"]).read(), re.M))

def call(method, path, body=None, token=None, raw=False):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=60) as r:
        data = r.read()
        if raw:
            return r.status, r.headers.get("content-type"), data
        return r.status, (json.loads(data) if data else None)

def login(user):
    _, t = call("POST", "/api/v1/auth/token",
                {"grantType": "password", "username": user, "password": passwords[user]})
    return t["accessToken"]

admin = login("admin")
_, pledges = call("GET", "/api/v1/pledges?year=2021", token=admin)
pledge = call("GET", f"/api/v1/pledges/{pledges['items'][0]['id']}", token=admin)[1]
bloc_id = pledge["blocId"]
_, term = call("GET", f"/api/v1/blocs/{bloc_id}/terms/2021", token=admin)
org = lambda code: call("GET", f"/api/v1/organizations?code={code}", token=admin)[1]["items"][0]["id"]
sgd = org("SGDDT")

# The leading-unit ballot of 2021.
status, ballot = call("POST", f"/api/v1/blocs/{bloc_id}/terms/2021/ballots", {"seats": 1},
                      token=login("bdt.officer"))
assert status == 201, status
for m in term["members"]:
    status, _ = call("POST", f"/api/v1/ballots/{ballot['id']}/votes", {"choices": [sgd]},
                     token=login(m["code"].lower() + ".leader"))
    assert status == 201, status

# A commendation decision for two staff with their 2021 facts.
people = []
for name in ["Trần Văn Bình", "Lê Thị Hoa"]:
    status, p = call("POST", "/api/v1/people", {"fullName": name, "organizationId": sgd,
                     "category": "cong_chuc", "position": "Chuyên viên"}, token=admin)
    assert status == 201, status
    people.append(p["id"])
status, _ = call("PUT", f"/api/v1/organizations/{sgd}/facts/2021", {"people": [
    {"personId": p, "rating": "htt", "registered": True, "monthsEmployed": 12, "absentDays": 0,
     "discipline": "none"} for p in people]}, token=admin)
assert status in (200, 201), status
status, decision = call("POST", "/api/v1/decisions", {
    "number": "15/QĐ-UBND", "decidedOn": "2022-01-05", "signer": "Nguyễn Văn Khước",
    "issuingBody": "Ủy ban nhân dân tỉnh Vĩnh Phúc", "year": 2021,
    "awards": [{"awardType": "ldtt", "personId": p} for p in people]}, token=admin)
assert status == 201, status

docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
for name, path in [
    ("pledge-2021", f"/api/v1/pledges/{pledge['id']}/document?format=docx"),
    ("conference-2021", f"/api/v1/conferences/{pledge['adoptedAtConferenceId']}/document?format=docx"),
    ("ballot-2021", f"/api/v1/ballots/{ballot['id']}/document?format=docx"),
    ("decision-2021", f"/api/v1/decisions/{decision['id']}/document?format=docx"),
]:
    status, ctype, data = call("GET", path, token=admin, raw=True)
    assert status == 200 and ctype == docx, (name, status, ctype)
    open(f"{out}/{name}.docx", "wb").write(data)
    print(f"downloaded {name}.docx ({len(data)} bytes)")
PY

# A private profile, so a user's LibreOffice settings or a running instance
# cannot interfere.
profile="file://$out/lo-profile"
for f in "$out"/*.docx; do
  libreoffice -env:UserInstallation="$profile" --headless --convert-to pdf --outdir "$out" "$f" \
    >"$out/convert.log" 2>&1 || { cat "$out/convert.log" >&2; exit 1; }
  pdf="${f%.docx}.pdf"
  if [ ! -s "$pdf" ]; then
    echo "no PDF from $(basename "$f")" >&2
    cat "$out/convert.log" >&2
    exit 1
  fi
  echo "converted $(basename "$f") -> $(basename "$pdf") ($(stat -c %s "$pdf") bytes)"
done

pdftoppm -png -r 60 -f 1 -l 1 "$out/pledge-2021.pdf" "$out/pledge-2021"
png=$(ls "$out"/pledge-2021*.png | head -n1)
echo "first page of the pledge as PNG: $png"
