-- Deadlines and reminders (issue 17, item 5; docs/webhooks.md, "Deadlines").

-- Per term: the due dates the head or the admin set (a missing one takes
-- its default, D2-D5), the periods units report for, and the reminder lead
-- times in days before a due date.
CREATE TABLE term_deadline_settings (
    term_id            uuid PRIMARY KEY REFERENCES bloc_terms (id) ON DELETE CASCADE,
    reporting_periods  text[] NOT NULL DEFAULT ARRAY['Q1', 'Q2', 'Q3', 'Q4']
                       CHECK (cardinality(reporting_periods) <= 19),
    -- {"pledge_signature": "2026-03-31", "progress_report:Q1": "2026-04-10",
    --  "score_sheet": ..., "vote": ...}
    due_dates          jsonb NOT NULL DEFAULT '{}'::jsonb,
    lead_days          integer[] NOT NULL DEFAULT ARRAY[7, 1]
                       CHECK (cardinality(lead_days) <= 5),
    version            integer NOT NULL DEFAULT 1,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- When each term's deadlines are next looked at by a worker; claimed with
-- FOR UPDATE SKIP LOCKED, so instances share the terms.
CREATE TABLE deadline_scans (
    term_id   uuid PRIMARY KEY REFERENCES bloc_terms (id) ON DELETE CASCADE,
    next_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per reminder or miss announced: the unique key is what makes it
-- once per (unit, deadline, lead time), whatever the number of instances.
CREATE TABLE deadline_notices (
    id               uuid PRIMARY KEY,
    term_id          uuid NOT NULL REFERENCES bloc_terms (id) ON DELETE CASCADE,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    kind             text NOT NULL,
    -- The reporting period ('' for a deadline without one).
    period           text NOT NULL DEFAULT '',
    due_on           date NOT NULL,
    notice           text NOT NULL CHECK (notice IN ('reminder', 'missed')),
    -- Days before due_on (a reminder); 0 for a miss.
    lead_days        integer NOT NULL CHECK (lead_days >= 0),
    event_id         bigint REFERENCES events (id),
    -- Mail to the unit's officers (SMTP_URL): claimed like deliveries.
    mail_status      text NOT NULL DEFAULT 'none'
                     CHECK (mail_status IN ('none', 'pending', 'sent', 'failed')),
    mail_claimed_until timestamptz,
    mail_attempts    integer NOT NULL DEFAULT 0,
    mail_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deadline_notices_once
        UNIQUE (term_id, organization_id, kind, period, due_on, notice, lead_days)
);
CREATE INDEX deadline_notices_mail_idx ON deadline_notices (created_at) WHERE mail_status = 'pending';

-- Where a user's reminder mail goes (D7).
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254);
