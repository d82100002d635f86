-- Login abuse (issue 12, items 2, 3 and 8).
--
-- Failed logins are counted per (account, source address) and per account,
-- one row each, so that the statement that checks a limit also reserves the
-- attempt (an upsert whose WHERE is evaluated on the locked row). The old
-- table held a row per failure, counted before hashing and written after.
-- Its rows are 15-minute counters: dropping them forgets nothing that lasts.
DROP TABLE login_failures;
CREATE TABLE login_failures (
    -- `user:<username>` or `client:<client id>`, as typed (lower-cased).
    principal    text NOT NULL,
    -- The caller's address (IPv4, or the /64 of an IPv6 address), `unknown`
    -- when there is none, or `*` for the row that counts the whole account.
    source       text NOT NULL,
    -- Wrong answers in the window that began at window_start.
    failures     integer NOT NULL CHECK (failures >= 0),
    -- Attempts reserved and still being checked: they count against the
    -- limit until they are settled, so N parallel guesses cannot all pass.
    pending      integer NOT NULL CHECK (pending >= 0),
    window_start timestamptz NOT NULL,
    -- Account rows: when the next attempt may run while the account is paced.
    next_slot    timestamptz,
    PRIMARY KEY (principal, source)
);
CREATE INDEX login_failures_window_idx ON login_failures (window_start);

-- Idempotency records no longer hold anything a database dump could use:
-- the key is stored as its SHA-256, the request hash is an HMAC keyed by the
-- server secret and the Idempotency-Key, and response bodies are sealed
-- (AES-256-GCM) with a key derived from the same two, neither of which is in
-- the database. Rows written before this migration cannot be converted (the
-- server secret is not here): their bodies (which may hold a client secret
-- or an access token) and headers are removed, and their request hash can
-- never match again, so a retry of such a request within its 24 hours is
-- refused with 422 `idempotency_key_reused` instead of running twice.
UPDATE idempotency_keys
   SET key = encode(sha256(convert_to(key, 'UTF8')), 'hex'),
       request_hash = ''::bytea, headers = NULL, body = NULL;
