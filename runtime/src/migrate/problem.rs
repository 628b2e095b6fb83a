//! Problems found before anything runs: in the folder, in a file, or between the folder and
//! the history table. `status` lists them; `run` refuses to start while there are any.

use std::fmt;

use super::error::Location;

/// Something that stops migrations from running (or makes `status` fail as a CI gate).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A `.sql` file in the migrations folder whose name is not `<version>_<name>.sql`.
    Misnamed { file: String },
    /// Two files with the same version.
    DuplicateVersion { version: u64, files: Vec<String> },
    /// A file that cannot run as written (misplaced directive, `COMMIT` in a transaction...).
    Invalid {
        file: String,
        location: Location,
        message: String,
        help: String,
    },
    /// An applied file whose content changed since it was applied.
    Changed {
        file: String,
        version: u64,
        recorded: String,
        current: String,
    },
    /// An applied file that is no longer in the folder.
    Missing {
        file: String,
        version: u64,
        checksum: String,
    },
    /// A `-- squill:no-transaction` file that stopped part-way: its first `committed`
    /// statements stay committed, the rest did not run.
    PartlyApplied {
        file: String,
        version: u64,
        committed: usize,
        statements: usize,
        /// `line N: <first line>` of each committed statement, when the file is unchanged.
        committed_lines: Vec<String>,
    },
    /// An INVALID index (an interrupted `CREATE INDEX CONCURRENTLY`) that an applied file
    /// creates: it slows every write and is never used.
    InvalidIndex {
        file: String,
        version: u64,
        /// `schema.name`, quoted as needed.
        index: String,
        /// The line of the statement that creates it.
        line: usize,
    },
    /// A `<version>_<name>.down.sql` file with no migration of that version.
    OrphanDown { file: String, version: u64 },
    /// Reverting to `to` would need the down part of each of `files` (newest first), which
    /// have none.
    NoDownPart { to: u64, files: Vec<String> },
    /// A pending file older than the newest applied one.
    OutOfOrder {
        file: String,
        version: u64,
        newest_applied: String,
    },
}

impl Problem {
    /// The file the problem is about (the first one, for duplicates).
    pub fn file(&self) -> &str {
        match self {
            Problem::Misnamed { file }
            | Problem::Invalid { file, .. }
            | Problem::Changed { file, .. }
            | Problem::Missing { file, .. }
            | Problem::OutOfOrder { file, .. }
            | Problem::PartlyApplied { file, .. }
            | Problem::InvalidIndex { file, .. }
            | Problem::OrphanDown { file, .. } => file,
            Problem::DuplicateVersion { files, .. } | Problem::NoDownPart { files, .. } => {
                files.first().map_or("", String::as_str)
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Misnamed { file } => write!(
                f,
                "error: {file} is not named like a migration\n  \
                 = note: migration files are named <version>_<name>.sql, the version being \
                 digits: 0001_init.sql, 20240101120000_add_orders.sql\n  \
                 = help: rename it (e.g. to 0001_{}), or move it out of the migrations folder",
                suggested_name(file)
            ),
            Problem::DuplicateVersion { version, files } => write!(
                f,
                "error: version {version} is used by more than one file: {}\n  \
                 = help: give all but one of them a new, higher version",
                files.join(", ")
            ),
            Problem::Invalid {
                file,
                location,
                message,
                help,
            } => {
                writeln!(f, "error: {message}")?;
                location.render(f, file)?;
                write!(f, "  = help: {help}")
            }
            Problem::Changed {
                file,
                recorded,
                current,
                ..
            } => write!(
                f,
                "error: {file} was changed after it was applied\n  \
                 = note: checksum when applied: {recorded}\n  \
                 = note: checksum now:          {current}\n  \
                 = help: undo the edit and put the change in a new migration; if the edit is \
                 intended (a comment, or a fix already made by hand in every database), record \
                 it with `squill migrate repair {file} --reason \"...\"`"
            ),
            Problem::Missing {
                file,
                version,
                checksum,
            } => write!(
                f,
                "error: {file} (version {version}) was applied but is no longer in the \
                 migrations folder\n  \
                 = note: its checksum when applied: {checksum}\n  \
                 = help: restore the file; if removing it is intended, record that with \
                 `squill migrate repair {file} --reason \"...\"`"
            ),
            Problem::PartlyApplied {
                file,
                version,
                committed,
                statements,
                committed_lines,
            } => {
                writeln!(
                    f,
                    "error: {file} (version {version}) is partly applied: it runs without a \
                     transaction and stopped after {committed} of its {statements} statements, \
                     which stay committed"
                )?;
                for line in committed_lines {
                    writeln!(f, "  = note: committed: {line}")?;
                }
                write!(
                    f,
                    "  = help: see what the committed statements did; make the file safe to run \
                     again from its start (IF NOT EXISTS / IF EXISTS) or undo them by hand, then \
                     clear this record with `squill migrate repair {file} --reason \"...\"` and \
                     run `squill migrate`"
                )
            }
            Problem::InvalidIndex {
                file,
                version,
                index,
                line,
            } => write!(
                f,
                "error: index {index}, created by {file}:{line} (version {version}, applied), \
                 is INVALID: a CREATE INDEX CONCURRENTLY was interrupted; the index slows every \
                 write and is never used\n  \
                 = help: run `DROP INDEX CONCURRENTLY {index};` then the statement at \
                 {file}:{line} again (by hand: the file is recorded as applied)"
            ),
            Problem::OrphanDown { file, version } => write!(
                f,
                "error: {file} is a down file, but no migration has version {version}\n  \
                 = help: name it after its migration (<version>_<name>.down.sql, the version \
                 of the file it undoes), or delete it"
            ),
            Problem::NoDownPart { to, files } => write!(
                f,
                "error: cannot revert to version {to}: {} applied file{} above it {} no down \
                 part: {}\n  \
                 = note: nothing was reverted; every file in the range is checked first\n  \
                 = help: add a `{}` section at the end of each file (what follows it undoes \
                 the file), or a <version>_<name>.down.sql file next to it",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                if files.len() == 1 { "has" } else { "have" },
                files.join(", "),
                super::sections::DOWN_MARKER
            ),
            Problem::OutOfOrder {
                file,
                version,
                newest_applied,
            } => write!(
                f,
                "error: {file} (version {version}) is pending but older than {newest_applied}, \
                 which is already applied\n  \
                 = help: give it a version after {newest_applied}'s (usually a merge of two \
                 branches: rename the file), or, if its order does not matter, pass \
                 --allow-out-of-order"
            ),
        }
    }
}

/// `init.sql` -> `init.sql`; `V1__init.sql` -> `init.sql`: a plausible name to suggest.
fn suggested_name(file: &str) -> String {
    let stem = file.strip_suffix(".sql").unwrap_or(file);
    let stem = stem.rsplit("__").next().unwrap_or(stem);
    let slug: String = stem
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    let slug = slug.trim_matches(|c: char| c == '_' || c.is_ascii_digit());
    format!("{}.sql", if slug.is_empty() { "name" } else { slug })
}

/// Renders a list of problems, one block each, with a count.
pub(crate) fn render_list(f: &mut fmt::Formatter<'_>, problems: &[Problem]) -> fmt::Result {
    for problem in problems {
        writeln!(f, "{problem}\n")?;
    }
    write!(
        f,
        "error: {} problem{} with the migrations; nothing was run",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )
}
