-- Creates or replaces the shop's settings.
-- name: UpsertSettings :one
INSERT INTO shop_settings (shop_id, week_starts_on, revenue_goal_cents, preferences)
VALUES (@shop_id, @week_starts_on, sqlc.narg(revenue_goal_cents), @preferences)
ON CONFLICT (shop_id) DO UPDATE
SET week_starts_on = EXCLUDED.week_starts_on,
    revenue_goal_cents = EXCLUDED.revenue_goal_cents,
    preferences = EXCLUDED.preferences,
    updated_at = now()
RETURNING shop_id, week_starts_on, revenue_goal_cents, preferences, updated_at;

-- Settings with defaults for shops that never saved any (RIGHT side may be missing).
-- name: GetSettings :one
SELECT s.id AS shop_id,
       coalesce(st.week_starts_on, 1::smallint) AS "week_starts_on!",
       st.revenue_goal_cents,
       coalesce(st.preferences, '{}'::jsonb) AS "preferences!"
FROM shops s
LEFT JOIN shop_settings st ON st.shop_id = s.id
WHERE s.id = @shop_id;

-- name: SetPreference :execrows
UPDATE shop_settings
SET preferences = jsonb_set(preferences, ARRAY[@key::text], @value::jsonb), updated_at = now()
WHERE shop_id = @shop_id;

-- name: SetReportSchedule :execrows
UPDATE shop_settings
SET report_every = @report_every, report_email = @report_email, updated_at = now()
WHERE shop_id = @shop_id;

-- When the next report is due: the last change plus the interval.
-- name: GetReportSchedule :opt
SELECT report_every, report_email, updated_at, updated_at + report_every AS next_report_at
FROM shop_settings
WHERE shop_id = @shop_id;
