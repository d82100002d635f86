-- Identity: people who log in, other systems with client credentials, and
-- the failed-login record that brute-force protection reads.

CREATE TABLE users (
    id              uuid PRIMARY KEY,
    username        text NOT NULL CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    full_name       text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    organization_id uuid,
    roles           text[] NOT NULL CHECK (
        cardinality(roles) >= 1
        AND roles <@ ARRAY['admin', 'leader', 'officer', 'viewer']::text[]),
    active          boolean NOT NULL DEFAULT true,
    password_hash   text NOT NULL,
    -- Bumped when the user is disabled or the password is reset: older tokens stop working.
    token_version   integer NOT NULL DEFAULT 0,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Leaders and officers act for one organisation; admins and viewers may be province-wide.
    CONSTRAINT users_org_for_unit_roles CHECK (
        organization_id IS NOT NULL OR NOT (roles && ARRAY['leader', 'officer']::text[]))
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_org_idx ON users (organization_id, id);

CREATE TABLE service_clients (
    id              uuid PRIMARY KEY,
    client_id       text NOT NULL UNIQUE CHECK (client_id ~ '^[a-z0-9._-]{3,64}$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    scopes          text[] NOT NULL CHECK (
        cardinality(scopes) >= 1 AND scopes <@ ARRAY['read', 'write']::text[]),
    organization_id uuid,
    active          boolean NOT NULL DEFAULT true,
    secret_hash     text NOT NULL,
    token_version   integer NOT NULL DEFAULT 0,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per failed token request, per username or client id.
CREATE TABLE login_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    principal   text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_principal_idx ON login_failures (principal, failed_at);
