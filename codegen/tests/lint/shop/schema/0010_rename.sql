-- squill:lint-ignore-file require-timeout-settings
ALTER TABLE users RENAME COLUMN name TO display_name;

-- squill:lint-ignore ban-drop-column -- unused since v2
ALTER TABLE users DROP COLUMN legacy_flags;

-- squill:lint-ignore ban-drop-colum
ALTER TABLE users ALTER COLUMN email TYPE varchar(100);
