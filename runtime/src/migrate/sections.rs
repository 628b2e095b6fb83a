//! What runs from a migration file. A file runs as written, minus its down part: squill's own
//! (everything after a `-- squill:down` line) and the down sections of tools that keep both
//! directions in one file, so their folders work unchanged: goose
//! (`-- +goose Up` / `-- +goose Down`), dbmate (`-- migrate:up` / `-- migrate:down`) and
//! sql-migrate (`-- +migrate Up` / `-- +migrate Down`). Down sections are blanked out byte for
//! byte, so every offset and line number still points into the file the user sees. The file
//! runs outside a transaction with `-- squill:no-transaction` in its leading comments, or the
//! goose / dbmate / sql-migrate equivalents.
//!
//! `squill lint` reads files through this too, so it checks exactly what the runner runs.

use std::ops::Range;

use super::source::NO_TRANSACTION;

/// The line that starts a migration's down part: what follows it undoes the file and is run
/// only by `squill migrate down`.
pub const DOWN_MARKER: &str = "-- squill:down";

/// The byte range of the `-- squill:down` line (its line break included), if the file has one.
pub fn down_marker(text: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if is_down_marker(line) {
            return Some(offset..offset + line.len());
        }
        offset += line.len();
    }
    None
}

fn is_down_marker(line: &str) -> bool {
    line.trim()
        .trim_start_matches('\u{feff}')
        .eq_ignore_ascii_case(DOWN_MARKER)
}

/// The down section of `text` with everything up to and including the marker line blanked
/// (offsets and line numbers stay those of the file), or `None` without a marker.
pub fn down_section(text: &str) -> Option<String> {
    let marker = down_marker(text)?;
    let mut out = blanked(&text[..marker.end]);
    out.push_str(&text[marker.end..]);
    Some(out)
}

/// `text` with every character but line breaks turned into spaces (byte lengths kept).
pub(crate) fn blanked(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '\n' {
                "\n".to_string()
            } else {
                " ".repeat(c.len_utf8())
            }
        })
        .collect()
}

#[derive(Debug)]
pub struct RunnableText {
    /// The file with down sections replaced by spaces (line breaks kept).
    pub runnable: String,
    pub no_transaction: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Marker {
    Up { no_transaction: bool },
    Down,
    NoTransaction,
}

pub fn runnable_text(text: &str) -> RunnableText {
    let mut runnable = String::with_capacity(text.len());
    let mut in_down = false;
    let mut no_transaction = false;
    let mut leading = true;
    // squill's down part runs to the end of the file: no marker of another tool ends it.
    let mut squill_down = false;
    for line in text.split_inclusive('\n') {
        squill_down |= is_down_marker(line);
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if leading && trimmed.eq_ignore_ascii_case(NO_TRANSACTION) {
            no_transaction = true;
        }
        leading &= trimmed.is_empty() || trimmed.starts_with("--");
        match marker(trimmed) {
            Some(Marker::Up { no_transaction: nt }) => {
                in_down = false;
                no_transaction |= nt;
            }
            Some(Marker::Down) => in_down = true,
            Some(Marker::NoTransaction) => no_transaction = true,
            None => {}
        }
        if in_down || squill_down {
            runnable.push_str(&blanked(line));
        } else {
            runnable.push_str(line);
        }
    }
    RunnableText {
        runnable,
        no_transaction,
    }
}

fn marker(line: &str) -> Option<Marker> {
    let rest = line.strip_prefix("--")?.trim_start();
    if let Some(goose) = rest.strip_prefix("+goose") {
        return match goose.trim().to_ascii_lowercase().as_str() {
            "up" => Some(Marker::Up {
                no_transaction: false,
            }),
            "down" => Some(Marker::Down),
            "no transaction" => Some(Marker::NoTransaction),
            _ => None,
        };
    }
    if let Some(sql_migrate) = rest.strip_prefix("+migrate") {
        let words: Vec<String> = sql_migrate
            .split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        return match words.first().map(String::as_str) {
            Some("up") => Some(Marker::Up {
                no_transaction: words.iter().any(|w| w == "notransaction"),
            }),
            Some("down") => Some(Marker::Down),
            _ => None,
        };
    }
    let dbmate = rest.strip_prefix("migrate:")?;
    if dbmate.starts_with("up") {
        Some(Marker::Up {
            no_transaction: dbmate.contains("transaction:false"),
        })
    } else if dbmate.starts_with("down") {
        Some(Marker::Down)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_sections_are_blanked_keeping_offsets() {
        let text = "-- +goose Up\nCREATE TABLE t ();\n-- +goose Down\nDROP TABLE é;\n-- +goose Up\nSELECT 1;\n";
        let m = runnable_text(text);
        assert_eq!(m.runnable.len(), text.len());
        assert!(!m.runnable.contains("DROP") && m.runnable.contains("SELECT 1;"));
        assert!(!m.no_transaction);
    }

    #[test]
    fn squill_down_parts_run_only_down() {
        let text = "CREATE TABLE t ();\n-- squill:down\n-- +goose Up\nDROP TABLE t;\n";
        let m = runnable_text(text);
        assert_eq!(m.runnable.len(), text.len());
        assert!(m.runnable.contains("CREATE TABLE") && !m.runnable.contains("DROP"));
        let down = down_section(text).unwrap();
        assert_eq!(down.len(), text.len());
        assert!(!down.contains("CREATE") && !down.contains("squill:down"));
        assert!(down.ends_with("-- +goose Up\nDROP TABLE t;\n"));
        assert_eq!(down.matches('\n').count(), text.matches('\n').count());
        assert_eq!(down_marker(text), Some(19..34));
        assert_eq!(down_section("CREATE TABLE t ();\n-- squill:downs\n"), None);
        assert!(down_marker("  -- SQUILL:DOWN  \r\n").is_some());
    }

    #[test]
    fn sql_migrate_down_sections_do_not_run() {
        let text = "-- +migrate Up\nCREATE TABLE t ();\n-- +migrate Down\nDROP TABLE t;\n";
        let m = runnable_text(text);
        assert!(m.runnable.contains("CREATE TABLE") && !m.runnable.contains("DROP"));
    }

    #[test]
    fn no_transaction_directives() {
        assert!(
            runnable_text("-- Build the index.\n-- squill:no-transaction\nCREATE INDEX ...")
                .no_transaction
        );
        assert!(!runnable_text("SELECT 1;\n-- squill:no-transaction\n").no_transaction);
        assert!(runnable_text("-- migrate:up transaction:false\nCREATE INDEX ...").no_transaction);
        assert!(
            runnable_text("-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX ...")
                .no_transaction
        );
        assert!(runnable_text("-- +migrate Up notransaction\nCREATE INDEX ...").no_transaction);
    }
}
