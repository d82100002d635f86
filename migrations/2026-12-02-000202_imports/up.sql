-- Imports (docs/imports.md): legacy award history enters with its paper
-- decision, marked `imported` (not re-decided); later rules read it like a
-- decided award.
ALTER TABLE decisions ADD COLUMN provenance text NOT NULL DEFAULT 'decided'
    CHECK (provenance IN ('decided', 'imported'));
ALTER TABLE awards ADD COLUMN provenance text NOT NULL DEFAULT 'decided'
    CHECK (provenance IN ('decided', 'imported'));

-- A past bloc's leading units from a paper ballot: no ballot in thidua, the
-- minutes' reference instead (C9 reads them like elected ones).
ALTER TABLE leading_units ALTER COLUMN ballot_id DROP NOT NULL;
ALTER TABLE leading_units ADD COLUMN minutes_ref text CHECK (length(minutes_ref) BETWEEN 1 AND 200);
ALTER TABLE leading_units ADD CONSTRAINT leading_units_ballot_or_minutes
    CHECK ((ballot_id IS NULL) <> (minutes_ref IS NULL));
