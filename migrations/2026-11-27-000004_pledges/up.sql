-- Pledges (giao ước thi đua), their items and targets, signatures and
-- progress reports.

CREATE TABLE pledges (
    id                     uuid PRIMARY KEY,
    term_id                uuid NOT NULL REFERENCES bloc_terms (id),
    title                  text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    theme                  text CHECK (length(theme) <= 2000),
    adopted_at_conference_id uuid REFERENCES conferences (id),
    status                 text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'open', 'in_force', 'closed', 'withdrawn')),
    opened_at              timestamptz,
    in_force_at            timestamptz,
    closed_at              timestamptz,
    withdrawn_at           timestamptz,
    version                integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
-- P1: at most one pledge per term that is not withdrawn.
CREATE UNIQUE INDEX pledges_one_per_term ON pledges (term_id) WHERE status <> 'withdrawn';

CREATE TABLE pledge_items (
    id        uuid PRIMARY KEY,
    pledge_id uuid NOT NULL REFERENCES pledges (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    text      text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    UNIQUE (pledge_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE pledge_targets (
    id           uuid PRIMARY KEY,
    pledge_id    uuid NOT NULL REFERENCES pledges (id) ON DELETE CASCADE,
    item_id      uuid NOT NULL REFERENCES pledge_items (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('percentage', 'count', 'boolean', 'qualitative')),
    subject      text NOT NULL CHECK (subject IN ('member_units', 'sub_units', 'staff', 'organisations', 'unit')),
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 500),
    comparator   text CHECK (comparator IN ('gte', 'lte', 'eq')),
    target_value bigint,
    weight       integer CHECK (weight BETWEEN 0 AND 1000),
    -- T1, T2 in the database too.
    CONSTRAINT pledge_targets_t2 CHECK (
        (kind = 'percentage' AND comparator IS NOT NULL AND target_value > 0 AND target_value <= 100)
     OR (kind = 'count' AND comparator IS NOT NULL AND target_value >= 0)
     OR (kind = 'boolean' AND comparator = 'eq' AND target_value IN (0, 1))
     OR (kind = 'qualitative' AND comparator IS NULL AND target_value IS NULL))
);
CREATE INDEX pledge_targets_pledge_idx ON pledge_targets (pledge_id, item_id, position);

CREATE TABLE pledge_signatures (
    id              uuid PRIMARY KEY,
    pledge_id       uuid NOT NULL REFERENCES pledges (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    signer_name     text NOT NULL CHECK (length(signer_name) BETWEEN 1 AND 200),
    signer_position text NOT NULL CHECK (length(signer_position) BETWEEN 1 AND 200),
    signed_at       timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    recorded_by     uuid,
    -- The admin recorded it on the unit's behalf.
    on_behalf       boolean NOT NULL DEFAULT false,
    CONSTRAINT pledge_signatures_once UNIQUE (pledge_id, organization_id),   -- P4
    CHECK (signed_at <= recorded_at + interval '5 minutes')
);

CREATE TABLE progress_reports (
    id              uuid PRIMARY KEY,
    pledge_id       uuid NOT NULL REFERENCES pledges (id),
    target_id       uuid NOT NULL REFERENCES pledge_targets (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    period          text NOT NULL CHECK (period ~ '^(M(0[1-9]|1[0-2])|Q[1-4]|H[12]|Y)$'),
    numerator       bigint,
    denominator     bigint,
    count_value     bigint,
    done            boolean,
    note            text CHECK (length(note) <= 4000),
    evidence        text[] NOT NULL DEFAULT '{}',
    reported_at     timestamptz NOT NULL DEFAULT now(),
    reported_by     uuid,
    -- Made by the admin or the head unit for this unit.
    on_behalf       boolean NOT NULL DEFAULT false,
    superseded_at   timestamptz,
    -- T4 in the database too.
    CONSTRAINT progress_reports_t4 CHECK (
        (numerator IS NULL OR numerator >= 0) AND (denominator IS NULL OR denominator > 0)
        AND (numerator IS NULL OR denominator IS NULL OR numerator <= denominator)
        AND (count_value IS NULL OR count_value >= 0))
);
-- T5: one current report per (target, unit, period); older ones are kept, superseded.
CREATE UNIQUE INDEX progress_reports_current ON progress_reports (target_id, organization_id, period)
    WHERE superseded_at IS NULL;
CREATE INDEX progress_reports_pledge_idx ON progress_reports (pledge_id, organization_id, target_id, reported_at);
