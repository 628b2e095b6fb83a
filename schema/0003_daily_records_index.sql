-- squill:no-transaction
-- Built concurrently so that migrating a live shop database never blocks writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS daily_records_shop_day_idx
    ON daily_records (shop_id, day DESC);
-- squill:down
-- squill:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS daily_records_shop_day_idx;
