CREATE TABLE authors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    country text,
    -- NOT NULL here, but `Author(age?)` makes it an Option in the row type.
    age integer NOT NULL DEFAULT 0
);

CREATE TABLE books (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id bigint REFERENCES authors (id),
    title text NOT NULL
);
