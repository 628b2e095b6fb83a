-- squill:idempotent
-- A shop to click around in: `squill seed` runs this once on a development database (and
-- again when it changes, as it is written to be run twice: fixed ids, ON CONFLICT DO NOTHING).
INSERT INTO users (id, email, display_name)
VALUES ('00000000-0000-0000-0000-000000000001', 'owner@demo.test', 'Demo Owner')
ON CONFLICT DO NOTHING;

INSERT INTO shops (id, name, plan, currency)
VALUES ('00000000-0000-0000-0000-0000000000a1', 'Demo Shop', 'growth', 'EUR')
ON CONFLICT DO NOTHING;

INSERT INTO shop_members (shop_id, user_id, role)
VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', 'owner')
ON CONFLICT DO NOTHING;

INSERT INTO shop_settings (shop_id)
VALUES ('00000000-0000-0000-0000-0000000000a1')
ON CONFLICT DO NOTHING;
