-- name: CreateApiKey :one
INSERT INTO api_keys (shop_id, name, token_hash, scopes, expires_at)
VALUES (@shop_id, @name, @token_hash, @scopes, sqlc.narg(expires_at))
RETURNING id, created_at;

-- squill:cross-tenant authentication: the token finds its shop, there is no shop yet to scope by
-- Looks a key up by the hash of its token; expired keys are not found.
-- name: FindApiKey :opt
SELECT id, shop_id, name, scopes, expires_at
FROM api_keys
WHERE token_hash = @token_hash AND (expires_at IS NULL OR expires_at > now());

-- name: TouchApiKey :exec
UPDATE api_keys SET last_used_at = now() WHERE id = @id AND shop_id = @shop_id;

-- name: ListApiKeys :many
SELECT id, name, scopes, last_used_at, expires_at, created_at
FROM api_keys
WHERE shop_id = @shop_id
ORDER BY created_at, name;

-- Marks many keys as used, pipelined in one round trip.
-- name: TouchApiKeys :batchexec
UPDATE api_keys SET last_used_at = now() WHERE id = @id AND shop_id = @shop_id;
