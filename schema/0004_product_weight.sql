-- squill:lint-ignore-file require-timeout-settings -- squill migrate sets lock_timeout per migration
ALTER TABLE products ADD COLUMN weight_kg numeric(10, 3);
ALTER TABLE shops ADD COLUMN opened_on date;
