-- name: InsertVectors :one
INSERT INTO vectors (
    x_vector, n_vector, a_vector, x_halfvec, n_halfvec, a_halfvec,
    x_sparsevec, n_sparsevec, a_sparsevec
) VALUES (
    @x_vector, @n_vector, @a_vector, @x_halfvec, @n_halfvec, @a_halfvec,
    @x_sparsevec, @n_sparsevec, @a_sparsevec
)
RETURNING id;

-- name: SelectVectors :one
SELECT * FROM vectors WHERE id = @id;
