DROP TRIGGER people_first_employment ON people;
DROP FUNCTION thidua_first_employment();
UPDATE person_year_facts SET months_employed = 12 WHERE months_employed IS NULL;
ALTER TABLE person_year_facts ALTER COLUMN months_employed SET NOT NULL;
DROP INDEX people_code_key;
ALTER TABLE people DROP COLUMN code;
DROP TABLE employments;
