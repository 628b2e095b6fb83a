-- name: OrdersOfShop :many
SELECT id, status FROM orders WHERE shop_id = @shop_id AND status = @status AND created_at >= @since;

-- name: CustomerByEmail :opt
SELECT id FROM customers WHERE shop_id = @shop_id AND email = @email;

-- name: CustomerAnyShop :many
SELECT id FROM customers WHERE email = @email;

-- name: OrdersWithShop :many
SELECT o.id, s.name FROM shops s JOIN orders o ON o.shop_id = s.id WHERE s.name = @name;

-- name: CloseOrder :execrows
UPDATE orders SET status = 'closed' WHERE id = @id;

-- name: PurgeOrders :execrows
DELETE FROM orders WHERE status = @status;

-- name: RecentEvents :many
SELECT kind FROM events WHERE kind = @kind AND at >= @since;

-- name: Currency :one
SELECT code FROM currencies WHERE shop_id = @shop_id;

-- name: AllNotes :many
SELECT id, body FROM notes WHERE body LIKE @pattern;
