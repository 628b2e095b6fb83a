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

-- A view whose outer join makes one column nullable: reading the view keeps the nullability
-- its query has.
CREATE VIEW pet_toys AS
SELECT p.id AS pet_id, p.name AS pet, t.label AS toy, count(*) OVER () AS total
FROM pets p LEFT JOIN toys t ON t.pet_id = p.id;

-- Functions with argument defaults (`DEFAULT expr` and `= expr`), called positionally, with
-- named and mixed notation; two overloads a one-argument call cannot tell apart.
CREATE FUNCTION greet(name text, punct text DEFAULT '!', shout boolean = false)
RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN shout THEN upper(name) ELSE name END || punct $$;
CREATE FUNCTION pick(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a $$;
CREATE FUNCTION pick(a integer, b integer DEFAULT 0) RETURNS text LANGUAGE sql
AS $$ SELECT (a + b)::text $$;

-- A function returning a table's row type (expanded to the table's columns in FROM).
CREATE FUNCTION pets_of(owner bigint) RETURNS SETOF pets LANGUAGE sql STABLE
AS $$ SELECT * FROM pets WHERE owner_id = owner $$;

-- A range type over a builtin type (and its multirange), for polymorphic operators.
CREATE TYPE weightrange AS RANGE (SUBTYPE = float8);
CREATE TABLE slots (
    id serial PRIMARY KEY,
    span weightrange NOT NULL
);

CREATE MATERIALIZED VIEW pet_counts AS
SELECT owner_id, count(*) AS n FROM pets GROUP BY owner_id;
