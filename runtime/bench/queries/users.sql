-- Every user (the "trivial query" of diesel's benchmarks).
-- name: AllUsers :many
SELECT id, name, hair_color FROM users;

-- One user by primary key.
-- name: GetUser :one
SELECT id, name, hair_color FROM users WHERE id = @id;

-- One user by name (a borrowed `&str` parameter).
-- name: GetUserByName :one
SELECT id, name, hair_color FROM users WHERE name = @name;

-- Users of one hair colour with their posts, if any (the "medium complex query").
-- name: UsersWithPosts :many
SELECT u.id, u.name, u.hair_color, p.id AS post_id, p.user_id, p.title, p.body
FROM users AS u
LEFT JOIN posts AS p ON u.id = p.user_id
WHERE u.hair_color = @hair_color;

-- Inserts any number of users in one statement: what a squill user writes for a
-- variable-size insert (one query, two array parameters, zipped by two unnest calls).
-- name: InsertUsersUnnest :execrows
INSERT INTO users (name, hair_color)
SELECT unnest(@names::text[]), unnest(@hair_colors::text[]);
