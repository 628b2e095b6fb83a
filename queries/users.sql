-- Creates a user account.
-- name: CreateUser :one
INSERT INTO users (email, display_name)
VALUES (@email, sqlc.narg(display_name))
RETURNING id, email, display_name, created_at;

-- Returns the user, or None.
-- name: GetUserByEmail :opt
SELECT id, email, display_name, created_at FROM users WHERE email = $1;

-- name: RenameUser :execrows
UPDATE users SET display_name = sqlc.narg(display_name) WHERE id = sqlc.arg(id);

-- name: DeleteUser :exec
DELETE FROM users WHERE id = $1;
