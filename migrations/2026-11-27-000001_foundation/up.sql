-- Foundation: the audit trail, the change feed and idempotency records.

-- One lock orders every writer from its first audit/event row to its commit,
-- so that audit ids, the hash chain and event ids all follow commit order
-- (a feed reader following `after=` can never skip an event).
CREATE FUNCTION thidua_commit_order_lock() RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(7474001) $$;

CREATE SEQUENCE audit_log_id_seq;

-- Append-only and hash-chained: hash = sha256(prev_hash || canonical row).
CREATE TABLE audit_log (
    id              bigint PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_kind      text NOT NULL CHECK (actor_kind IN ('user', 'client', 'system')),
    actor_id        uuid,
    actor_name      text NOT NULL,
    organization_id uuid,
    on_behalf_of    uuid,
    action          text NOT NULL,
    entity          text NOT NULL,
    entity_id       text NOT NULL,
    before          jsonb,
    after           jsonb,
    reason          text,
    request_id      text,
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL UNIQUE
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_time_idx ON audit_log (occurred_at, id);

-- The canonical text of a row: every column but the hashes, fixed formats.
CREATE FUNCTION audit_canonical(a audit_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws(chr(31),
        a.id::text,
        to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        a.actor_kind, coalesce(a.actor_id::text, ''), a.actor_name,
        coalesce(a.organization_id::text, ''), coalesce(a.on_behalf_of::text, ''),
        a.action, a.entity, a.entity_id,
        coalesce(a.before::text, 'null'), coalesce(a.after::text, 'null'),
        coalesce(a.reason, ''), coalesce(a.request_id, '')), 'UTF8')
$$;

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
BEGIN
    PERFORM thidua_commit_order_lock();
    NEW.id := nextval('audit_log_id_seq');
    SELECT hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.prev_hash := coalesce(prev, '\x'::bytea);
    NEW.hash := sha256(NEW.prev_hash || audit_canonical(NEW));
    RETURN NEW;
END $$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The change feed (transactional outbox): ids follow commit order.
CREATE SEQUENCE events_id_seq;

CREATE TABLE events (
    id              bigint PRIMARY KEY,
    type            text NOT NULL,
    entity          text NOT NULL,
    entity_id       text NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_id        uuid,
    organization_id uuid,
    data            jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE FUNCTION events_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM thidua_commit_order_lock();
    NEW.id := nextval('events_id_seq');
    RETURN NEW;
END $$;

CREATE TRIGGER events_order BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_order();

-- Idempotency-Key records: the first response to a POST, replayed for 24 h.
CREATE TABLE idempotency_keys (
    caller       text NOT NULL,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    status       smallint,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
