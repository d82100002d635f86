"""Schemathesis hooks of the CI gate (.ci/schemathesis.sh): log in as the
demo's admin, and keep being able to.

Every operation runs as the admin, including `POST /users/{id}/password` on
the admin itself: a schema-valid new password that the server accepts, and
that revokes the token in use (as a password reset must). So the gate logs in
through `POST /api/v1/auth/token` instead of sending a fixed token, remembers
the password a successful reset of its own account set, and Schemathesis's
reactive re-authentication (on 401) logs in again with it. Without this, one
generated reset would turn the rest of the run into 401s.

Before the run, the fixtures (.ci/schemathesis_fixtures.py) are made through
the API; `before_call` puts their ids in place of generated ones (path
parameters and id fields of bodies), so that every operation reaches its
logic. The checks at the end: every problem answer's `code` is documented on
its operation and status (`documented_problem_code`), and every operation
answered 2xx at least once (`every_operation_reached`).
"""

import hashlib
import itertools
import os
import re
import sys
import threading
import uuid

import requests
import schemathesis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schemathesis_fixtures  # noqa: E402

BASE_URL = os.environ["ST_BASE_URL"]
ADMIN_ID = os.environ["ST_ADMIN_ID"]
USERNAME = os.environ.get("ST_ADMIN_USERNAME", "admin")

_lock = threading.Lock()
_password = os.environ["ST_ADMIN_PASSWORD"]
_admin_tokens = set()  # issued to the gate's admin login


@schemathesis.auth(refresh_interval=1800)
class AdminLogin:
    def get(self, case, ctx):
        with _lock:
            password = _password
        response = requests.post(
            f"{BASE_URL}/api/v1/auth/token",
            json={"grantType": "password", "username": USERNAME, "password": password},
            timeout=30,
        )
        response.raise_for_status()
        token = response.json()["accessToken"]
        with _lock:
            _admin_tokens.add(token)
        return token

    def set(self, case, data, ctx):
        case.headers = dict(case.headers or {})
        case.headers["Authorization"] = f"Bearer {data}"


# Answers by operation and status class, printed when the run ends (and
# written to $ST_COUNTS as JSON): which operations never reached their logic.
_counts = {}
_codes = {}  # the same, by problem status and code (in $ST_COUNTS)


def _report():
    import json

    ops = sorted(_counts)
    never = [op for op in ops if not _counts[op].get("2xx")]
    path = os.environ.get("ST_COUNTS")
    if path:
        with open(path, "w") as f:
            json.dump({"classes": _counts, "problems": _codes}, f, indent=1, sort_keys=True)
    print(f"\n== answers per operation: {len(ops) - len(never)} of {len(ops)} answered 2xx at least once")
    for op in never:
        classes = ", ".join(f"{k} x{v}" for k, v in sorted(_counts[op].items()))
        print(f"  no 2xx: {op} ({classes})")


import atexit  # noqa: E402

atexit.register(_report)


@schemathesis.hook
def after_call(ctx, case, response):
    global _password
    _remember_ids(response)
    # Only the documented operations (the unsupported-method check sends
    # other methods to the same paths).
    if case.method.upper() == case.operation.method.upper():
        op = f"{case.method.upper()} {case.operation.path}"
        with _lock:
            by_class = _counts.setdefault(op, {})
            key = f"{response.status_code // 100}xx"
            by_class[key] = by_class.get(key, 0) + 1
            if response.status_code >= 400:
                code = _problem_code(response) or "-"
                by_code = _codes.setdefault(op, {})
                k = f"{response.status_code} {code}"
                by_code[k] = by_code.get(k, 0) + 1
    if (
        case.method.upper() == "POST"
        and case.operation.path == "/api/v1/users/{id}/password"
        and str((case.path_parameters or {}).get("id")) == ADMIN_ID
        and response.status_code == 200
        and isinstance(case.body, dict)
        and isinstance(case.body.get("password"), str)
    ):
        with _lock:
            _password = case.body["password"]


