-- name: InsertDomains :one
INSERT INTO domains (x_posint, n_posint, a_posint, x_pair, n_pair, a_pair, x_nest, n_nest, a_nest)
VALUES (@x_posint, @n_posint, @a_posint, @x_pair, @n_pair, @a_pair, @x_nest, @n_nest, @a_nest)
RETURNING id;

-- name: SelectDomains :one
SELECT * FROM domains WHERE id = @id;
