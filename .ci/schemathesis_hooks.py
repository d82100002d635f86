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

_lock = threading.RLock()  # the slots make fixtures (and log in) under it
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
# Answers to positive (schema-valid) cases by operation and phase, as
# "status code": Schemathesis warns `validation_mismatch` for a phase in which
# no positive case of an operation was served; the report names such phases.
_positive = {}


def _phase_and_mode(case):
    meta = getattr(case, "meta", None)
    if meta is None:
        return None, None
    phase = getattr(getattr(meta.phase, "name", None), "value", None)
    mode = getattr(getattr(meta.generation, "mode", None), "value", None)
    return phase, mode


def _report():
    import json

    ops = sorted(_counts)
    never = [op for op in ops if not _counts[op].get("2xx")]
    path = os.environ.get("ST_COUNTS")
    if path:
        with open(path, "w") as f:
            json.dump(
                {"classes": _counts, "problems": _codes, "positive": _positive},
                f,
                indent=1,
                sort_keys=True,
            )
    print(f"\n== answers per operation: {len(ops) - len(never)} of {len(ops)} answered 2xx at least once")
    for op in never:
        classes = ", ".join(f"{k} x{v}" for k, v in sorted(_counts[op].items()))
        print(f"  no 2xx: {op} ({classes})")
    for op in sorted(_positive):
        for phase, answers in sorted(_positive[op].items()):
            if not any(k.startswith("2") for k in answers):
                shown = ", ".join(f"{k} x{v}" for k, v in sorted(answers.items()))
                print(f"  no schema-valid case served: {op} in {phase} ({shown})")


import atexit  # noqa: E402

atexit.register(_report)


@schemathesis.hook
def after_call(ctx, case, response):
    global _password
    _remember_ids(response)
    if 200 <= response.status_code < 300 and case.method.upper() == case.operation.method.upper():
        _slot_taken(case.operation.definition.raw.get("operationId"), case.body)
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
            phase, mode = _phase_and_mode(case)
            if phase and mode == "positive":
                answers = _positive.setdefault(op, {}).setdefault(phase, {})
                k = str(response.status_code)
                if response.status_code >= 400:
                    k += f" {_problem_code(response) or '-'}"
                answers[k] = answers.get(k, 0) + 1
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


