//! Finding and ordering migration and query files.

use std::fs;
use std::path::Path;

use crate::diagnostic::SourceFile;

/// The migrations in `path`, in the order they run. `path` is a directory of `.sql` files
/// (down migrations, `*.down.sql`, are skipped: they undo, they are not deployed forward) or a
/// single `.sql` file such as a schema dump.
pub(crate) fn read_migrations(path: &Path) -> Result<Vec<SourceFile>, String> {
    if path.is_file() {
        return Ok(vec![read(path)?]);
    }
    let mut files = read_sql_dir(path, "migrations")?;
    files.retain(|f| {
        !file_name(&f.name)
            .to_ascii_lowercase()
            .ends_with(".down.sql")
    });
    sort_migrations(&mut files);
    Ok(files)
}

/// The query files in `dir`, by name.
pub(crate) fn read_queries(dir: &Path) -> Result<Vec<SourceFile>, String> {
    read_sql_dir(dir, "queries")
}

/// Sorts by the numeric version prefix of the file name (`0002_x.sql` before `0010_y.sql`,
/// `20240101120000_z.sql`), then by name; files without a version come last.
pub(crate) fn sort_migrations(files: &mut [SourceFile]) {
    files.sort_by_cached_key(|f| {
        let name = file_name(&f.name).to_string();
        let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
        let version = digits.trim_start_matches('0').to_string();
        (digits.is_empty(), version.len(), version, name)
    });
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn read_sql_dir(dir: &Path, what: &str) -> Result<Vec<SourceFile>, String> {
    let entries = fs::read_dir(dir)
        .map_err(|e| format!("cannot read {what} directory {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot read {what} directory {}: {e}", dir.display()))?
            .path();
        if path.is_file()
            && path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
        {
            files.push(read(&path)?);
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

fn read(path: &Path) -> Result<SourceFile, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // A stray non-UTF-8 byte should not stop the lint; the replacement character shows it.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(SourceFile::new(path.display().to_string(), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_order() {
        let mut files: Vec<SourceFile> = [
            "schema/0010_b.sql",
            "schema/schema.sql",
            "schema/0002_a.sql",
            "schema/1_c.sql",
        ]
        .into_iter()
        .map(|n| SourceFile::new(n, ""))
        .collect();
        sort_migrations(&mut files);
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "schema/1_c.sql",
                "schema/0002_a.sql",
                "schema/0010_b.sql",
                "schema/schema.sql"
            ]
        );
    }
}
