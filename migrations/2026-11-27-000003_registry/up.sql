-- Registry: organisations (units and sub-units), staff, blocs, yearly terms,
-- conferences.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Case- and diacritic-insensitive folding ("Sở Y tế" → "so y te"), immutable
-- so that generated columns and indexes can use it.
CREATE FUNCTION thidua_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$;

CREATE TABLE organizations (
    id               uuid PRIMARY KEY,
    code             text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{2,32}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    short_name       text CHECK (length(short_name) BETWEEN 1 AND 100),
    kind             text NOT NULL CHECK (kind IN
        ('department', 'committee', 'broadcaster', 'national_park', 'board', 'division', 'other')),
    parent_id        uuid REFERENCES organizations (id),
    valid_from       date,
    valid_to         date,
    superseded_by_id uuid REFERENCES organizations (id),
    superseded_on    date,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search_text      text GENERATED ALWAYS AS
        (thidua_fold(code || ' ' || name || ' ' || coalesce(short_name, ''))) STORED,
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    CHECK (parent_id IS NULL OR parent_id <> id),
    CHECK (superseded_by_id IS NULL OR superseded_by_id <> id),
    CHECK ((superseded_by_id IS NULL) = (superseded_on IS NULL))
);
CREATE INDEX organizations_parent_idx ON organizations (parent_id, id);
CREATE INDEX organizations_kind_idx ON organizations (kind, id);
CREATE INDEX organizations_search_idx ON organizations USING gin (search_text gin_trgm_ops);

ALTER TABLE users ADD CONSTRAINT users_organization_fk
    FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE service_clients ADD CONSTRAINT service_clients_organization_fk
    FOREIGN KEY (organization_id) REFERENCES organizations (id);

CREATE TABLE people (
    id               uuid PRIMARY KEY,
    full_name        text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    position         text CHECK (length(position) <= 200),
    category         text NOT NULL CHECK (category IN ('can_bo', 'cong_chuc', 'vien_chuc', 'nguoi_lao_dong')),
    gender           text CHECK (gender IN ('male', 'female')),
    employment_start date,
    active           boolean NOT NULL DEFAULT true,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search_text      text GENERATED ALWAYS AS (thidua_fold(full_name)) STORED
);
CREATE INDEX people_org_idx ON people (organization_id, id);
CREATE INDEX people_search_idx ON people USING gin (search_text gin_trgm_ops);

CREATE TABLE blocs (
    id          uuid PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9_-]{2,32}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind        text NOT NULL CHECK (kind IN ('khoi', 'cum')),
    description text CHECK (length(description) <= 4000),
    rotate_head boolean NOT NULL DEFAULT true,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A bloc's membership, head and deputy for one year.
CREATE TABLE bloc_terms (
    id               uuid PRIMARY KEY,
    bloc_id          uuid NOT NULL REFERENCES blocs (id),
    year             integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    head_id          uuid NOT NULL REFERENCES organizations (id),
    deputy_id        uuid REFERENCES organizations (id),
    reporting_cutoff date NOT NULL,
    -- Set when the term's pledge opens for signing (B4).
    frozen_at        timestamptz,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (bloc_id, year),
    UNIQUE (id, year),
    CHECK (deputy_id IS NULL OR deputy_id <> head_id)                         -- B2
);

-- B1 in the database: a unit is a member of at most one term per year.
CREATE TABLE term_members (
    term_id         uuid NOT NULL,
    year            integer NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (term_id, organization_id),
    FOREIGN KEY (term_id, year) REFERENCES bloc_terms (id, year) ON DELETE CASCADE,
    CONSTRAINT term_members_one_bloc_per_year UNIQUE (organization_id, year)
);

CREATE TABLE conferences (
    id                   uuid PRIMARY KEY,
    bloc_id              uuid NOT NULL REFERENCES blocs (id),
    year                 integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    kind                 text NOT NULL CHECK (kind IN ('start_of_year', 'mid_year', 'year_end', 'other')),
    held_on              date NOT NULL,
    location             text CHECK (length(location) <= 300),
    host_organization_id uuid REFERENCES organizations (id),
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conferences_bloc_idx ON conferences (bloc_id, year, id);

CREATE TABLE conference_attendees (
    conference_id   uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (conference_id, organization_id)
);

CREATE TABLE conference_representatives (
    conference_id   uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    ordinal         integer NOT NULL,
    organization_id uuid REFERENCES organizations (id),
    full_name       text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    position        text CHECK (length(position) <= 200),
    PRIMARY KEY (conference_id, ordinal)
);

CREATE TABLE conference_documents (
    conference_id uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    ordinal       integer NOT NULL,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    number        text CHECK (length(number) <= 100),
    issued_on     date,
    url           text CHECK (length(url) <= 2000),
    sha256        text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    PRIMARY KEY (conference_id, ordinal)
);