@schemathesis.deserializer(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
def office_file(ctx, response):
    """An XLSX or DOCX answer (`type: string, format: binary`): a zip file.

    Checked for the zip signature every Office Open XML file starts with, and
    handed to the response-schema check as a string of its bytes.
    """
    data = response.content
    if not data.startswith(b"PK\x03\x04"):
        raise ValueError("not an Office Open XML file (no zip signature)")
    return data.decode("latin-1")


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
    if type(failure).__name__ == "AcceptedNegativeData" and getattr(case, "media_type", "") == "text/csv":
        # An import's CSV upload is text: a "schema-violating" one is a JSON
        # value Schemathesis serialised as text (`{}`), which the server can
        # only read as a CSV (a dry run then lists its problems, 200).
        return False
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
    # A leave or a transfer ends the person's employment in the unit: each
    # case its own person (the pool's person stays the first member's staff,
    # for facts and proposals).
    "recordPersonLeave": {"id": lambda: _fresh_person()},
    "transferPerson": {"id": lambda: _fresh_person()},
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


_admin_api = None


def _as_admin(method, path, body=None):
    """A call of the hooks' own (a fixture made during the run) as the admin:
    with the token of the last one, logging in again when it was revoked (a
    reset of the admin's password revokes it)."""
    global _admin_api
    for attempt in (1, 2):
        if _admin_api is None or attempt == 2:
            _admin_api = schemathesis_fixtures.Api(BASE_URL, AdminLogin().get(None, None))
        try:
            return _admin_api.call(method, path, body)
        except SystemExit:
            if attempt == 2:
                raise


def _fresh_webhook():
    return _as_admin(
        "POST", "/api/v1/webhooks", {"url": _FIX["webhook_url"], "eventTypes": ["pledge."]}
    )["id"]


def _fresh_person():
    return _as_admin(
        "POST",
        "/api/v1/people",
        {"fullName": "Nguyễn Văn Chuyển", "organizationId": _MEMBERS[0], "category": "cong_chuc"},
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
        if _phase_and_mode(case)[1] == "positive":
            _fit_valid_body(op_id, case.body, params)
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


# ---- slots: a resource a schema-valid case may take only once -----------
#
# One pledge per term (P1), one registration per unit and year, one decision
# per approved proposal: after the first success, every later schema-valid
# case would be a 409 about the run's own earlier case, not about its data.
# So each of these operations works on a slot the run has not taken yet: a
# new one is made (or chosen) once a success took the current one.

class _Slots:
    def __init__(self):
        self.pledge_year = _FIX["pledgeless_year"]
        # The fixtures' terms, and putTerm's year (2040) and its neighbours.
        used = {2019, 2021, 2039, 2040, 2041} | set(range(2029, 2036))
        self.pledge_years = [y for y in range(2000, 2101) if y not in used]
        self.registration = 0  # index into (member, year) pairs
        self.approved = (_FIX["proposal_approved"], _FIX["proposal_approved_items"])


_slots = _Slots()


def _pledge_year():
    """createPledge: a term without a pledge (a new one once it has one)."""
    with _lock:
        while _slots.pledge_year is None and _slots.pledge_years:
            year = _slots.pledge_years.pop(0)
            if _new_term(year):
                _slots.pledge_year = year
        return _slots.pledge_year or _FIX["pledgeless_year"]


def _new_term(year):
    """The bloc's term for `year`, with a head that was not the head of a
    neighbouring year (B3: `putTerm`'s cases set the heads of their years)."""
    n = len(_MEMBERS)
    for k in range(n):
        head, deputy = _MEMBERS[(year + k) % n], _MEMBERS[(year + k + 1) % n]
        try:
            _as_admin(
                "PUT",
                f"/api/v1/blocs/{_FIX['bloc']}/terms/{year}",
                {"memberIds": _MEMBERS, "headId": head, "deputyId": deputy},
            )
            return True
        except SystemExit as e:
            if "head_two_years_running" not in str(e):
                raise
    return False


def _registration_slot():
    """createRegistration: a unit and year not registered yet (the admin may
    register any year: no deadline applies)."""
    with _lock:
        i = _slots.registration
    return _MEMBERS[i % len(_MEMBERS)], 2000 + (i // len(_MEMBERS)) % 101


def _approved_proposal():
    """createDecision: an approved proposal not decided yet, and its items."""
    with _lock:
        if _slots.approved is None:
            submit = ("submit", None)
            _slots.approved = schemathesis_fixtures.proposal(
                _Admin(), _MEMBERS[0], submit, schemathesis_fixtures.APPROVE
            )
        return _slots.approved


class _Admin:
    """`schemathesis_fixtures.Api`'s `call`, through `_as_admin`."""

    def call(self, method, path, body=None):
        return _as_admin(method, path, body)


def _slot_taken(op_id, body):
    if not isinstance(body, dict):
        return
    with _lock:
        if op_id == "createPledge" and body.get("year") == _slots.pledge_year:
            _slots.pledge_year = None
        elif op_id == "createRegistration":
            i = _slots.registration
            if (body.get("organizationId"), body.get("year")) == (
                _MEMBERS[i % len(_MEMBERS)],
                2000 + (i // len(_MEMBERS)) % 101,
            ):
                _slots.registration += 1
        elif op_id == "createDecision" and _slots.approved and body.get("proposalId") == _slots.approved[0]:
            _slots.approved = None


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


_UNIT_ROLES = {"leader", "officer"}  # they act for one organisation


def _fit_valid_body(op_id, body, params):
    """Schema-valid (positive) cases only: values that must agree with each
    other or with the data (rules a schema cannot state) are made to agree,
    and a slot an earlier case took is replaced by a free one. Only values of
    the right type change; negative cases never come here."""
    if op_id == "createUser":
        # `username_taken` after the first case with that name: a suffix
        # unique to the case (still within the pattern and 64 characters).
        name = body.get("username")
        if isinstance(name, str) and re.fullmatch(r"[a-z0-9._-]{3,64}", name):
            body["username"] = f"{name[:55]}-{uuid.uuid4().hex[:8]}"
        roles = body.get("roles")
        if isinstance(roles, list) and _UNIT_ROLES & set(roles) and body.get("organizationId") is None:
            body["organizationId"] = _MEMBERS[0]  # `organization_required`
    if op_id == "updateUser":
        roles = body.get("roles")
        if (
            "organizationId" in body
            and body["organizationId"] is None
            and isinstance(roles, list)
            and _UNIT_ROLES & set(roles)
        ):
            body["organizationId"] = _MEMBERS[0]  # `organization_required`
    if op_id in {"createWebhook", "updateWebhook"} and isinstance(body.get("url"), str):
        # `webhook_url_invalid` and the target rules depend on resolving the
        # URL; a schema-valid case delivers to the run's receiver.
        body["url"] = _FIX["webhook_url"]
    if op_id == "putTerm":
        _fit_cutoff(body, params.get("year"))
    if op_id == "putScoringScheme":
        _fit_scheme(body)
    if op_id == "createPledge":
        if _int(body.get("year")) and 2000 <= body["year"] <= 2100:
            body["year"] = _pledge_year()
        for item in body.get("items") or []:
            for target in (item.get("targets") or []) if isinstance(item, dict) else []:
                if isinstance(target, dict):
                    _fit_target(target)
    if op_id == "createRegistration":
        if isinstance(body.get("organizationId"), str) and _int(body.get("year")):
            body["organizationId"], body["year"] = _registration_slot()
            # Sub-units are the unit's own (`invalid_registration`): the
            # demo's members have none (the run's createOrganization cases
            # may add some), so a schema-valid case lists none.
            if isinstance(body.get("subUnits"), list):
                body["subUnits"] = []
    if op_id == "updateRegistration" and isinstance(body.get("subUnits"), list):
        body["subUnits"] = []  # as above
    if op_id == "createProposal":
        _fit_proposal(body)
    if op_id in {"transferPerson", "recordPersonLeave"}:
        # The case's person was employed today (a new person per case): a
        # move or a last day before that is `employment_date_invalid` or
        # `not_employed`. The same day of a later year.
        for key in ("on", "lastDay"):
            day = body.get(key)
            if isinstance(day, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) and day[:4] < "2027":
                body[key] = "2027" + (day[4:] if day[5:] != "02-29" else "-02-28")
    if op_id == "putFacts" and isinstance(body.get("people"), list):
        _fit_facts(body)
    if op_id == "createDecision":
        _fit_decision(body)


def _fit_cutoff(body, year):
    """`invalid_cutoff`: the reporting cut-off is not before the term's year."""
    cutoff = body.get("reportingCutoff")
    if _int(year) and isinstance(cutoff, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cutoff):
        if int(cutoff[:4]) < year:
            rest = cutoff[4:] if cutoff[5:] != "02-29" else "-02-28"
            body["reportingCutoff"] = f"{year:04d}{rest}"


def _fit_scheme(body):
    """E1 (`invalid_scheme`): codes unique; content and bonus 0..max with
    max > 0, penalty min..0 with min < 0. `unknown_pledge_item`: a criterion
    shows an item of the term's pledge."""
    seen = set()
    items = _FIX["pledge_to_open_items"]
    for section in body.get("sections") or []:
        if not isinstance(section, dict):
            continue
        for i, c in enumerate(section.get("criteria") or []):
            if not isinstance(c, dict):
                continue
            code = c.get("code")
            if isinstance(code, str):
                n = 2
                while code in seen:
                    code = f"{c['code'][:26]}-{n}"
                    n += 1
                c["code"] = code
                seen.add(code)
            if c.get("kind") == "penalty":
                c["maxPoints"] = None
                m = c.get("minPoints")
                c["minPoints"] = -abs(m) if _int(m) and m != 0 else -1
            elif c.get("kind") in {"content", "bonus"}:
                c["minPoints"] = None
                m = c.get("maxPoints")
                c["maxPoints"] = min(abs(m), _I32) if _int(m) and m != 0 else 1
            pid = c.get("pledgeItemId")
            if isinstance(pid, str) and _UUID.match(pid) and pid not in _seen_ids:
                c["pledgeItemId"] = _pick_from(items, pid)


def _pick_from(values, generated):
    digest = hashlib.sha256(str(generated).encode()).digest()
    return values[int.from_bytes(digest[:4], "big") % len(values)]


_I32 = 2**31 - 1


def _fit_target(t):
    """T1, T2 (`invalid_target`): the bounds of a target's kind."""
    kind, value = t.get("kind"), t.get("target")
    if kind == "percentage":
        t["comparator"] = t.get("comparator") or "gte"
        t["target"] = abs(value) % 100 + 1 if _int(value) else 100
    elif kind == "count":
        t["comparator"] = t.get("comparator") or "gte"
        t["target"] = min(abs(value), 2**63 - 1) if _int(value) else 0
    elif kind == "boolean":
        t["comparator"] = "eq"
        t["target"] = 1 if not _int(value) else abs(value) % 2
    elif kind == "qualitative":
        t["comparator"] = None
        t["target"] = None


def _fit_facts(body):
    """`invalid_facts`: each person once (the pool has one person of the
    unit: the first row is kept), a discipline with its end date and none
    without (C2)."""
    rows, seen = [], set()
    for row in body["people"]:
        if isinstance(row, dict):
            if row.get("personId") in seen:
                continue
            seen.add(row.get("personId"))
            if row.get("discipline") == "none":
                row["disciplineUntil"] = None
            elif isinstance(row.get("discipline"), str) and row.get("disciplineUntil") is None:
                row["disciplineUntil"] = "2030-12-31"
        rows.append(row)
    body["people"] = rows


def _fit_proposal(body):
    """`invalid_items`: the subjects are the proposing unit's (`not_in_unit`:
    the people pool's person is of the first member, as is the unit an item
    names), each subject and award type once (`duplicate`)."""
    if isinstance(body.get("organizationId"), str):
        body["organizationId"] = _MEMBERS[0]
    items = body.get("items")
    if not isinstance(items, list):
        return
    kept, seen = [], set()
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("organizationId"), str):
            item["organizationId"] = _MEMBERS[0]
        key = repr(sorted(item.items())) if isinstance(item, dict) else repr(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    body["items"] = kept


def _fit_decision(body):
    """A decision on an approved proposal not decided yet (`invalid_transition`
    once one was), for the proposal's year (`invalid_decision`), awarding
    items of the proposal (`invalid_items` `not_proposed`); numbers unique
    (`decision_number_taken`)."""
    number = body.get("number")
    if isinstance(number, str):
        body["number"] = f"{number[:90]}-{uuid.uuid4().hex[:8]}"
    pid = body.get("proposalId")
    no_proposal = pid is None and (not _int(body.get("year")) or not body.get("awards"))
    if (isinstance(pid, str) and _UUID.match(pid) and pid not in _seen_ids) or no_proposal:
        body["proposalId"], items = _approved_proposal()
        if _int(body.get("year")):
            body["year"] = 2030
        if isinstance(body.get("awards"), list) and body["awards"]:
            body["awards"] = [dict(i) for i in items]


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
