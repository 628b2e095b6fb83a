-- name: CreateProduct :one
INSERT INTO products (shop_id, sku, title, price_cents, tags, weight_kg)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: ListProducts :many
SELECT id, sku, title, price_cents, tags, weight_kg
FROM products
WHERE shop_id = @shop_id
ORDER BY sku;

-- Products carrying any of the given tags.
-- name: ProductsWithTags :many
SELECT id, sku, tags
FROM products
WHERE shop_id = @shop_id AND tags && @tags::text[]
ORDER BY sku;

-- name: GetProductsByIds :many
SELECT id, sku, title FROM products WHERE shop_id = @shop_id AND id = ANY(@ids::uuid[]) ORDER BY sku;

-- name: RepriceProduct :execrows
UPDATE products SET price_cents = @price_cents WHERE shop_id = @shop_id AND sku = @sku;

-- Products whose SKU matches each pattern, pipelined.
-- name: ProductsBySkuPatterns :batchmany
SELECT id, sku FROM products WHERE shop_id = @shop_id AND sku LIKE @pattern ORDER BY sku;
