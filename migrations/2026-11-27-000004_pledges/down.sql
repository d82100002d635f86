DROP TABLE progress_reports;
DROP TABLE pledge_signatures;
DROP TABLE pledge_targets;
DROP TABLE pledge_items;
DROP TABLE pledges;
