-- squill:no-transaction
CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);
DROP INDEX CONCURRENTLY IF EXISTS users_name_idx;
