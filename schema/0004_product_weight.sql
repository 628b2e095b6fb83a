-- squill:lint-ignore-file require-timeout-settings -- squill migrate sets lock_timeout per migration
ALTER TABLE products ADD COLUMN weight_kg numeric(10, 3);
ALTER TABLE shops ADD COLUMN opened_on date;
-- squill:down
-- squill:lint-ignore-file require-timeout-settings -- squill migrate sets lock_timeout per migration
-- squill:lint-ignore-file ban-drop-column -- reverting: the columns this file added
ALTER TABLE shops DROP COLUMN opened_on;
ALTER TABLE products DROP COLUMN weight_kg;
