DELETE FROM leading_units WHERE ballot_id IS NULL;
ALTER TABLE leading_units DROP CONSTRAINT leading_units_ballot_or_minutes;
ALTER TABLE leading_units DROP COLUMN minutes_ref;
ALTER TABLE leading_units ALTER COLUMN ballot_id SET NOT NULL;
ALTER TABLE awards DROP COLUMN provenance;
ALTER TABLE decisions DROP COLUMN provenance;
