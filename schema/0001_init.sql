-- Multi-tenant shop analytics: tenants are shops; every shop-owned row carries shop_id.

CREATE TYPE shop_plan AS ENUM ('free', 'growth', 'enterprise');
CREATE TYPE member_role AS ENUM ('owner', 'admin', 'analyst');
CREATE TYPE record_source AS ENUM ('pos', 'online', 'import');

CREATE TABLE users (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email        text NOT NULL UNIQUE,
    display_name text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE shops (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    plan        shop_plan NOT NULL DEFAULT 'free',
    currency    char(3) NOT NULL DEFAULT 'EUR',
    timezone    text NOT NULL DEFAULT 'UTC',
    created_at  timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz
);

CREATE TABLE shop_members (
    shop_id    uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       member_role NOT NULL DEFAULT 'analyst',
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    joined_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, user_id)
);

CREATE TABLE shop_settings (
    shop_id            uuid PRIMARY KEY REFERENCES shops (id) ON DELETE CASCADE,
    week_starts_on     smallint NOT NULL DEFAULT 1 CHECK (week_starts_on BETWEEN 0 AND 6),
    revenue_goal_cents bigint,
    preferences        jsonb NOT NULL DEFAULT '{}',
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    shop_id     uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    sku         text NOT NULL,
    title       text NOT NULL,
    price_cents bigint NOT NULL CHECK (price_cents >= 0),
    tags        text[] NOT NULL DEFAULT '{}',
    UNIQUE (shop_id, sku)
);

-- One row per shop, day and sales channel. Money is BIGINT cents.
CREATE TABLE daily_records (
    shop_id       uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    day           date NOT NULL,
    source        record_source NOT NULL,
    orders        integer NOT NULL DEFAULT 0 CHECK (orders >= 0),
    revenue_cents bigint NOT NULL DEFAULT 0,
    refunds_cents bigint NOT NULL DEFAULT 0,
    diagnostics   jsonb,
    PRIMARY KEY (shop_id, day, source)
);

CREATE TABLE product_daily_sales (
    shop_id       uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    product_id    uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    day           date NOT NULL,
    units         integer NOT NULL,
    revenue_cents bigint NOT NULL,
    PRIMARY KEY (product_id, day)
);
-- squill:down
-- Reverting the first migration empties the database: development only.
-- squill:lint-ignore-file ban-drop-table -- reverting the schema's first file
DROP TABLE product_daily_sales, daily_records, products, shop_settings, shop_members, shops, users;
DROP TYPE record_source, member_role, shop_plan;
