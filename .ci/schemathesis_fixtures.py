"""Fixtures of the Schemathesis gate, made through the API before the run.

`serve --demo` holds the founding 2021 data (the VHXH bloc, its nine
members, the 2021 term, its conference and pledge in force, the demo users).
Random ids never name any of it, so most operations would answer 404 to
every case. This module builds, through the API and as the demo's admin,
one resource in the state each operation needs (a draft pledge to edit, an
open one to sign, a submitted score sheet to reopen, ...), one per
destructive operation so that one operation's success cannot break another's
(a webhook to delete and another to pause, a user to disable and another to
reset), and returns their ids. `.ci/schemathesis_hooks.py` puts them in the
path parameters and the id fields of the bodies (docs/contract.md,
"The Schemathesis gate").

Every step must succeed: a fixture that cannot be made fails the gate before
it starts, with the answer that refused it.
"""

import http.server
import threading
import time
import uuid

import requests

TEXT = "Dữ liệu kiểm thử"


class Api:
    def __init__(self, base, token):
        self.base = base
        self.token = token

    def call(self, method, path, body=None, expect=(200, 201, 202, 204), token=None, headers=None):
        h = {"Authorization": f"Bearer {token or self.token}"}
        h.update(headers or {})
        r = requests.request(method, self.base + path, json=body, headers=h, timeout=60)
        if r.status_code not in expect:
            raise SystemExit(f"fixture {method} {path}: {r.status_code} {r.text[:800]}")
        return r.json() if r.content and "json" in r.headers.get("content-type", "") else None


def login(base, username, password):
    r = requests.post(
        f"{base}/api/v1/auth/token",
        json={"grantType": "password", "username": username, "password": password},
        timeout=60,
    )
    r.raise_for_status()
    return r.json()["accessToken"]


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A webhook receiver that takes every delivery (204)."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def receiver():
    """Start the run's webhook receiver on 127.0.0.1 (the gate's server allows
    that host: WEBHOOK_ALLOW_HOSTS); its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def put_term(api, bloc, members, year):
    """The bloc's term for `year`, every member in it; B3: no head two
    years running, so each year its own head. The head's id."""
    head, deputy = members[year % len(members)], members[(year + 1) % len(members)]
    api.call(
        "PUT",
        f"/api/v1/blocs/{bloc}/terms/{year}",
        {"memberIds": members, "headId": head, "deputyId": deputy},
    )
    return head


def person(api, org):
    """A person of `org` with a good 2030 (C3), so that a proposal of `ldtt`
    for 2030 passes its rules."""
    pid = api.call(
        "POST",
        "/api/v1/people",
        {"fullName": "Nguyễn Văn Kiểm", "organizationId": org, "category": "cong_chuc"},
    )["id"]
    api.call(
        "PUT",
        f"/api/v1/organizations/{org}/facts/2030",
        {
            "people": [
                {
                    "personId": pid,
                    "rating": "htt",
                    "registered": True,
                    "monthsEmployed": 12,
                    "absentDays": 0,
                    "discipline": "none",
                }
            ]
        },
    )
    return pid


APPROVE = ("council-outcome", {"outcome": "approved", "note": "Hội đồng nhất trí"})


def proposal(api, org, *steps):
    """A 2030 proposal of `org` (one `ldtt` for a new person), taken through
    `steps` ((action, body) pairs); its id and its items as a decision names
    them."""
    items = [{"awardType": "ldtt", "personId": person(api, org)}]
    pid = api.call(
        "POST",
        "/api/v1/proposals",
        {"organizationId": org, "year": 2030, "title": "Đề nghị kiểm thử", "items": items},
    )["id"]
    for path, body in steps:
        api.call("POST", f"/api/v1/proposals/{pid}/{path}", body)
    return pid, items


