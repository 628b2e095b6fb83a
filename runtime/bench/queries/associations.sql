-- The posts of a set of users.
-- name: PostsByUsers :many
SELECT id, user_id, title, body FROM posts WHERE user_id = ANY(@user_ids);

-- The comments of a set of posts.
-- name: CommentsByPosts :many
SELECT id, post_id, text FROM comments WHERE post_id = ANY(@post_ids);
