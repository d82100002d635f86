ALTER TABLE users DROP COLUMN email;
DROP TABLE deadline_notices;
DROP TABLE deadline_scans;
DROP TABLE term_deadline_settings;
