ALTER TABLE awards DROP COLUMN provenance;
ALTER TABLE decisions DROP COLUMN provenance;
