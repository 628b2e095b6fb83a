-- squill:cross-tenant creates the tenant itself: there is no shop to scope by yet
-- Opens a shop and makes `owner_id` its owner, in one statement.
-- name: CreateShop :one
WITH shop AS (
    INSERT INTO shops (name, plan, currency, opened_on)
    VALUES (@name, @plan, @currency, sqlc.narg(opened_on))
    RETURNING id, name, plan, currency, created_at, opened_on
), owner AS (
    INSERT INTO shop_members (shop_id, user_id, role)
    SELECT shop.id, @owner_id, 'owner' FROM shop
)
SELECT id AS "id!", name AS "name!", plan AS "plan!", currency AS "currency!",
       created_at AS "created_at!", opened_on
FROM shop;

-- name: GetShop :opt
SELECT id, name, plan, currency, timezone, created_at, archived_at, opened_on
FROM shops
WHERE id = @shop_id;

-- squill:cross-tenant a user's shops: the user (not a shop) is the scope, through their memberships
-- Shops a user belongs to, with the user's role in each.
-- name: ListShopsForUser :many
SELECT s.id, s.name, s.plan, m.role, m.joined_at
FROM shop_members m
JOIN shops s ON s.id = m.shop_id
WHERE m.user_id = @user_id AND s.archived_at IS NULL
ORDER BY s.name;

-- name: ChangePlan :execrows
UPDATE shops SET plan = @plan WHERE id = @shop_id AND plan <> @plan;

-- name: ArchiveShop :exec
UPDATE shops SET archived_at = now() WHERE id = @shop_id AND archived_at IS NULL;

-- Deleting a shop cascades to everything it owns.
-- name: DeleteShop :execrows
DELETE FROM shops WHERE id = @shop_id;

-- name: SetShopAddress :execrows
UPDATE shops SET address = @address WHERE id = @shop_id;

-- name: GetShopAddress :one
SELECT address FROM shops WHERE id = @shop_id;

-- Opening hours as minutes since midnight, `[open, close)`.
-- name: SetOpeningHours :exec
INSERT INTO opening_hours (shop_id, weekday, minutes)
VALUES (@shop_id, @weekday, @minutes)
ON CONFLICT (shop_id, weekday) DO UPDATE SET minutes = excluded.minutes;

-- Weekdays on which the shop is open at the given minute of the day.
-- name: OpenWeekdaysAt :many
SELECT weekday, minutes FROM opening_hours
WHERE shop_id = @shop_id AND minutes @> @minute::int
ORDER BY weekday;
