-- Writes without a global lock (issue 15, item 1; docs/feed.md).
--
-- Until now every writer took one advisory lock (thidua_commit_order_lock)
-- from its audit insert to COMMIT, so that audit ids, the hash chain and
-- event ids followed commit order. Writers now insert their audit row and
-- change event unchained and unnumbered, stamped with their transaction id
-- (`xid`) and an insertion number (`seq`, the new primary key). Positions —
-- the feed id `events.id`, the chain position `audit_log.id` with its
-- hashes — are given after commit by the settler (`thidua_settle`), which
-- one session at a time runs under an advisory lock: it numbers every
-- committed row it sees that has no position yet, in (xid, seq) order,
-- after the highest position so far. A row is numbered only once it is
-- committed and every number is given under the lock, so every position
-- below a visible one is visible: a reader following `after=` can never
-- see a later commit land behind its cursor.

-- ----------------------------------------------------------------- audit_log
DROP TRIGGER audit_log_chain ON audit_log;
DROP FUNCTION audit_log_chain();
DROP FUNCTION thidua_commit_order_lock();

ALTER TABLE audit_log
    ADD COLUMN seq bigint,
    -- Rows chained before this migration all carry 0: they come first, in id order.
    ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log SET seq = id;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
CREATE SEQUENCE audit_log_seq_seq OWNED BY audit_log.seq;
SELECT setval('audit_log_seq_seq', coalesce((SELECT max(seq) FROM audit_log), 0) + 1, false);
DROP SEQUENCE audit_log_id_seq;
ALTER TABLE audit_log
    ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq_seq'),
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN xid SET DEFAULT pg_current_xact_id(),
    DROP CONSTRAINT audit_log_pkey,
    ADD PRIMARY KEY (seq),
    ALTER COLUMN id DROP NOT NULL,
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN hash DROP NOT NULL,
    ADD CONSTRAINT audit_log_id_key UNIQUE (id),
    -- Chained (position and both hashes) or not at all.
    ADD CONSTRAINT audit_log_chained_whole
        CHECK ((id IS NULL) = (hash IS NULL) AND (id IS NULL) = (prev_hash IS NULL));
CREATE INDEX audit_log_unchained_idx ON audit_log (xid, seq) WHERE id IS NULL;

-- A writer cannot chain its own row nor pick its place: position, hashes
-- and xid are the settler's and the server's.
CREATE FUNCTION audit_log_unchained() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := NULL;
    NEW.prev_hash := NULL;
    NEW.hash := NULL;
    NEW.xid := pg_current_xact_id();
    RETURN NEW;
END $$;
CREATE TRIGGER audit_log_unchained BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_unchained();

-- Append-only, with one exception: chaining an unchained row once, which
-- sets its position and hashes and nothing else, with a hash that recomputes.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id IS NULL AND NEW.id IS NOT NULL
       AND NEW.seq = OLD.seq AND NEW.xid = OLD.xid
       AND (NEW.occurred_at, NEW.actor_kind, NEW.actor_id, NEW.actor_name, NEW.organization_id,
            NEW.on_behalf_of, NEW.action, NEW.entity, NEW.entity_id, NEW.before::text,
            NEW.after::text, NEW.reason, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.occurred_at, OLD.actor_kind, OLD.actor_id, OLD.actor_name, OLD.organization_id,
            OLD.on_behalf_of, OLD.action, OLD.entity, OLD.entity_id, OLD.before::text,
            OLD.after::text, OLD.reason, OLD.request_id)
       AND NEW.hash = sha256(NEW.prev_hash || audit_canonical(NEW)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- -------------------------------------------------------------------- events
DROP TRIGGER events_order ON events;
DROP FUNCTION events_order();

ALTER TABLE events
    ADD COLUMN seq bigint,
    ADD COLUMN xid xid8 NOT NULL DEFAULT '0';
UPDATE events SET seq = id;
CREATE SEQUENCE events_seq_seq OWNED BY events.seq;
SELECT setval('events_seq_seq', coalesce((SELECT max(seq) FROM events), 0) + 1, false);
DROP SEQUENCE events_id_seq;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_id_fkey;
ALTER TABLE events
    ALTER COLUMN seq SET DEFAULT nextval('events_seq_seq'),
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN xid SET DEFAULT pg_current_xact_id(),
    DROP CONSTRAINT events_pkey,
    ADD PRIMARY KEY (seq),
    ALTER COLUMN id DROP NOT NULL,
    ADD CONSTRAINT events_id_key UNIQUE (id);
ALTER TABLE webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES events (id);
CREATE INDEX events_unsettled_idx ON events (xid, seq) WHERE id IS NULL;

CREATE FUNCTION events_unsettled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.id := NULL;
    NEW.xid := pg_current_xact_id();
    RETURN NEW;
END $$;
CREATE TRIGGER events_unsettled BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_unsettled();

-- ------------------------------------------------------------------- settler
-- One round: if no other session holds the settler lock, number up to
-- `batch` committed events and chain up to `batch` committed audit rows, in
-- (xid, seq) order; returns how many rows it settled, or -1 when another
-- session was settling (its round covers what this one would have done, or
-- the next round will). Every statement below takes a fresh snapshot after
-- the lock is held, so it sees the previous holder's positions.
CREATE FUNCTION thidua_settle(batch integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    settled integer := 0;
    n integer;
    pos bigint;
    prev bytea;
    r audit_log;
BEGIN
    IF NOT pg_try_advisory_xact_lock(7474004) THEN
        RETURN -1;
    END IF;
    SELECT coalesce(max(id), 0) INTO pos FROM events;
    WITH todo AS (
        SELECT seq, row_number() OVER (ORDER BY xid, seq) AS rn
          FROM (SELECT seq, xid FROM events WHERE id IS NULL ORDER BY xid, seq LIMIT batch) t)
    UPDATE events e SET id = pos + todo.rn FROM todo WHERE e.seq = todo.seq;
    GET DIAGNOSTICS n = ROW_COUNT;
    settled := settled + n;

    SELECT id, hash INTO pos, prev FROM audit_log WHERE id IS NOT NULL ORDER BY id DESC LIMIT 1;
    pos := coalesce(pos, 0);
    prev := coalesce(prev, '\x'::bytea);
    FOR r IN SELECT * FROM audit_log WHERE id IS NULL ORDER BY xid, seq LIMIT batch LOOP
        pos := pos + 1;
        r.id := pos;
        r.prev_hash := prev;
        r.hash := sha256(prev || audit_canonical(r));
        UPDATE audit_log SET id = r.id, prev_hash = r.prev_hash, hash = r.hash WHERE seq = r.seq;
        prev := r.hash;
        settled := settled + 1;
    END LOOP;
    RETURN settled;
END $$;

-- Give one event its feed position now, inside its own transaction (a
-- webhook ping must name the event its delivery carries). Waits for the
-- settler lock and holds it to COMMIT: settling pauses meanwhile, writers
-- do not. The position is visible when this transaction commits, and no
-- other position can be given before then.
CREATE FUNCTION thidua_settle_now(event_seq bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    pos bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7474004);
    SELECT coalesce(max(id), 0) + 1 INTO pos FROM events;
    UPDATE events SET id = pos WHERE seq = event_seq AND id IS NULL;
    IF NOT FOUND THEN
        SELECT id INTO pos FROM events WHERE seq = event_seq;
    END IF;
    RETURN pos;
END $$;
