//! What runs from a migration file. A file runs as written, minus down sections of tools that
//! keep both directions in one file, so their folders work unchanged: goose
//! (`-- +goose Up` / `-- +goose Down`), dbmate (`-- migrate:up` / `-- migrate:down`) and
//! sql-migrate (`-- +migrate Up` / `-- +migrate Down`). Down sections are blanked out byte for
//! byte, so every offset and line number still points into the file the user sees. The file
//! runs outside a transaction with `-- squill:no-transaction` in its leading comments, or the
//! goose / dbmate / sql-migrate equivalents.
//!
//! `squill lint` reads files through this too, so it checks exactly what the runner runs.

use super::source::NO_TRANSACTION;

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
    for line in text.split_inclusive('\n') {
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
        if in_down {
            runnable.extend(line.chars().map(|c| {
                if c == '\n' {
                    "\n".to_string()
                } else {
                    " ".repeat(c.len_utf8())
                }
            }));
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
