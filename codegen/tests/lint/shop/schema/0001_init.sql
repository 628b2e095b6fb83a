CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    name text,
    legacy_flags int
);

-- The table is new in this file, so a plain index is fine.
CREATE INDEX users_email_idx ON users (email);