def build(base, admin_token, passwords):
    """Make every fixture; the ids by name (see the hooks for their use)."""
    api = Api(base, admin_token)
    f = {}
    blocs = api.call("GET", "/api/v1/blocs?code=VHXH")["items"]
    bloc = blocs[0]["id"]
    f["bloc"] = bloc
    term21 = api.call("GET", f"/api/v1/blocs/{bloc}/terms/2021")
    members = term21["memberIds"]
    codes = {m["id"]: m["code"] for m in term21["members"]}
    f["members"] = members
    f["head21"] = term21["headId"]
    orgs = api.call("GET", "/api/v1/organizations?limit=200")["items"]
    f["board"] = next(o["id"] for o in orgs if o["kind"] == "board")
    pledge21 = api.call("GET", "/api/v1/pledges")["items"][0]["id"]
    f["pledge21"] = pledge21
    full21 = api.call("GET", f"/api/v1/pledges/{pledge21}")
    f["targets21"] = [t["id"] for i in full21["items"] for t in i["targets"]]
    f["conference"] = api.call("GET", "/api/v1/conferences")["items"][0]["id"]
    # T8: the 2021 cut-off has passed; reports need it moved (as README's "Try a year").
    api.call(
        "PUT",
        f"/api/v1/blocs/{bloc}/terms/2021/reporting-cutoff",
        {"reportingCutoff": "2100-12-31", "reason": "Kiểm thử: mở lại kỳ báo cáo"},
    )

    def term(year):
        return put_term(api, bloc, members, year)

    def pledge(year):
        p = api.call(
            "POST",
            "/api/v1/pledges",
            {
                "blocId": bloc,
                "year": year,
                "title": f"Giao ước thi đua năm {year}",
                "items": [
                    {"text": "Hoàn thành xuất sắc nhiệm vụ", "targets": []},
                    {
                        "text": "Đăng ký thi đua",
                        "targets": [
                            {
                                "kind": "percentage",
                                "subject": "member_units",
                                "label": "Đơn vị đăng ký thi đua",
                                "comparator": "gte",
                                "target": 100,
                            }
                        ],
                    },
                ],
            },
        )
        return p

    def sign_all(pid, year, skip=()):
        for m in members:
            if m in skip:
                continue
            api.call(
                "POST",
                f"/api/v1/pledges/{pid}/signatures",
                {
                    "organizationId": m,
                    "signerName": f"Lãnh đạo {codes[m]}",
                    "signerPosition": "Giám đốc",
                    "signedAt": f"{year}-04-01T08:00:00Z",
                },
            )

    # The work term (2030): scoring, ballots, deadlines, a draft pledge to edit.
    f["work_year"] = 2030
    head = term(2030)
    p = pledge(2030)
    f["pledge_draft"] = p["id"]
    f["pledge_draft_items"] = [i["id"] for i in p["items"]]
    # A pledge per transition, each in its own term.
    term(2031)
    p = pledge(2031)
    f["pledge_to_open"] = p["id"]
    # putScoringScheme (2031): a criterion shows one of the term's items.
    f["pledge_to_open_items"] = [i["id"] for i in p["items"]]
    term(2032)
    p = pledge(2032)["id"]
    api.call("POST", f"/api/v1/pledges/{p}/open")
    f["pledge_open"] = p  # signatures: one member left unsigned per case
    f["pledge_open_unsigned"] = members
    term(2034)
    f["pledge_items_to_replace"] = pledge(2034)["id"]
    term(2035)
    f["pledgeless_year"] = 2035  # createPledge: a term without a pledge
    # createPledge's later cases: a new term in one of these years each time
    # a case took the last one (P1: one pledge per term).
    term(2033)
    p = pledge(2033)["id"]
    api.call("POST", f"/api/v1/pledges/{p}/open")
    f["pledge_to_withdraw"] = p
    term(2019)
    p = pledge(2019)["id"]
    api.call("POST", f"/api/v1/pledges/{p}/open")
    sign_all(p, 2019)
    f["pledge_to_close"] = p
    # putTerm's own year: created by the run's first valid case.
    f["free_year"] = 2040

    # Scoring (E1, E2) on the work term.
    t = f"/api/v1/blocs/{bloc}/terms/2030"
    scheme = api.call(
        "PUT",
        f"{t}/scoring-scheme",
        {
            "totalCap": 1000,
            "sections": [
                {
                    "title": "A. Nội dung thi đua",
                    "criteria": [
                        {"code": "A1", "text": "Nhiệm vụ chính trị", "kind": "content", "maxPoints": 950},
                        {"code": "B1", "text": "Sáng kiến", "kind": "bonus", "maxPoints": 50},
                    ],
                }
            ],
        },
    )
    criteria = [c["id"] for s in scheme["sections"] for c in s["criteria"]]
    f["criteria"] = criteria

    def sheet(subject, reviewer):
        return api.call(
            "PUT",
            f"{t}/score-sheets/{subject}",
            {"reviewerId": reviewer, "entries": [{"criterionId": criteria[0], "points": 900}]},
        )["id"]

    # Self-sheets of every member but two, submitted: a ranking to read.
    for m in members[3:]:
        s = sheet(m, m)
        api.call("POST", f"/api/v1/score-sheets/{s}/submit")
    f["sheet_to_submit"] = sheet(members[0], members[0])
    f["sheet_to_recuse"] = sheet(members[0], head)  # a cross-sheet: the head scores
    s = sheet(members[2], members[2])
    api.call("POST", f"/api/v1/score-sheets/{s}/submit")
    f["sheet_to_reopen"] = s
    f["subjects"] = members  # putScoreSheet: self-sheets (reviewer = subject) or the head's
    # Ballots (E4): one closed (its result and minutes to read), one to
    # close, one to vote in (as a member's leader).
    def two_votes(ballot):
        # E4: closing takes at least two ballots (one alone would be revealed).
        for m in members[:2]:
            leader = f"{codes[m].lower()}.leader"
            api.call(
                "POST",
                f"/api/v1/ballots/{ballot}/votes",
                {"choices": [members[0]]},
                token=login(base, leader, passwords[leader]),
            )

    b = api.call("POST", f"/api/v1/blocs/{bloc}/terms/2019/ballots", {"seats": 1})["id"]
    two_votes(b)
    api.call("POST", f"/api/v1/ballots/{b}/close")
    f["ballot_closed"] = b
    f["ballot_to_close"] = api.call("POST", f"{t}/ballots", {"seats": 1})["id"]
    two_votes(f["ballot_to_close"])
    term(2029)
    f["vote_year"] = 2029
    f["ballot_to_vote"] = api.call(
        "POST", f"/api/v1/blocs/{bloc}/terms/2029/ballots", {"seats": 1}
    )["id"]
    f["ballot_candidates"] = members
    f["voters"] = {m: f"{codes[m].lower()}.leader" for m in members}
    f["work_head_leader"] = f["voters"][head]

    # Registry.
    def org(kind="department", parent=None):
        code = "FZ" + uuid.uuid4().hex[:8].upper()
        body = {"code": code, "name": f"Đơn vị kiểm thử {code}", "kind": kind}
        if parent:
            body["parentId"] = parent
        return api.call("POST", "/api/v1/organizations", body)["id"]

    f["org_to_retire"] = org()
    f["org_to_update"] = org()
    def person_():
        return person(api, members[0])

    f["person"] = person_()
    f["people"] = [f["person"]]
    def user(role="viewer", org=None):
        name = "fz." + uuid.uuid4().hex[:10]
        body = {"username": name, "fullName": "Người kiểm thử", "roles": [role], "password": "mật-khẩu-kiểm-thử-dài"}
        if org:
            body["organizationId"] = org
        return api.call("POST", "/api/v1/users", body)["id"]

    # updateUser: of a unit, so that a case giving it a unit role (officer,
    # leader) without naming an organisation keeps the one it has.
    f["user_to_update"] = user(org=members[0])
    # issueToken: a user whose password the gate knows.
    f["login_user"] = api.call("GET", f"/api/v1/users/{user()}")["username"]
    f["login_password"] = "mật-khẩu-kiểm-thử-dài"
    f["user_to_disable"] = user()
    f["user_to_reset"] = user()

    def client():
        return api.call(
            "POST",
            "/api/v1/clients",
            {"clientId": "fz-" + uuid.uuid4().hex[:10], "name": "Hệ thống kiểm thử", "scopes": ["read"]},
        )["id"]

    f["client_to_disable"] = client()
    f["client"] = client()
    created = api.call(
        "POST",
        "/api/v1/clients",
        {"clientId": "fz-" + uuid.uuid4().hex[:10], "name": "Hệ thống đăng nhập", "scopes": ["read"]},
    )
    f["login_client"] = (created["clientId"], created["clientSecret"])

    f["webhook_url"] = receiver()

    def webhook():
        return api.call(
            "POST",
            "/api/v1/webhooks",
            {"url": f["webhook_url"], "eventTypes": ["pledge."]},
        )["id"]

    f["webhook_to_delete"] = webhook()
    f["webhook"] = webhook()
    api.call("POST", f"/api/v1/webhooks/{f['webhook']}/ping")
    # Redelivery takes a finished attempt: wait for the ping to be delivered.
    for _ in range(100):
        items = api.call("GET", f"/api/v1/webhooks/{f['webhook']}/deliveries")["items"]
        if items and all(d.get("status") != "pending" for d in items):
            break
        time.sleep(0.1)
    f["deliveries"] = [
        d["id"] for d in api.call("GET", f"/api/v1/webhooks/{f['webhook']}/deliveries")["items"]
    ]
    f["checkpoint"] = api.call("POST", "/api/v1/audit/checkpoints")["id"]

    # Titles: a rule set to change, a registration, proposals in each state.
    rule_sets = api.call("GET", "/api/v1/rule-sets")["items"]
    base_params = rule_sets[-1]["params"]
    rs = api.call(
        "POST",
        "/api/v1/rule-sets",
        {
            "code": "fz-" + uuid.uuid4().hex[:8],
            "scope": "province",
            "name": "Quy định kiểm thử",
            "legalBasis": "Kiểm thử",
            "effectiveFrom": "2090-01-01",
            "params": base_params,
        },
    )
    f["rule_set"] = rs["id"]
    f["registration"] = api.call(
        "POST",
        "/api/v1/registrations",
        {"organizationId": members[0], "year": 2030, "titles": ["ttldtt"]},
    )["id"]

    def proposal_(*steps):
        return proposal(api, members[0], *steps)[0]

    submit = ("submit", None)
    f["proposal_draft"] = proposal_()
    f["proposal_to_submit"] = proposal_()
    f["proposal_to_return"] = proposal_(submit)
    f["proposal_submitted"] = proposal_(submit)
    f["proposal_approved"], f["proposal_approved_items"] = proposal(api, members[0], submit, APPROVE)
    decided = proposal_(submit, APPROVE)
    decision = api.call(
        "POST",
        "/api/v1/decisions",
        {
            "number": "FZ-" + uuid.uuid4().hex[:8],
            "decidedOn": "2031-01-20",
            "signer": "Chủ tịch UBND tỉnh",
            "issuingBody": "UBND tỉnh",
            "proposalId": decided,
        },
    )
    f["decision"] = decision["id"]
    f["award"] = decision["awards"][0]["id"]
    return f
