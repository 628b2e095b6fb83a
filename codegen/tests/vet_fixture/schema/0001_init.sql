CREATE TABLE shops (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE currencies (code text PRIMARY KEY, shop_id bigint);
-- No index on the tenant column.
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    shop_id bigint NOT NULL REFERENCES shops (id),
    status text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE TABLE customers (
    id bigint PRIMARY KEY,
    shop_id bigint NOT NULL REFERENCES shops (id),
    email varchar(200) NOT NULL
);
CREATE INDEX customers_shop_email ON customers (shop_id, email);
CREATE TABLE events (kind text NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);
