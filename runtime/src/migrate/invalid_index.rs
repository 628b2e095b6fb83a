//! INVALID indexes: what an interrupted `CREATE INDEX CONCURRENTLY` leaves behind. PostgreSQL
//! keeps such an index (`pg_index.indisvalid = false`): it is maintained on every write and
//! never used, and `IF NOT EXISTS` would silently keep it. Found by the name and table the
//! migration's statement gives, so other sessions' indexes are not squill's business.

use tokio_postgres::Client;

use super::error::MigrateError;
use super::problem::Problem;
use super::source::Prepared;
use super::split;

/// A `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON [ONLY] table` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConcurrentIndex {
    /// The index name as PostgreSQL stores it (unquoted names folded to lower case).
    pub name: String,
    /// The table as written (quoting kept), for `to_regclass`.
    pub table: String,
    pub if_not_exists: bool,
    /// Byte offset of the statement in the runnable text.
    pub offset: usize,
}

/// Reads `sql` (one statement); `None` for anything else, or an index without a name (its
/// generated name cannot be known before it exists).
pub(crate) fn concurrent_index(sql: &str, offset: usize) -> Option<ConcurrentIndex> {
    let tokens = split::tokens(sql);
    let mut words = tokens.iter().copied().peekable();
    let mut keyword = |expected: &str| {
        words
            .next_if(|(t, word)| *word && t.eq_ignore_ascii_case(expected))
            .is_some()
    };
    if !keyword("CREATE") {
        return None;
    }
    keyword("UNIQUE");
    if !(keyword("INDEX") && keyword("CONCURRENTLY")) {
        return None;
    }
    let if_not_exists = keyword("IF") && keyword("NOT") && keyword("EXISTS");
    let (name, _) = words.next()?;
    if name.eq_ignore_ascii_case("ON") {
        return None;
    }
    let name = identifier(name)?;
    if !words
        .next()
        .is_some_and(|(t, word)| word && t.eq_ignore_ascii_case("ON"))
    {
        return None;
    }
    words.next_if(|(t, word)| *word && t.eq_ignore_ascii_case("ONLY"));
    let mut table = String::new();
    for (token, word) in words {
        if token == "(" || (word && token.eq_ignore_ascii_case("USING")) {
            break;
        }
        table.push_str(token);
    }
    (!table.is_empty()).then_some(ConcurrentIndex {
        name,
        table,
        if_not_exists,
        offset,
    })
}

/// An identifier as PostgreSQL stores it: `"A""b"` -> `A"b`, `Idx` -> `idx`.
fn identifier(token: &str) -> Option<String> {
    match token.strip_prefix('"') {
        Some(rest) => Some(rest.strip_suffix('"')?.replace("\"\"", "\"")),
        None => Some(token.to_ascii_lowercase()),
    }
}

/// Every named `CONCURRENTLY` index `prepared` creates.
pub(crate) fn created_by(prepared: &Prepared<'_>) -> Vec<ConcurrentIndex> {
    prepared
        .statements
        .iter()
        .filter(|s| Prepared::is_concurrently(s))
        .filter_map(|s| concurrent_index(&prepared.runnable[s.span.clone()], s.span.start))
        .collect()
}

/// `"schema"."name"` of the INVALID index `index` names, if there is one and no build of it is
/// in progress (a running `CREATE INDEX CONCURRENTLY` is INVALID until it finishes).
pub(crate) async fn find(
    client: &Client,
    index: &ConcurrentIndex,
) -> Result<Option<String>, MigrateError> {
    let row = client
        .query_opt(
            "SELECT format('%I.%I', n.nspname, c.relname)
             FROM pg_catalog.pg_index i
             JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT i.indisvalid AND c.relname = $1 AND i.indrelid = to_regclass($2)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_progress_create_index p
                               WHERE p.index_relid = c.oid)",
            &[&index.name, &index.table],
        )
        .await
        .map_err(|e| MigrateError::database("looking for INVALID indexes", e))?;
    Ok(row.map(|r| r.get(0)))
}

/// The INVALID indexes left by applied files' `CREATE INDEX CONCURRENTLY` statements.
pub(crate) async fn problems(
    client: &Client,
    applied: &[&Prepared<'_>],
) -> Result<Vec<Problem>, MigrateError> {
    let mut problems = Vec::new();
    for prepared in applied {
        for index in created_by(prepared) {
            if let Some(qualified) = find(client, &index).await? {
                let line = prepared.runnable[..index.offset].matches('\n').count() + 1;
                problems.push(Problem::InvalidIndex {
                    file: prepared.file().to_string(),
                    version: prepared.migration.version,
                    index: qualified,
                    line,
                });
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_concurrent_index_statements() {
        let read = |sql: &str| concurrent_index(sql, 0);
        assert_eq!(
            read(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS Idx ON ONLY public.t USING btree (a)"
            ),
            Some(ConcurrentIndex {
                name: "idx".into(),
                table: "public.t".into(),
                if_not_exists: true,
                offset: 0,
            })
        );
        let quoted = read("create index concurrently \"My\"\"Idx\" on \"T\" (a)").unwrap();
        assert_eq!(
            (quoted.name.as_str(), quoted.table.as_str()),
            ("My\"Idx", "\"T\"")
        );
        assert!(!quoted.if_not_exists);
        assert_eq!(read("CREATE INDEX CONCURRENTLY ON t (a)"), None);
        assert_eq!(read("CREATE INDEX idx ON t (a)"), None);
        assert_eq!(read("DROP INDEX CONCURRENTLY idx"), None);
    }
}