@schemathesis.hook
def map_headers(ctx, headers):
    """A fresh Idempotency-Key wherever one is sent.

    Hypothesis draws the header from a small space (`!`, `0`, ...), so without
    this, hundreds of schema-valid POSTs reuse a key another body used first
    and are answered 422 `idempotency_key_reused`, a right answer that hides
    the operation's logic. Retries with one key are tested in tests/api.
    """
    if headers:
        for name in list(headers):
            if name.lower() == "idempotency-key":
                headers[name] = str(uuid.uuid4())
    return headers


# 422 codes that are field-level: the spec must describe what they reject,
# so a schema-valid request answered with one fails the gate. Besides the
# generic two: "exactly one of personId / organizationId" and the award type's
# kind (`oneOf`, the per-field enums), and the reason `reopen` and `recuse`
# require (a required `reason`), all stated in the document.
FIELD_LEVEL_422 = {
    "validation_failed",
    "invalid_value",
    "invalid_subject",
    "subject_kind_mismatch",
    "reason_required",
    "recusal_needs_reason",
}


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    """Keep every failure except ST202 for a rule the schema cannot state.

    A schema-valid request may still break one of the API's rules: a 422 whose
    `code` is the rule's own (anything but the field-level codes above), e.g.
    `unknown_organization` (an id in the body that does not exist),
    `idempotency_key_reused` (a key sent before with another body),
    `invalid_target` (bounds that do not fit the target's kind); or 400
    `invalid_cursor` (a cursor the API never gave out). Such answers are
    documented on the operation and tested in tests/api; they depend on the
    data or on several fields at once, not on the shape the schema describes.
    """
    if type(failure).__name__ != "RejectedPositiveData":
        return True
    code = _problem_code(response)
    if response.status_code == 422 and code and code not in FIELD_LEVEL_422:
        return False
    if response.status_code == 400 and code == "invalid_cursor":
        return False
    if response.status_code == 409 and code and code in _documented_codes(case, "409"):
        return False
    return True


_CODE = re.compile(r"`([a-z][a-z0-9_]*)`")


def _documented_codes(case, status):
    """The codes the operation's own `status` answer lists (`code` in backticks).

    A 409 is a right answer to a schema-valid request only when it is one of
    the operation's documented conflicts (a pledge not open, a term already
    decided...); any other 409, such as a database constraint the code did not
    map, fails the gate (.ci/schemathesis.toml, point 1).
    """
    try:
        raw = case.operation.definition.raw
        text = raw["responses"][status]["description"]
    except Exception:
        return set()
    return set(_CODE.findall(text))


def _content_type(response):
    value = response.headers.get("content-type") or response.headers.get("Content-Type") or ""
    return value[0] if isinstance(value, list) and value else str(value)


def _problem_code(response):
    try:
        body = response.json()
    except Exception:
        return None
    return body.get("code") if isinstance(body, dict) else None


# The API accepts calendar dates and instants from 1900 to 2100 (issue 12,
# item 8), and the document says so with a `pattern` on every date field.
# Hypothesis's own `date` strategy spans years 1–9999, so ~98% of its dates
# would be dropped by that pattern and the health check would fail the
# operation. Generate in the accepted range instead: the schema is unchanged
# (format + pattern), only the examples stop being wasted.
def _in_range_dates():
    import datetime

    from hypothesis import strategies as st

    first, last = datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)
    dates = st.dates(first, last)
    instants = st.datetimes(
        datetime.datetime(1900, 1, 1),
        datetime.datetime(2100, 12, 31, 23, 59, 59),
        timezones=st.just(datetime.timezone.utc),
    )
    return dates.map(str), instants.map(lambda t: t.isoformat().replace("+00:00", "Z"))


_dates, _instants = _in_range_dates()
schemathesis.openapi.format("date", _dates)
schemathesis.openapi.format("date-time", _instants)


# ---- fixtures: real ids in place of generated ones ----------------------

def _passwords():
    """The demo users' passwords, printed once in the server's log."""
    path = os.environ.get("ST_SERVER_LOG")
    if not path:
        return {}
    found = re.findall(r"^  (\S+)\s+(\S+)$", open(path, encoding="utf-8").read(), re.M)
    return dict(found)


