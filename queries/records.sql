-- Records one day of one channel; replaying the same day overwrites it.
-- name: UpsertDailyRecord :exec
INSERT INTO daily_records (shop_id, day, source, orders, revenue_cents, refunds_cents, diagnostics)
VALUES (@shop_id, @day, @source, @orders, @revenue_cents, @refunds_cents, sqlc.narg(diagnostics))
ON CONFLICT (shop_id, day, source) DO UPDATE
SET orders = EXCLUDED.orders,
    revenue_cents = EXCLUDED.revenue_cents,
    refunds_cents = EXCLUDED.refunds_cents,
    diagnostics = EXCLUDED.diagnostics;

-- name: ListDailyRecords :many
SELECT day, source, orders, revenue_cents, refunds_cents, diagnostics
FROM daily_records
WHERE shop_id = @shop_id AND day BETWEEN @from_day AND @to_day
ORDER BY day, source;

-- Daily totals across channels; net is revenue minus refunds.
-- name: DailyTotals :many
SELECT day,
       sum(orders)::bigint AS "orders!",
       sum(revenue_cents)::bigint AS "revenue_cents!",
       sum(revenue_cents - refunds_cents)::bigint AS "net_cents!"
FROM daily_records
WHERE shop_id = @shop_id AND day BETWEEN @from_day AND @to_day
GROUP BY day
ORDER BY day;

-- Revenue for the period; NULL (None) when the shop has no records in it.
-- name: PeriodRevenue :one
SELECT sum(revenue_cents)::bigint AS revenue_cents, count(*) AS "days!"
FROM daily_records
WHERE shop_id = @shop_id AND day BETWEEN @from_day AND @to_day;

-- Best-selling products of the period, including products that sold nothing.
-- name: TopProducts :many
SELECT p.id, p.title,
       coalesce(sum(s.units), 0)::bigint AS "units!",
       coalesce(sum(s.revenue_cents), 0)::bigint AS "revenue_cents!"
FROM products p
LEFT JOIN product_daily_sales s
       ON s.product_id = p.id AND s.shop_id = p.shop_id AND s.day BETWEEN @from_day AND @to_day
WHERE p.shop_id = @shop_id
GROUP BY p.id, p.title
ORDER BY 4 DESC, p.title
LIMIT @max_rows;

-- name: RecordProductSales :exec
INSERT INTO product_daily_sales (shop_id, product_id, day, units, revenue_cents)
VALUES (@shop_id, @product_id, @day, @units, @revenue_cents)
ON CONFLICT (product_id, day) DO UPDATE
SET units = EXCLUDED.units, revenue_cents = EXCLUDED.revenue_cents
WHERE product_daily_sales.shop_id = EXCLUDED.shop_id;

-- Records with a diagnostic flag set in their JSONB payload.
-- name: FlaggedRecords :many
SELECT day, source, diagnostics->>'flag' AS flag
FROM daily_records
WHERE shop_id = @shop_id AND diagnostics ? 'flag'
ORDER BY day;

-- name: DeleteRecordsBefore :execrows
DELETE FROM daily_records WHERE shop_id = @shop_id AND day < @before;

-- Bulk import of daily records through one binary COPY.
-- name: ImportDailyRecords :copyfrom
INSERT INTO daily_records (shop_id, day, source, orders, revenue_cents, refunds_cents)
VALUES ($1, $2, $3, $4, $5, $6);
