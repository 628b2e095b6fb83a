-- name: GetUser :one
SELECT id, email, name FROM users WHERE id = @id;

-- name: ListOrders :many
SELECT id, total FROM orders WHERE user_id = @user_id;