_PASSWORDS = _passwords()
_FIX = schemathesis_fixtures.build(
    BASE_URL,
    schemathesis_fixtures.login(BASE_URL, USERNAME, _password),
    _PASSWORDS,
)
_MEMBERS = _FIX["members"]


def _flat(v):
    if isinstance(v, dict):
        for x in v.values():
            yield from _flat(x)
    elif isinstance(v, (list, tuple)):
        for x in v:
            yield from _flat(x)
    elif isinstance(v, str):
        yield v


_FIXTURE_IDS = set(_flat(_FIX))

# Path parameters by operation: the fixture each operation works on (a
# resource in the state it needs; one per destructive operation). A name is
# a key of the fixtures, a number a year. Operations not listed take the
# defaults below, by parameter and path.
_PATH = {
    "putTerm": {"year": "free_year"},
    "openBallot": {"year": 2031},
    "putScoringScheme": {"year": 2031},
    "copyScoringSchemeTemplate": {"year": 2031},
    "putReviewAssignments": {"year": 2031},
    "putScoreSheet": {"subjectId": lambda: _MEMBERS[1]},
    "closeBallot": {"id": "ballot_to_close"},
    "castVote": {"id": "ballot_to_vote"},
    "disableClient": {"id": "client_to_disable"},
    "updateOrganization": {"id": "org_to_update"},
    "retireOrganization": {"id": "org_to_retire"},
    "updatePledge": {"id": "pledge_draft"},
    "reorderPledgeItems": {"id": "pledge_draft"},
    "replacePledgeItems": {"id": "pledge_items_to_replace"},
    "openPledge": {"id": "pledge_to_open"},
    "closePledge": {"id": "pledge_to_close"},
    "withdrawPledge": {"id": "pledge_to_withdraw"},
    "signPledge": {"id": "pledge_open"},
    "updateProposal": {"id": "proposal_draft"},
    "submitProposal": {"id": "proposal_to_submit"},
    "returnProposal": {"id": "proposal_to_return"},
    "recordCouncilOutcome": {"id": "proposal_submitted"},
    "submitScoreSheet": {"id": "sheet_to_submit"},
    "recuseScoreSheet": {"id": "sheet_to_recuse"},
    "reopenScoreSheet": {"id": "sheet_to_reopen"},
    "disableUser": {"id": "user_to_disable"},
    "resetUserPassword": {"id": "user_to_reset"},
    "deleteWebhook": {"id": lambda: _fresh_webhook()},
}

# The resource a path's first `{id}` names.
_BY_COLLECTION = {
    "audit": "checkpoint",
    "awards": "award",
    "ballots": "ballot_closed",
    "blocs": "bloc",
    "clients": "client",
    "conferences": "conference",
    "decisions": "decision",
    "organizations": lambda: _MEMBERS[0],
    "people": "person",
    "pledges": "pledge21",
    "proposals": "proposal_draft",
    "registrations": "registration",
    "rule-sets": "rule_set",
    "score-sheets": "sheet_to_submit",
    "users": "user_to_update",
    "webhooks": "webhook",
}

# Body fields holding ids, by name: the pool a generated id is mapped into.
# The same generated id always maps to the same fixture within a pool, so a
# body that names one unit twice (a head among the members) still does.
_BODY_POOLS = {
    "organizationId": "members",
    "headId": "members",
    "deputyId": "members",
    "memberIds": "members",
    "attendeeIds": "members",
    "hostOrganizationId": "members",
    "reviewerId": "members",
    "subjectId": "members",
    "candidateIds": "members",
    "choices": "members",
    "supersededById": "members",
    "parentId": "members",
    "personId": "people",
    "blocId": "bloc",
    "targetId": "targets21",
    "criterionId": "criteria",
    "itemIds": "pledge_draft_items",
    "proposalId": "proposal_approved",
    "conferenceId": "conference",
    "adoptedAtConferenceId": "conference",
}

# Body years by operation: a term in the state the operation needs.
_BODY_YEAR = {
    "createPledge": "pledgeless_year",
    "createRegistration": "work_year",
    "createConference": "work_year",
}

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_seen_ids = set()  # ids the run's own answers returned (links): left alone
_KEY = re.compile(r"^[!-~]{1,255}$")
_IF_MATCH = re.compile(r'^(W/)?("[0-9]{1,9}"|[0-9]{1,9})$')


