-- name: CreateReport :one
INSERT INTO reports (shop_id, created_by, title, period_start, period_end, filters)
VALUES (@shop_id, sqlc.narg(created_by), @title, @period_start, @period_end, @filters)
RETURNING id, generated_at;

-- Reports with their author; authors who left the platform show as None.
-- name: ListReports :many
SELECT r.id, r.title, r.period_start, r.period_end, r.generated_at, u.email AS author_email
FROM reports r
LEFT JOIN users u ON u.id = r.created_by
WHERE r.shop_id = @shop_id
ORDER BY r.period_start DESC, r.title;

-- name: MarkReportGenerated :execrows
UPDATE reports SET generated_at = now()
WHERE shop_id = @shop_id AND id = @report_id AND generated_at IS NULL;

-- Reports still not generated a grace period after their period ended, and by how much.
-- name: ListOverdueReports :many
SELECT id, title, now() - (period_end + @grace::interval) AS overdue_by
FROM reports
WHERE shop_id = @shop_id AND generated_at IS NULL AND period_end + @grace::interval < now()
ORDER BY period_end;
