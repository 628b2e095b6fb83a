//! The migrations folder: file names, and reading every migration in it.

use std::collections::BTreeMap;
use std::path::Path;

use super::Migration;
use super::error::MigrateError;
use super::problem::Problem;

/// `0001_init.sql` -> `(1, "init")`; `20240101120000_add_orders.sql` ->
/// `(20240101120000, "add_orders")`; golang-migrate's `0001_init.up.sql` -> `(1, "init")`.
///
/// `None` for anything else: no leading digits, no `_` after them, an empty name, not `.sql`,
/// a `.down.sql` file, or a version beyond `i64::MAX` (versions are stored as `bigint`).
pub fn parse_file_name(file: &str) -> Option<(u64, &str)> {
    let stem = file.strip_suffix(".sql")?;
    if stem.ends_with(".down") {
        return None;
    }
    let stem = stem.strip_suffix(".up").unwrap_or(stem);
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    let (version, rest) = stem.split_at(digits);
    let name = rest.strip_prefix('_')?;
    if name.is_empty() {
        return None;
    }
    let version: u64 = version.parse().ok()?;
    (version <= i64::MAX as u64).then_some((version, name))
}

/// `0001_init.down.sql` -> `(1, "init")`: a down file's version (golang-migrate's
/// `0001_init.down.sql` next to `0001_init.up.sql` too).
pub fn parse_down_file_name(file: &str) -> Option<(u64, &str)> {
    let stem = file.strip_suffix(".down.sql")?;
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    let (version, rest) = stem.split_at(digits);
    let name = rest.strip_prefix('_').filter(|n| !n.is_empty())?;
    let version: u64 = version.parse().ok()?;
    (version <= i64::MAX as u64).then_some((version, name))
}

/// Reads every migration in `dir`, sorted by version.
///
/// Only `*.sql` files directly in `dir` count; hidden files are skipped. A `*.down.sql` file is
/// the down part of the migration with its version (as golang-migrate pairs them, whatever the
/// name). A misnamed `.sql` file, two files with one version, a down file without its
/// migration, or a migration with both a down file and a `-- squill:down` section is an error
/// ([`MigrateError::Problems`], listing all of them), not something silently ignored.
pub fn load_dir(dir: &Path) -> Result<Vec<Migration>, MigrateError> {
    let io_error = |source| MigrateError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let is_file = entry.file_type().map_err(io_error)?.is_file()
            || entry.path().metadata().is_ok_and(|m| m.is_file());
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_file && name.ends_with(".sql") && !name.starts_with('.') {
            names.push(name);
        }
    }
    names.sort();

    let mut problems = Vec::new();
    let mut by_version: BTreeMap<u64, Vec<Migration>> = BTreeMap::new();
    let mut downs: BTreeMap<u64, Vec<(String, String)>> = BTreeMap::new();
    for file in names {
        if file.ends_with(".down.sql") {
            let Some((version, _)) = parse_down_file_name(&file) else {
                problems.push(Problem::Misnamed { file });
                continue;
            };
            let sql = read(&dir.join(&file))?;
            downs.entry(version).or_default().push((file, sql));
            continue;
        }
        let Some((version, name)) = parse_file_name(&file) else {
            problems.push(Problem::Misnamed { file });
            continue;
        };
        let sql = read(&dir.join(&file))?;
        let migration = Migration::new(version, name.to_string(), file.clone(), sql);
        by_version.entry(version).or_default().push(migration);
    }
    for (version, mut files) in downs {
        let has_up = by_version.contains_key(&version);
        let up = by_version.get_mut(&version).filter(|ups| ups.len() == 1);
        match (up, files.len()) {
            (Some(ups), 1) => {
                let (file, sql) = files.remove(0);
                let migration = ups.remove(0).with_down(file, sql);
                let text = super::source::normalize(&migration.sql);
                if super::sections::down_marker(&text).is_some() {
                    let down = migration.down.as_ref().map_or("", |d| &*d.file);
                    problems.push(super::source::two_down_parts(&migration, &text, down));
                }
                ups.push(migration);
            }
            // Two ups with this version are reported below.
            (None, _) if has_up => {}
            (None, _) => problems.extend(
                files
                    .into_iter()
                    .map(|(file, _)| Problem::OrphanDown { file, version }),
            ),
            (Some(_), _) => problems.push(Problem::DuplicateVersion {
                version,
                files: files.into_iter().map(|(file, _)| file).collect(),
            }),
        }
    }
    let mut migrations = Vec::new();
    for (version, mut files) in by_version {
        if files.len() > 1 {
            problems.push(Problem::DuplicateVersion {
                version,
                files: files.iter().map(|m| m.file.to_string()).collect(),
            });
        } else {
            migrations.append(&mut files);
        }
    }
    if problems.is_empty() {
        Ok(migrations)
    } else {
        Err(MigrateError::Problems(problems))
    }
}

fn read(path: &Path) -> Result<String, MigrateError> {
    std::fs::read_to_string(path).map_err(|source| MigrateError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(parse_file_name("0001_init.sql"), Some((1, "init")));
        assert_eq!(
            parse_file_name("20240101120000_add_orders.sql"),
            Some((20240101120000, "add_orders"))
        );
        assert_eq!(parse_file_name("1_init.up.sql"), Some((1, "init")));
        assert_eq!(parse_file_name("0002_a_b.c.sql"), Some((2, "a_b.c")));
        for bad in [
            "init.sql",
            "0001init.sql",
            "0001_.sql",
            "_init.sql",
            "0001_init.txt",
            "0001_init.down.sql",
            "V1__init.sql",
            "99999999999999999999_big.sql",
            "9223372036854775808_big.sql",
            "",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
        }
        assert_eq!(
            parse_down_file_name("0001_init.down.sql"),
            Some((1, "init"))
        );
        assert_eq!(parse_down_file_name("0001_init.sql"), None);
        assert_eq!(parse_down_file_name("0001_.down.sql"), None);
    }
}