def _fixture(name):
    if callable(name):
        return name()
    if isinstance(name, int):
        return name
    value = _FIX[name]
    return value


def _pick(pool, generated):
    values = _FIX[pool]
    if not isinstance(values, list):
        return values
    digest = hashlib.sha256(str(generated).encode()).digest()
    return values[int.from_bytes(digest[:4], "big") % len(values)]


def _fresh_webhook():
    api = schemathesis_fixtures.Api(BASE_URL, AdminLogin().get(None, None))
    return api.call(
        "POST", "/api/v1/webhooks", {"url": _FIX["webhook_url"], "eventTypes": ["pledge."]}
    )["id"]


def _path_fixture(op_id, path, name):
    chosen = _PATH.get(op_id, {}).get(name)
    if chosen is not None:
        return _fixture(chosen)
    parts = path.strip("/").split("/")  # api, v1, collection, {id}, ...
    if name == "id" and len(parts) > 2:
        chosen = _BY_COLLECTION.get(parts[2])
        return _fixture(chosen) if chosen is not None else None
    if name == "year":
        return 2021 if op_id in {"getTerm"} else _FIX["work_year"]
    if name == "subjectId":
        return _MEMBERS[1]
    if name == "deliveryId":
        return _FIX["deliveries"][0]
    return None


def _valid_like(generated, replacement):
    """Replace only a value of the same kind the schema allows (a UUID for a
    UUID, a year in range for a year): a negative case stays negative."""
    if isinstance(replacement, int) and not isinstance(generated, bool):
        return isinstance(generated, int) and 2000 <= generated <= 2100
    return isinstance(generated, str) and bool(_UUID.match(generated))


