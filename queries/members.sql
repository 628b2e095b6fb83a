-- name: AddMember :exec
INSERT INTO shop_members (shop_id, user_id, role, invited_by)
VALUES (@shop_id, @user_id, @role, sqlc.narg(invited_by))
ON CONFLICT (shop_id, user_id) DO UPDATE SET role = EXCLUDED.role;

-- Members with who invited them; the inviter may be gone (LEFT JOIN).
-- name: ListMembers :many
SELECT u.id AS user_id, u.email, u.display_name, m.role,
       inviter.email AS invited_by_email, m.joined_at
FROM shop_members m
JOIN users u ON u.id = m.user_id
LEFT JOIN users inviter ON inviter.id = m.invited_by
WHERE m.shop_id = @shop_id
ORDER BY m.joined_at, u.email;

-- name: MemberRole :opt
SELECT role FROM shop_members WHERE shop_id = @shop_id AND user_id = @user_id;

-- name: CountMembersByRole :many
SELECT role, count(*) AS "members!"
FROM shop_members
WHERE shop_id = @shop_id
GROUP BY role
ORDER BY role;

-- name: RemoveMember :execrows
DELETE FROM shop_members WHERE shop_id = @shop_id AND user_id = @user_id;

-- Roles of several members at once (each must exist), pipelined.
-- name: MemberRoles :batchone
SELECT role FROM shop_members WHERE shop_id = @shop_id AND user_id = @user_id;

-- Members with their whole user row, as one nested struct (sqlc.embed).
-- name: MembersWithUsers :many
SELECT sqlc.embed(u), m.role, m.joined_at
FROM shop_members m
JOIN users u ON u.id = m.user_id
WHERE m.shop_id = @shop_id
ORDER BY u.email;

-- Members among a list of users (sqlc.slice: sent as `= ANY($2)`, one array parameter).
-- name: MembersAmong :many
SELECT user_id, role
FROM shop_members
WHERE shop_id = @shop_id AND user_id IN (sqlc.slice(user_ids))
ORDER BY user_id;
