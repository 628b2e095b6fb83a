//! What of a file PostgreSQL gets to run: the down sections of goose, dbmate and sql-migrate
//! files are left out by the migration runner's own reader (`squill::migrate::runnable_text`,
//! so the catalog sees exactly what runs), and psql meta-commands (`\connect`, `\restrict` in
//! recent `pg_dump` output) are blanked here.
//!
//! Blanked with spaces, not cut: the text keeps its length, so byte offsets (and line and
//! column numbers) in it are offsets in the file the user sees.

use crate::source::split::split_statements;

/// `text` with down sections and psql meta-commands replaced by spaces (line breaks kept).
pub fn runnable_sql(text: &str) -> String {
    blank_client_side(squill::migrate::runnable_text(text).runnable)
}

/// What psql handles itself: a backslash command runs from `\` to the end of the line (where
/// one starts a statement, that line is blanked and the rest is the next statement), and the
/// data after `COPY ... FROM stdin;` runs to a line `\.` (blanked, so that no data line is
/// taken for SQL).
fn blank_client_side(mut text: String) -> String {
    let mut from = 0;
    loop {
        let Some(statement) = split_statements(&text).into_iter().find(|r| {
            r.start >= from
                && (text[r.start..].starts_with('\\') || is_copy_from_stdin(&text[r.clone()]))
        }) else {
            return text;
        };
        let (start, end) = if text[statement.start..].starts_with('\\') {
            from = statement.start;
            let end = line_end(&text, statement.start);
            (statement.start, end)
        } else {
            let data = (line_end(&text, statement.end) + 1).min(text.len());
            let terminator = std::iter::once(data)
                .chain(text[data..].match_indices('\n').map(|(i, _)| data + i + 1))
                .find(|&line| text[line..].starts_with("\\."))
                .map_or(text.len(), |line| line_end(&text, line));
            from = statement.end;
            (data, terminator)
        };
        let mut blanked = String::with_capacity(end - start);
        blank_into(&mut blanked, &text[start..end]);
        text.replace_range(start..end, &blanked);
    }
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

fn is_copy_from_stdin(statement: &str) -> bool {
    let words: Vec<String> = statement
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    words.first().is_some_and(|w| w == "COPY")
        && words.windows(2).any(|w| w[0] == "FROM" && w[1] == "STDIN")
}

/// Appends `text` with every character but line breaks replaced by as many spaces as it has
/// bytes.
fn blank_into(out: &mut String, text: &str) {
    for c in text.chars() {
        if c == '\n' {
            out.push('\n');
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_sections_are_blanked_keeping_offsets() {
        for text in [
            "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n",
            "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n",
            "-- +migrate Up\nCREATE TABLE a (id int);\n-- +migrate Down\nDROP TABLE a;\n",
        ] {
            let runnable = runnable_sql(text);
            assert_eq!(runnable.len(), text.len());
            assert!(runnable.contains("CREATE TABLE a"));
            assert!(!runnable.contains("DROP"), "{runnable}");
        }
    }

    #[test]
    fn meta_commands_are_blanked() {
        let text = "\\restrict abc\n\nSET x = 1;\nCREATE TABLE é (id int);\n\\unrestrict abc\n";
        let runnable = runnable_sql(text);
        assert_eq!(runnable.len(), text.len());
        assert!(!runnable.contains('\\'), "{runnable}");
        assert!(runnable.contains("SET x = 1;"));
        assert!(runnable.contains("CREATE TABLE é"));
        // Inside a string it is data, not a command.
        let text = "SELECT '\n\\x';\n";
        assert_eq!(runnable_sql(text), text);
    }

    #[test]
    fn copy_data_is_blanked() {
        let text = "COPY t (a) FROM stdin;\n1\tx;y\n\\.\nCREATE TABLE u (id int);\n";
        let runnable = runnable_sql(text);
        assert_eq!(runnable.len(), text.len());
        assert!(
            runnable.starts_with("COPY t (a) FROM stdin;\n"),
            "{runnable}"
        );
        assert!(!runnable.contains("x;y"), "{runnable}");
        let statements: Vec<&str> = split_statements(&runnable)
            .into_iter()
            .map(|r| &runnable[r])
            .collect();
        assert_eq!(
            statements,
            ["COPY t (a) FROM stdin", "CREATE TABLE u (id int)"]
        );
    }
}
