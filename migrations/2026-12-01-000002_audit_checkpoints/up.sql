-- Audit checkpoints: signed (row id, chain hash at that row, time) triples
-- that anchor the hash chain. Each is also published on the change feed
-- (`audit.checkpoint`), so parties outside the database keep copies; see
-- docs/security.md, "The audit trail: what verify proves".
--
-- A checkpoint names a row and the hash the chain has at that row, never
-- how the hash was reached, so it stays valid when rows are later chained by
-- a separate task: it anchors whatever prefix of the chain existed.
CREATE TABLE audit_checkpoints (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- One checkpoint per row: two server instances cannot both anchor the
    -- same head (the service also serialises creation with an advisory lock).
    audit_id   bigint NOT NULL CONSTRAINT audit_checkpoints_once UNIQUE,
    hash       bytea NOT NULL CHECK (length(hash) = 32),
    created_at timestamptz NOT NULL,
    -- Hex of the first 8 bytes of SHA-256 of the raw Ed25519 public key.
    key_id     text NOT NULL,
    -- Ed25519 over 'thidua-audit-checkpoint:v1:<auditId>:<hex hash>:<createdAt>'.
    signature  bytea NOT NULL CHECK (length(signature) = 64)
);

-- Append-only like the trail itself (an owner can still lift this: which is
-- why the copies outside the database are the anchor, not this table).
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
