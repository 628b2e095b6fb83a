-- squill:idempotent
-- A week of sales for the demo shop.
INSERT INTO daily_records (shop_id, day, source, orders, revenue_cents)
SELECT '00000000-0000-0000-0000-0000000000a1', d::date, 'online', 10 + n, (10 + n) * 2500
FROM generate_series(date '2026-01-01', date '2026-01-07', interval '1 day')
     WITH ORDINALITY AS s (d, n)
ON CONFLICT DO NOTHING;
