-- Signed webhooks (issue 17): subscriptions to the change feed and every
-- delivery attempt. See docs/webhooks.md.

CREATE TABLE webhook_subscriptions (
    id                     uuid PRIMARY KEY,
    -- Who manages it, and whose reading rights its deliveries follow: an
    -- admin user, or a service client for itself.
    owner_kind             text NOT NULL CHECK (owner_kind IN ('user', 'client')),
    owner_id               uuid NOT NULL,
    url                    text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    -- Exact types (`pledge.signed`) or prefixes ending in '.' (`pledge.`).
    event_types            text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
    organization_id        uuid REFERENCES organizations (id),
    status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    -- Why it is paused: 'manual' (an API call) or 'failing' (retries ran out).
    paused_reason          text CHECK (paused_reason IN ('manual', 'failing')),
    -- `whsec_` + base64: kept in clear, the server must sign with it
    -- (docs/webhooks.md, "Secrets").
    secret                 text NOT NULL,
    previous_secret        text,
    previous_secret_until  timestamptz,
    -- The last feed id fanned out into deliveries; starts at the feed's
    -- head when the subscription is created.
    cursor                 bigint NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    version                integer NOT NULL DEFAULT 1,
    CHECK ((status = 'paused') = (paused_reason IS NOT NULL)),
    CHECK ((previous_secret IS NULL) = (previous_secret_until IS NULL))
);
CREATE INDEX webhook_subscriptions_owner_idx ON webhook_subscriptions (owner_id, id);
CREATE INDEX webhook_subscriptions_active_idx ON webhook_subscriptions (cursor) WHERE status = 'active';

-- One row per attempt. A pending row is a scheduled attempt; a finished
-- one keeps what the receiver answered. Per subscription, only the oldest
-- pending row (by feed id, then row id) may be claimed: deliveries are
-- sequential and in feed order.
CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY,
    subscription_id   uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id          bigint NOT NULL REFERENCES events (id),
    -- 'feed' (fanned out), 'ping', 'redeliver' (asked for by the API).
    origin            text NOT NULL CHECK (origin IN ('feed', 'ping', 'redeliver')),
    attempt           integer NOT NULL CHECK (attempt >= 1),
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'succeeded', 'failed')),
    due_at            timestamptz NOT NULL,
    -- When the retry series began (the ~24 h window counts from here).
    series_started_at timestamptz NOT NULL,
    -- A worker holds the row until then; past it, another may claim it
    -- again (the first one crashed): at least once.
    claimed_until     timestamptz,
    attempted_at      timestamptz,
    response_status   integer,
    latency_ms        integer,
    -- The first 1 KiB of the answer, as text (lossy UTF-8).
    response_body     text,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- A feed event is fanned out once per subscription, whoever fans it out.
CREATE UNIQUE INDEX webhook_deliveries_fanned_once
    ON webhook_deliveries (subscription_id, event_id) WHERE origin = 'feed' AND attempt = 1;
CREATE INDEX webhook_deliveries_pending_idx
    ON webhook_deliveries (subscription_id, event_id, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (due_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (subscription_id, id);
