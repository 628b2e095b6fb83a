-- name: InsertDomains :one
INSERT INTO domains (x_posint, n_posint, a_posint, x_pair, n_pair, a_pair)
VALUES (@x_posint, @n_posint, @a_posint, @x_pair, @n_pair, @a_pair)
RETURNING id;

-- name: SelectDomains :one
SELECT * FROM domains WHERE id = @id;
