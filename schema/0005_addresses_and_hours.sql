-- squill:lint-ignore-file require-timeout-settings -- squill migrate sets lock_timeout per migration
-- A shop's postal address (a composite type) and its opening hours (a range of times of day,
-- one row per weekday).
CREATE TYPE postal_address AS (
    street      text,
    city        text,
    postal_code text,
    country     char(2)
);

ALTER TABLE shops ADD COLUMN address postal_address;

CREATE TABLE opening_hours (
    shop_id uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    minutes int4range NOT NULL,
    PRIMARY KEY (shop_id, weekday)
);
