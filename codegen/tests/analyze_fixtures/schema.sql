-- Fixture schema for the offline analyzer's rule tests (tests/analyze_rules.rs, and checked
-- against PostgreSQL by tests/analyze.rs).
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN email AS text NOT NULL;

CREATE TABLE people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    nick varchar(20),
    email email,
    age integer,
    score numeric(10, 2),
    mood mood NOT NULL DEFAULT 'ok',
    tags text[] NOT NULL DEFAULT '{}',
    meta jsonb,
    born date,
    seen_at timestamptz
);

CREATE TABLE pets (
    id serial PRIMARY KEY,
    owner_id bigint REFERENCES people (id),
    name text NOT NULL,
    weight real
);

CREATE TABLE toys (
    id serial PRIMARY KEY,
    pet_id integer NOT NULL REFERENCES pets (id),
    label text NOT NULL
);

CREATE VIEW pet_owners AS
SELECT p.id AS pet_id, p.name AS pet, o.name AS owner
FROM pets p JOIN people o ON o.id = p.owner_id;
