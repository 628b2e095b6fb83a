-- Bulk insert through one binary COPY.
-- name: ImportUsers :copyfrom
INSERT INTO users (name, hair_color) VALUES (@name, sqlc.narg(hair_color));
