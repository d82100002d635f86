-- Imports (docs/imports.md): legacy award history enters with its paper
-- decision, marked `imported` (not re-decided); later rules read it like a
-- decided award.
ALTER TABLE decisions ADD COLUMN provenance text NOT NULL DEFAULT 'decided'
    CHECK (provenance IN ('decided', 'imported'));
ALTER TABLE awards ADD COLUMN provenance text NOT NULL DEFAULT 'decided'
    CHECK (provenance IN ('decided', 'imported'));
