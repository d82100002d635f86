-- Year-end evaluation: scoring schemes and sheets (E1–E3), secret ballots (E4),
-- leading units.

CREATE TABLE scoring_schemes (
    id         uuid PRIMARY KEY,
    term_id    uuid NOT NULL UNIQUE REFERENCES bloc_terms (id),
    total_cap  integer NOT NULL CHECK (total_cap > 0),
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE scoring_sections (
    id        uuid PRIMARY KEY,
    scheme_id uuid NOT NULL REFERENCES scoring_schemes (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    title     text NOT NULL CHECK (length(title) BETWEEN 1 AND 500)
);

CREATE TABLE scoring_criteria (
    id             uuid PRIMARY KEY,
    scheme_id      uuid NOT NULL REFERENCES scoring_schemes (id) ON DELETE CASCADE,
    section_id     uuid NOT NULL REFERENCES scoring_sections (id) ON DELETE CASCADE,
    position       integer NOT NULL,
    code           text NOT NULL CHECK (length(code) BETWEEN 1 AND 32),
    text           text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    kind           text NOT NULL CHECK (kind IN ('content', 'bonus', 'penalty')),
    min_points     integer NOT NULL,
    max_points     integer NOT NULL,
    pledge_item_id uuid REFERENCES pledge_items (id) ON DELETE SET NULL,
    UNIQUE (scheme_id, code),
    CONSTRAINT scoring_criteria_bounds CHECK (
        (kind = 'penalty' AND min_points < 0 AND max_points = 0)
     OR (kind <> 'penalty' AND min_points = 0 AND max_points > 0))
);

-- Who cross-scores whom, set by the head; never oneself.
CREATE TABLE review_assignments (
    term_id      uuid NOT NULL REFERENCES bloc_terms (id),
    reviewer_id  uuid NOT NULL REFERENCES organizations (id),
    subject_id   uuid NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (term_id, reviewer_id, subject_id),
    CONSTRAINT review_assignments_not_self CHECK (reviewer_id <> subject_id)
);

CREATE TABLE score_sheets (
    id             uuid PRIMARY KEY,
    scheme_id      uuid NOT NULL REFERENCES scoring_schemes (id),
    subject_id     uuid NOT NULL REFERENCES organizations (id),
    reviewer_id    uuid NOT NULL REFERENCES organizations (id),
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'recused')),
    recusal_reason text CHECK (length(recusal_reason) <= 2000),
    submitted_at   timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (scheme_id, subject_id, reviewer_id),
    CHECK (status <> 'recused' OR (recusal_reason IS NOT NULL AND subject_id <> reviewer_id))
);

CREATE TABLE score_entries (
    sheet_id     uuid NOT NULL REFERENCES score_sheets (id) ON DELETE CASCADE,
    criterion_id uuid NOT NULL REFERENCES scoring_criteria (id),
    points       integer NOT NULL,
    note         text CHECK (length(note) <= 4000),
    evidence_url text CHECK (length(evidence_url) <= 2000),
    PRIMARY KEY (sheet_id, criterion_id)
);

-- E4. Who voted and what was chosen live apart: voters are a sorted array on
-- the ballot row (no per-voter row, no time), papers have a random id and
-- no time, so nothing links a paper to its voter.
CREATE TABLE ballots (
    id                uuid PRIMARY KEY,
    term_id           uuid NOT NULL REFERENCES bloc_terms (id),
    seats             integer NOT NULL DEFAULT 1 CHECK (seats >= 1),
    threshold_percent integer NOT NULL DEFAULT 50 CHECK (threshold_percent BETWEEN 0 AND 99),
    candidates        uuid[] NOT NULL,
    members           uuid[] NOT NULL,
    voters            uuid[] NOT NULL DEFAULT '{}',
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_at         timestamptz NOT NULL DEFAULT now(),
    closed_at         timestamptz,
    version           integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX ballots_one_open_per_term ON ballots (term_id) WHERE status = 'open';

CREATE TABLE ballot_papers (
    id        uuid PRIMARY KEY,
    ballot_id uuid NOT NULL REFERENCES ballots (id),
    choices   uuid[] NOT NULL
);

-- The bloc's leading units for the year, from a ballot's result.
CREATE TABLE leading_units (
    term_id         uuid NOT NULL REFERENCES bloc_terms (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    ballot_id       uuid NOT NULL REFERENCES ballots (id),
    rank            integer NOT NULL,
    votes           integer NOT NULL,
    PRIMARY KEY (term_id, organization_id)
);
