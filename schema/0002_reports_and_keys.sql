CREATE TABLE reports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    shop_id      uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    title        text NOT NULL,
    period_start date NOT NULL,
    period_end   date NOT NULL,
    filters      jsonb NOT NULL DEFAULT '{}',
    generated_at timestamptz,
    CHECK (period_end >= period_start)
);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    shop_id      uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    scopes       text[] NOT NULL DEFAULT '{read}',
    last_used_at timestamptz,
    expires_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shop_id  uuid NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action   text NOT NULL,
    payload  jsonb NOT NULL DEFAULT '{}',
    at       timestamptz NOT NULL DEFAULT now()
);
-- squill:down
-- squill:lint-ignore-file ban-drop-table -- reverting: the tables this file created
DROP TABLE audit_events, api_keys, reports;
