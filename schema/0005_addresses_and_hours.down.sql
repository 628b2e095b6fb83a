-- squill:lint-ignore-file require-timeout-settings -- squill migrate sets lock_timeout per migration
-- squill:lint-ignore-file ban-drop-table -- reverting: the table this file created
-- squill:lint-ignore-file ban-drop-column -- reverting: the column this file added
DROP TABLE opening_hours;
ALTER TABLE shops DROP COLUMN address;
DROP TYPE postal_address;
