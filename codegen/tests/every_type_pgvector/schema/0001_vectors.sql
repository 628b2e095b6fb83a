-- pgvector's types (issue 11), apart from the every-type fixture because the extension is not
-- part of PostgreSQL's contrib: the round trip skips them, saying so, where it is not installed.
CREATE EXTENSION vector;

CREATE TABLE vectors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    x_vector vector(3) NOT NULL,
    n_vector vector,
    a_vector vector[],
    x_halfvec halfvec(3) NOT NULL,
    n_halfvec halfvec,
    a_halfvec halfvec[],
    x_sparsevec sparsevec(3) NOT NULL,
    n_sparsevec sparsevec,
    a_sparsevec sparsevec[]
);
