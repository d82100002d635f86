-- Staff history (docs/titles.md, "Members of a collective"): a person's
-- employments, effective-dated like organisations (both ends inclusive,
-- NULL = open). A transfer closes one and opens the next; leaving closes the
-- last. `people.organization_id`, `position` and `active` stay the current
-- view of the open employment.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE employments (
    id              uuid PRIMARY KEY,
    person_id       uuid NOT NULL REFERENCES people (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    position        text CHECK (length(position) <= 200),
    -- NULL: since before the records (a person entered without a start date).
    valid_from      date,
    -- The last day employed there; NULL: still employed.
    valid_to        date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    -- A person is employed in one place at a time.
    EXCLUDE USING gist (person_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)
);
CREATE INDEX employments_org_idx ON employments (organization_id, valid_from);
CREATE INDEX employments_person_idx ON employments (person_id, valid_from);

-- People's staff code (mã cán bộ), the import's natural key; no national
-- ID numbers are kept (docs/security.md).
ALTER TABLE people ADD COLUMN code text CHECK (code ~ '^[A-Za-z0-9_.-]{1,32}$');
CREATE UNIQUE INDEX people_code_key ON people (code) WHERE code IS NOT NULL;

-- Every existing person gets one employment from their current data: open
-- while active; an inactive person's closes on the day the row last changed
-- (the best knowledge of when they left), never before it started. Ids are
-- UUID v7 from the person's creation time, like the ones the service makes.
INSERT INTO employments (id, person_id, organization_id, position, valid_from, valid_to, created_at)
SELECT (lpad(to_hex((extract(epoch FROM p.created_at) * 1000)::bigint), 12, '0')
        || '7' || substr(md5(p.id::text), 1, 3) || '8' || substr(md5(p.id::text), 4, 15))::uuid,
       p.id, p.organization_id, p.position, p.employment_start,
       CASE WHEN p.active THEN NULL
            ELSE GREATEST(p.updated_at::date, p.employment_start) END,
       p.created_at
  FROM people p;

-- Months employed may be left out of a year's facts: the rules then derive
-- them from the employments.
ALTER TABLE person_year_facts ALTER COLUMN months_employed DROP NOT NULL;

-- A new person starts with their first employment, whoever inserts the row
-- (the service, the bench generator, a fixture): open from
-- `employment_start` (closed today if the row arrives inactive).
CREATE FUNCTION thidua_first_employment() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO employments (id, person_id, organization_id, position, valid_from, valid_to, created_at)
    VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
             || '7' || substr(md5(NEW.id::text), 1, 3) || '8' || substr(md5(NEW.id::text), 4, 15))::uuid,
            NEW.id, NEW.organization_id, NEW.position, NEW.employment_start,
            CASE WHEN NEW.active THEN NULL ELSE GREATEST(current_date, NEW.employment_start) END,
            NEW.created_at);
    RETURN NULL;
END $$;
CREATE TRIGGER people_first_employment AFTER INSERT ON people
    FOR EACH ROW EXECUTE FUNCTION thidua_first_employment();
