-- name: InsertDomains :one
INSERT INTO domains (x_posint, n_posint)
VALUES (@x_posint, @n_posint)
RETURNING id;

-- name: SelectDomains :one
SELECT * FROM domains WHERE id = @id;