def _map_body(value, key=None, op_id=None):
    if isinstance(value, dict):
        return {k: _map_body(v, k, op_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_body(v, key, op_id) for v in value]
    pool = _BODY_POOLS.get(key)
    if pool and isinstance(value, str) and _UUID.match(value) and value not in _seen_ids:
        return _pick(pool, value)
    if key == "year" and op_id in _BODY_YEAR and _valid_like(value, 2000):
        return _FIX[_BODY_YEAR[op_id]]
    if key == "url" and op_id in {"createWebhook", "updateWebhook"} and isinstance(value, str):
        return _FIX["webhook_url"] if value.startswith(("http://", "https://")) else value
    return value


_voters = itertools.cycle(sorted(_FIX["voters"].values()))


def _voter_token():
    """castVote is a member leader's (E4): each case as the next leader."""
    with _lock:
        name = next(_voters)
    return _user_token(name)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    op = case.operation
    op_id = op.definition.raw.get("operationId")
    if case.method.upper() != op.method.upper():
        return
    params = dict(case.path_parameters or {})
    for name, generated in params.items():
        if str(generated) in _seen_ids:
            continue  # a link's id, from an answer of this run
        replacement = _path_fixture(op_id, op.path, name)
        if replacement is not None and _valid_like(generated, replacement):
            params[name] = replacement
    if params:
        case.path_parameters = params
    if isinstance(case.body, (dict, list)):
        case.body = _map_body(case.body, op_id=op_id)
        if op_id == "putScoreSheet" and isinstance(case.body, dict):
            # A self-score sheet: the reviewer (the admin names it) is the subject.
            case.body["reviewerId"] = params.get("subjectId", _MEMBERS[1])
    if isinstance(case.body, dict):
        _fit_body(op_id, case.body)
    # A fresh Idempotency-Key on every call (a case can be sent more than
    # once: replays, shrinking), unless the key is itself the invalid input.
    for name, value in list((case.headers or {}).items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and _KEY.match(value):
            case.headers[name] = str(uuid.uuid4())
        # A generated version names none the resource has: every such case
        # would be 412. A well-formed `If-Match` is left out (it is optional;
        # optimistic locking is tested in tests/api); a malformed one stays.
        if name.lower() == "if-match" and isinstance(value, str) and _IF_MATCH.match(value):
            del case.headers[name]
    # Operations that are another user's: the admin's token becomes theirs
    # (a missing or invalid token, as the auth checks send, stays as it is).
    as_user = {
        "castVote": _voter_token,
        # A cross-reviewer recuses itself: the head's leader, whose sheet it is.
        "recuseScoreSheet": lambda: _user_token(_FIX["work_head_leader"]),
    }.get(op_id)
    headers = case.headers or {}
    sent = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    if as_user and sent and sent.removeprefix("Bearer ") in _admin_tokens:
        case.headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        case.headers["Authorization"] = f"Bearer {as_user()}"


def _fit_body(op_id, body):
    """Bodies whose ids must agree with the fixture as a whole, not one by
    one: every current item of the pledge (reordered), a head among the
    members, a login that exists. Only values of the right shape change."""
    if op_id == "reorderPledgeItems" and isinstance(body.get("itemIds"), list) and body["itemIds"]:
        body["itemIds"] = list(reversed(_FIX["pledge_draft_items"]))
    if (
        op_id == "putTerm"
        and isinstance(body.get("memberIds"), list)
        and all(isinstance(m, str) for m in body["memberIds"])
    ):
        members = body["memberIds"]
        for key in ("headId", "deputyId"):
            if isinstance(body.get(key), str) and body[key] not in members:
                members.append(body[key])
        body["memberIds"] = list(dict.fromkeys(members))
    if op_id == "submitProgressReports" and "organizationId" not in body:
        # The unit reported on: the caller's own by default, and the admin's
        # board is no member; name a member (the field is optional).
        body["organizationId"] = _MEMBERS[0]
    if op_id == "issueToken":
        if body.get("grantType") == "password" and isinstance(body.get("username"), str):
            body["username"] = _FIX["login_user"]
            body["password"] = _FIX["login_password"]
        if body.get("grantType") == "client_credentials" and isinstance(body.get("clientId"), str):
            body["clientId"], body["clientSecret"] = _FIX["login_client"]


_user_tokens = {}


def _user_token(name):
    with _lock:
        if name not in _user_tokens:
            _user_tokens[name] = schemathesis_fixtures.login(BASE_URL, name, _PASSWORDS[name])
        return _user_tokens[name]


def _remember_ids(response):
    if not (200 <= response.status_code < 300):
        return
    try:
        body = response.json()
    except Exception:
        return
    # A fixture's own id stays a fixture: the stateful phase's inferred links
    # (any answer's `id` to any `{id}`) must not withdraw the draft another
    # operation edits.
    if isinstance(body, dict) and isinstance(body.get("id"), str) and body["id"] not in _FIXTURE_IDS:
        with _lock:
            _seen_ids.add(body["id"])


# ---- checks of the whole run -------------------------------------------


@schemathesis.check
def documented_problem_code(ctx, response, case):
    """Issue 14, item 2: a problem answer's `code` is one the operation lists
    (in backticks) on the response of that status. The API test suite checks
    the same over its own exchanges (tests/api/documented_codes.rs)."""
    if case.method.upper() != case.operation.method.upper():
        return None
    if "problem+json" not in _content_type(response):
        return None
    code = _problem_code(response)
    status = str(response.status_code)
    documented = _documented_codes(case, status)
    if code not in documented:
        label = f"{case.method.upper()} {case.operation.path}"
        raise AssertionError(
            f"{label}: {status} `{code}` is not documented on the operation"
            f" (its {status} lists: {', '.join(sorted(documented)) or 'nothing'})"
        )
    return None


@schemathesis.check
class every_operation_reached:
    """Fail the run when an operation never answered 2xx (its logic unreached)."""

    def __init__(self):
        self.tested = set()
        self.reached = set()

    def after_response(self, ctx, response, case):
        if case.method.upper() != case.operation.method.upper():
            return
        label = f"{case.method.upper()} {case.operation.path}"
        self.tested.add(label)
        if 200 <= response.status_code < 300:
            self.reached.add(label)

    def after_run(self, ctx):
        never = sorted(self.tested - self.reached)
        if never:
            raise AssertionError(
                f"{len(never)} operation(s) never answered 2xx: " + ", ".join(never)
            )
