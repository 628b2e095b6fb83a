-- name: CreateUser :one
INSERT INTO users (email, display_name) VALUES (@email, @display_name) RETURNING id;

-- Returns the user, or None.
-- name: GetUserByEmail :opt
SELECT id, email, display_name FROM users WHERE email = @email;
