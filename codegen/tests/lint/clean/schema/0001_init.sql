CREATE TABLE shops (id uuid PRIMARY KEY, name text NOT NULL);
CREATE INDEX shops_name_idx ON shops (name);
