SET lock_timeout = '5s';

CREATE TABLE orders (
    id bigint PRIMARY KEY,
    user_id bigint NOT NULL,
    total bigint NOT NULL
);
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);

CREATE INDEX users_name_idx ON users (name);

ALTER TABLE users
    ADD COLUMN shop_id bigint NOT NULL,
    ADD COLUMN note text;
