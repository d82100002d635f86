-- Hashed keys cannot be turned back into keys, nor sealed bodies read
-- without the server: the records are dropped.
DELETE FROM idempotency_keys;

DROP TABLE login_failures;
CREATE TABLE login_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    principal   text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_principal_idx ON login_failures (principal, failed_at);
