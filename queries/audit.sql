-- name: RecordAuditEvent :one
INSERT INTO audit_events (shop_id, actor_id, action, payload)
VALUES (@shop_id, sqlc.narg(actor_id), @action, @payload)
RETURNING id, at;

-- The newest events first, with the actor's email while the actor still exists.
-- name: RecentAuditEvents :many
SELECT e.id, e.action, e.payload, e.at, a.email AS actor_email
FROM audit_events e
LEFT JOIN users a ON a.id = e.actor_id
WHERE e.shop_id = @shop_id
ORDER BY e.id DESC
LIMIT @max_events;

-- name: CountAuditEvents :one
SELECT count(*) AS "events!" FROM audit_events WHERE shop_id = @shop_id;
