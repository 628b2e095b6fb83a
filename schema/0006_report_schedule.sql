-- squill:lint-ignore-file require-timeout-settings -- squill migrate sets lock_timeout per migration
-- How often a shop gets its report (an interval) and where it is emailed (a domain over text
-- that holds only plausible addresses; NULL: no email).
CREATE DOMAIN email_address AS text CHECK (VALUE ~ '^[^@[:space:]]+@[^@[:space:]]+$');

ALTER TABLE shop_settings
    ADD COLUMN report_every interval NOT NULL DEFAULT '7 days',
    ADD COLUMN report_email email_address;
-- squill:down
-- squill:lint-ignore-file require-timeout-settings -- squill migrate sets lock_timeout per migration
-- squill:lint-ignore-file ban-drop-column -- reverting: the columns this file added
ALTER TABLE shop_settings DROP COLUMN report_email, DROP COLUMN report_every;
DROP DOMAIN email_address;
