//! Names shared by the benchmarks (criterion group and function ids) and the report.

/// Scenario ids (criterion group names) in report order, with their labels.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("select_users_1", "select users, 1 row"),
    ("select_users_100", "select users, 100 rows"),
    ("select_users_10000", "select users, 10 000 rows"),
    ("get_user_by_id", "get one user by id (`:one`)"),
    ("join_5000", "users LEFT JOIN posts, 5 000 rows"),
    ("insert_1", "insert 1 row (VALUES)"),
    ("insert_10", "insert 10 rows (VALUES)"),
    ("insert_100", "insert 100 rows (VALUES)"),
    ("insert_unnest_100", "insert 100 rows (`unnest` arrays)"),
    ("associations", "associations 100 × 10 × 10"),
    (
        "bulk_insert_10000",
        "bulk insert 10 000 (VALUES ×100, 1 tx)",
    ),
    (
        "bulk_insert_100000",
        "bulk insert 100 000 (VALUES ×100, 1 tx)",
    ),
    (
        "bulk_copy_10000",
        "bulk insert 10 000 (binary COPY; squill `:copyfrom`)",
    ),
    (
        "bulk_copy_100000",
        "bulk insert 100 000 (binary COPY; squill `:copyfrom`)",
    ),
];

/// Whether an implementation is async (compared with tokio-postgres) or blocking (compared
/// with postgres).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Async,
    Sync,
}

/// Implementation ids (criterion function ids) in report order, with labels and flavour.
pub const IMPLS: &[(&str, &str, Flavour)] = &[
    ("tokio_postgres", "tokio-postgres (floor)", Flavour::Async),
    ("squill_async", "squill async", Flavour::Async),
    ("sqlx", "sqlx 0.8", Flavour::Async),
    ("postgres", "postgres (floor)", Flavour::Sync),
    ("squill_sync", "squill sync", Flavour::Sync),
    ("diesel", "diesel 2", Flavour::Sync),
];

/// The floor of a flavour.
pub fn floor(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Async => "tokio_postgres",
        Flavour::Sync => "postgres",
    }
}
