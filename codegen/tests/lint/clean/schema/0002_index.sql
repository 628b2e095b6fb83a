-- squill:no-transaction
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS shops_name_lower_idx ON shops (lower(name));
