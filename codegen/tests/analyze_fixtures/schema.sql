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

-- Views bind the relations they name when they are created (PostgreSQL keeps their OIDs): the
-- table is then moved to another schema and renamed, one of its columns renamed, a column
-- added (not part of the view's `*`, expanded at creation), the schema renamed, and a view
-- created under a search path no later session has still reads the same table. A view over a
-- view keeps the name it knew a column of the inner view by.
CREATE TABLE shelf_items (
    id serial PRIMARY KEY,
    label text NOT NULL,
    note text
);
CREATE VIEW shelf_all AS SELECT * FROM shelf_items WHERE id > 0;
CREATE VIEW shelf_labels AS
SELECT i.id, i.label, upper(i.note) AS shout FROM public.shelf_items i;
CREATE VIEW shelf_shouts AS SELECT id, shout FROM shelf_labels;
CREATE SCHEMA storeroom;
ALTER TABLE shelf_items SET SCHEMA storeroom;
ALTER TABLE storeroom.shelf_items RENAME TO crates;
ALTER TABLE storeroom.crates RENAME COLUMN label TO title;
ALTER TABLE storeroom.crates ADD COLUMN weight numeric;
ALTER VIEW shelf_labels RENAME COLUMN shout TO loud;
SET search_path TO storeroom, public;
CREATE TABLE bins (id int PRIMARY KEY, crate_id int REFERENCES crates (id));
CREATE VIEW public.bin_crates AS
SELECT b.id, c.title, c.note FROM bins b LEFT JOIN crates c ON c.id = b.crate_id;
RESET search_path;
ALTER SCHEMA storeroom RENAME TO depot;

-- A domain over an array type, for ARRAY[] typed by a cast.
CREATE DOMAIN tag_list AS text[];

-- Contrib extensions: what each creates is known offline once the schema installs it, in the
-- schema it went to. Most go to public; earthdistance brings cube (CASCADE), whose type its
-- domain `earth` is over; intarray goes to a schema off the search path (qualified calls only).
CREATE EXTENSION pgcrypto;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION citext;
CREATE EXTENSION hstore;
CREATE EXTENSION ltree;
CREATE EXTENSION fuzzystrmatch;
CREATE EXTENSION "uuid-ossp";
CREATE EXTENSION earthdistance CASCADE;
CREATE EXTENSION tablefunc;
CREATE SCHEMA extras;
CREATE EXTENSION intarray SCHEMA extras;
CREATE TABLE accounts (
    id serial PRIMARY KEY,
    login citext NOT NULL UNIQUE,
    attrs hstore NOT NULL DEFAULT '',
    path ltree NOT NULL,
    key_hash bytea
);

-- Exclusion constraints: `ON CONFLICT ON CONSTRAINT` arbiters for DO NOTHING only.
CREATE TABLE bookings (
    id int PRIMARY KEY,
    during tsrange NOT NULL,
    CONSTRAINT bookings_overlap EXCLUDE USING gist (during WITH &&)
);
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap_id EXCLUDE USING gist (during WITH &&);
ALTER TABLE bookings RENAME CONSTRAINT bookings_overlap TO bookings_no_overlap;

-- A composite type, a column of it, and a function returning it: field selection and `.*`.
CREATE TYPE dims AS (w real, h real, unit text);
CREATE TABLE boxes (
    id serial PRIMARY KEY,
    shape dims,
    owner_id bigint REFERENCES people (id)
);
CREATE FUNCTION box_shape(box integer) RETURNS dims LANGUAGE sql STABLE
AS $$ SELECT shape FROM boxes WHERE id = box $$;

-- A function returning `record` without OUT parameters: FROM needs a column definition list.
CREATE FUNCTION loose_rows() RETURNS SETOF record LANGUAGE sql
AS $$ SELECT 1, 'a'::text $$;

-- An operator of the schema's own (the analyzer refuses what it may resolve to).
CREATE FUNCTION text_before(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE
AS $$ SELECT $1 < $2 $$;
CREATE OPERATOR ~>> (LEFTARG = text, RIGHTARG = text, FUNCTION = text_before);

-- A partial unique index over an expression, for ON CONFLICT inference with a predicate.
CREATE UNIQUE INDEX toys_label_per_pet ON toys (pet_id, lower(label)) WHERE label <> '';

-- Procedures (CALL): one with a default, one with an INOUT parameter (a row: refused).
CREATE PROCEDURE rename_pet(pet integer, new_name text DEFAULT 'rex') LANGUAGE sql
AS $$ UPDATE pets SET name = new_name WHERE id = pet $$;
CREATE PROCEDURE count_pets(INOUT n bigint) LANGUAGE sql
AS $$ SELECT count(*) FROM pets $$;

-- A sequence, read as a relation.
CREATE SEQUENCE ticket_seq;

-- Views that read each other (CREATE OR REPLACE closes the loop): PostgreSQL creates them, and
-- a query that reads one fails in the rewriter.
CREATE VIEW loop_a AS SELECT 1 AS x;
CREATE VIEW loop_b AS SELECT x FROM loop_a;
CREATE OR REPLACE VIEW loop_a AS SELECT x FROM loop_b;
