//! The schema: the migrations folder (the same files `squill::migrate` applies), and applying
//! it to a scratch database with failures mapped back to `file:line:col`.

use std::path::Path;

use crate::diagnostic::{Diagnostic, SourceFile, token_span};
use crate::ir::MigrationFile;
use crate::live::describe_pg_error;
use crate::source::split::split_statements;

/// Reads `path`: a folder of versioned migrations, or a single `.sql` schema file (a dump).
pub fn load(path: &Path, display_root: &Path) -> Result<Vec<MigrationFile>, Diagnostic> {
    if path.is_file() {
        let sql = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", path.display())))?;
        let file = display_name(path, display_root);
        return Ok(vec![MigrationFile {
            version: 0,
            name: file.clone(),
            file,
            sql,
            down: None,
        }]);
    }
    if !path.is_dir() {
        return Err(Diagnostic::error(format!("schema folder {} does not exist", path.display()))
            .help("create it with your migrations (schema/0001_init.sql, ...), or set `schema` in squill.toml"));
    }
    let migrations = squill::migrate::load_dir(path)
        .map_err(|e| Diagnostic::error(format!("cannot read the migrations: {e}")))?;
    Ok(migrations
        .into_iter()
        .map(|m| MigrationFile {
            version: m.version,
            name: m.name.into_owned(),
            file: display_name(&path.join(&*m.file), display_root),
            sql: m.sql.into_owned(),
            down: m.down.map(|d| {
                (
                    display_name(&path.join(&*d.file), display_root),
                    d.sql.into_owned(),
                )
            }),
        })
        .collect())
}

/// Schema files applied in the given order (an sqlc configuration's `schema` list).
pub fn load_files(
    paths: &[std::path::PathBuf],
    display_root: &Path,
) -> Result<Vec<MigrationFile>, Diagnostic> {
    paths
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let sql = std::fs::read_to_string(path)
                .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", path.display())))?;
            let file = display_name(path, display_root);
            Ok(MigrationFile {
                version: i as u64 + 1,
                name: file.clone(),
                file,
                sql,
                down: None,
            })
        })
        .collect()
}

/// `path` relative to the project root when it is inside it, for messages and doc comments.
pub fn display_name(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Applies every migration in order; the first failure becomes a diagnostic in its file.
/// With `per_statement`, every file runs statement by statement as psql runs it (for schema
/// files that are not migrations, such as an sqlc project's): a statement PostgreSQL rejects
/// is left out and the rest still runs (the offline loader has warned about it).
pub fn apply(
    client: &mut postgres::Client,
    migrations: &[MigrationFile],
    per_statement: bool,
) -> Result<(), Diagnostic> {
    for migration in migrations {
        let file = SourceFile::new(migration.file.clone(), migration.sql.as_str());
        // As the runner runs it: `-- squill:no-transaction` files, and files with transaction
        // control of their own (other than one BEGIN ... COMMIT), statement by statement.
        let no_transaction =
            per_statement || !squill::migrate::runs_in_one_transaction(&migration.sql);
        if no_transaction {
            // CREATE INDEX CONCURRENTLY and friends refuse to run inside the implicit
            // transaction of a multi-statement batch.
            // Down sections and psql meta-commands are not for the server (blanked, so
            // offsets still point into the file).
            let runnable = crate::catalog::runnable_sql(&migration.sql);
            for range in split_statements(&runnable) {
                let result = client.batch_execute(&runnable[range.clone()]);
                if !per_statement {
                    result.map_err(|e| migration_error(&file, range.start, &e))?;
                }
            }
        } else {
            // Down parts (`-- squill:down`, goose/dbmate sections) never run forward; they are
            // blanked, so positions still point into the file.
            let runnable = crate::catalog::runnable_sql(&migration.sql);
            if let Err(e) = client.batch_execute(&runnable) {
                return Err(locate_failure(client, &file, &runnable)
                    .unwrap_or_else(|| migration_error(&file, 0, &e)));
            }
        }
    }
    Ok(())
}

/// Many errors ("relation already exists") carry no position. The failed batch rolled back,
/// so replay it statement by statement in a transaction to find the one that fails.
fn locate_failure(
    client: &mut postgres::Client,
    file: &SourceFile,
    runnable: &str,
) -> Option<Diagnostic> {
    client.batch_execute("BEGIN").ok()?;
    let mut failure = None;
    for range in split_statements(runnable) {
        if let Err(e) = client.batch_execute(&runnable[range.clone()]) {
            failure = Some(migration_error(file, range.start, &e));
            break;
        }
    }
    client.batch_execute("ROLLBACK").ok()?;
    failure
}

fn migration_error(file: &SourceFile, base: usize, e: &postgres::Error) -> Diagnostic {
    let position = e.as_db_error().and_then(|db| match db.position() {
        Some(postgres::error::ErrorPosition::Original(pos)) => Some(*pos as usize),
        _ => None,
    });
    let offset = match position {
        Some(chars) => {
            let text = &file.text[base..];
            base + text
                .char_indices()
                .nth(chars.saturating_sub(1))
                .map_or(text.len(), |(i, _)| i)
        }
        // Without a position, point at the statement (or the file's start).
        None => base,
    };
    let mut diagnostic = Diagnostic::error(format!("migration failed: {}", describe_pg_error(e)))
        .at(file, token_span(&file.text, offset))
        .label("PostgreSQL rejected this");
    if let Some(detail) = e.as_db_error().and_then(|db| db.detail()) {
        diagnostic = diagnostic.note(detail.to_string());
    }
    if let Some(hint) = e.as_db_error().and_then(|db| db.hint()) {
        diagnostic = diagnostic.help(hint.to_string());
    } else {
        diagnostic = diagnostic.help("fix the migration; squill applies every file in schema/ in version order to a scratch database");
    }
    diagnostic
}
