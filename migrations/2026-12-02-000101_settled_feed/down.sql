-- Back to one commit-order lock: settle everything first (positions stay).
SELECT thidua_settle(2147483647);
DROP FUNCTION thidua_settle_now(bigint);
DROP FUNCTION thidua_settle(integer);

DROP TRIGGER events_unsettled ON events;
DROP FUNCTION events_unsettled();
DROP INDEX events_unsettled_idx;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_id_key, DROP CONSTRAINT events_pkey;
ALTER TABLE events ALTER COLUMN id SET NOT NULL, ADD PRIMARY KEY (id);
ALTER TABLE webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id);
ALTER TABLE events DROP COLUMN seq, DROP COLUMN xid;
CREATE SEQUENCE events_id_seq;
SELECT setval('events_id_seq', coalesce((SELECT max(id) FROM events), 0) + 1, false);

DROP TRIGGER audit_log_unchained ON audit_log;
DROP FUNCTION audit_log_unchained();
DROP INDEX audit_log_unchained_idx;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_chained_whole, DROP CONSTRAINT audit_log_id_key,
    DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ALTER COLUMN id SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL, ADD PRIMARY KEY (id);
ALTER TABLE audit_log DROP COLUMN seq, DROP COLUMN xid;
CREATE SEQUENCE audit_log_id_seq;
SELECT setval('audit_log_id_seq', coalesce((SELECT max(id) FROM audit_log), 0) + 1, false);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION thidua_commit_order_lock() RETURNS void LANGUAGE sql AS
$$ SELECT pg_advisory_xact_lock(7474001) $$;

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

CREATE FUNCTION events_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM thidua_commit_order_lock();
    NEW.id := nextval('events_id_seq');
    RETURN NEW;
END $$;
CREATE TRIGGER events_order BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_order();
