//! Comment directives in a migration file:
//!
//! - `-- squill:lint-ignore rule-id[, rule-id] [-- reason]` on the comment lines directly
//!   above a statement silences those rules for that statement;
//! - `-- squill:lint-ignore-file rule-id[, ...]` in the file's leading comments silences them
//!   for the whole file.
//!
//! A directive that names an unknown rule or applies to nothing is reported, so a typo never
//! silently turns a suppression off.

use std::collections::HashSet;
use std::ops::Range;

use crate::diagnostic::closest;

use super::rules::{self, Hit, INVALID_LINT_IGNORE};

const IGNORE: &str = "squill:lint-ignore";
const IGNORE_FILE: &str = "squill:lint-ignore-file";
#[derive(Debug)]
struct Directive {
    file_level: bool,
    /// 0-based line number in the file.
    line: usize,
    /// The comment, trimmed: where to point when the directive itself is the problem.
    span: Range<usize>,
    rules: Vec<(String, Range<usize>)>,
    attached: bool,
}

/// The directives of one file, and which of them took effect.
#[derive(Debug)]
pub(crate) struct FileDirectives {
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    /// Whether each line is a comment line (`--` after optional indentation).
    comment_lines: Vec<bool>,
    directives: Vec<Directive>,
}

impl FileDirectives {
    /// Reads the directives in `text` (the runnable text: none in down sections).
    pub fn scan(text: &str) -> Self {
        let mut line_starts = Vec::new();
        let mut comment_lines = Vec::new();
        let mut directives = Vec::new();
        let mut offset = 0;
        for (n, line) in text.split_inclusive('\n').enumerate() {
            line_starts.push(offset);
            let body = comment_body(line);
            comment_lines.push(body.is_some());
            if let Some(body) = body {
                let comment_at = offset + (line.len() - line.trim_start().len());
                let body_at = offset + (body.as_ptr() as usize - line.as_ptr() as usize);
                if let Some(d) = parse_directive(body, comment_at, body_at, n) {
                    directives.push(d);
                }
            }
            offset += line.len();
        }
        FileDirectives {
            line_starts,
            comment_lines,
            directives,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Rules ignored for the whole file: `lint-ignore-file` directives above `first_code`
    /// (the first statement's start; `None` when the file has no statements).
    pub fn file_ignores(&mut self, first_code: Option<usize>) -> HashSet<String> {
        let limit = first_code.map_or(usize::MAX, |o| self.line_of(o));
        let mut ignored = HashSet::new();
        for d in self
            .directives
            .iter_mut()
            .filter(|d| d.file_level && d.line < limit)
        {
            d.attached = true;
            ignored.extend(d.rules.iter().map(|(r, _)| r.clone()));
        }
        ignored
    }

    /// Rules ignored for the statement starting at `start`: `lint-ignore` directives among
    /// the comment lines directly above it (no blank line in between).
    pub fn statement_ignores(&mut self, start: usize) -> HashSet<String> {
        let mut ignored = HashSet::new();
        let mut line = self.line_of(start);
        while line > 0 && self.comment_lines[line - 1] {
            line -= 1;
            for d in self
                .directives
                .iter_mut()
                .filter(|d| d.line == line && !d.file_level)
            {
                d.attached = true;
                ignored.extend(d.rules.iter().map(|(r, _)| r.clone()));
            }
        }
        ignored
    }

    /// Problems with the directives themselves: unknown rule ids, and directives that apply
    /// to nothing. Call after every statement has asked for its ignores.
    pub fn problems(&self) -> Vec<Hit> {
        let mut hits = Vec::new();
        for d in &self.directives {
            let kind = if d.file_level { IGNORE_FILE } else { IGNORE };
            if d.rules.is_empty() {
                hits.push(problem(
                    d.span.clone(),
                    format!("`{kind}` names no rule"),
                    format!("name the rules to ignore: `-- {kind} rule-id[, rule-id] -- reason`"),
                ));
            }
            for (rule, span) in &d.rules {
                if !rules::is_known(rule) {
                    let help = match closest(rule, rules::ids()) {
                        Some(known) => format!("did you mean `{known}`?"),
                        None => format!(
                            "known rules: {}",
                            rules::ids().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    hits.push(problem(
                        span.clone(),
                        format!("unknown lint rule `{rule}` in `{kind}`"),
                        help,
                    ));
                }
            }
            if !d.attached {
                let (message, help) = if d.file_level {
                    (
                        format!("`{IGNORE_FILE}` only works in the file's leading comments"),
                        "move it above the first statement".to_string(),
                    )
                } else {
                    (
                        format!("`{IGNORE}` is not directly above a statement, so it ignores nothing"),
                        "put it on the comment lines right above the statement, with no blank line between"
                            .to_string(),
                    )
                };
                hits.push(problem(d.span.clone(), message, help));
            }
        }
        hits
    }
}

/// The text after `--` when `line` is a comment line, else `None`.
fn comment_body(line: &str) -> Option<&str> {
    line.trim_start()
        .strip_prefix("--")
        .map(|rest| rest.trim_start().trim_end_matches(['\r', '\n']))
}

/// Parses `squill:lint-ignore[-file] a, b -- reason`: `body` is the comment after `--`,
/// starting at file offset `at`; the comment's `--` is at `comment_at`.
fn parse_directive(body: &str, comment_at: usize, at: usize, line: usize) -> Option<Directive> {
    let (file_level, rest) = if let Some(rest) = body.strip_prefix(IGNORE_FILE) {
        (true, rest)
    } else {
        (false, body.strip_prefix(IGNORE)?)
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None; // `squill:lint-ignored`, some other word
    }
    let args_at = at + (body.len() - rest.len());
    let args = rest.split("--").next().unwrap_or("");
    let mut rules = Vec::new();
    let mut pos = 0;
    for piece in args.split(|c: char| c == ',' || c.is_whitespace()) {
        if !piece.is_empty() {
            let start = args_at + pos;
            rules.push((piece.to_string(), start..start + piece.len()));
        }
        pos += piece.len() + 1;
    }
    let span = comment_at..at + body.trim_end().len();
    Some(Directive {
        file_level,
        line,
        span,
        rules,
        attached: false,
    })
}

fn problem(span: Range<usize>, message: String, help: String) -> Hit {
    Hit {
        rule: INVALID_LINT_IGNORE,
        span,
        message,
        label: "this suppression has no effect".to_string(),
        notes: Vec::new(),
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ignores_take_the_comment_block_above() {
        let text =
            "-- squill:lint-ignore ban-drop-table, ban-drop-column -- old\n-- doc\nDROP TABLE t;\n";
        let mut d = FileDirectives::scan(text);
        let ignored = d.statement_ignores(text.find("DROP").unwrap());
        assert!(ignored.contains("ban-drop-table") && ignored.contains("ban-drop-column"));
        assert_eq!(ignored.len(), 2);
        assert!(d.problems().is_empty());
    }

    #[test]
    fn blank_line_detaches() {
        let text = "-- squill:lint-ignore ban-drop-table\n\nDROP TABLE t;\n";
        let mut d = FileDirectives::scan(text);
        assert!(d.statement_ignores(text.find("DROP").unwrap()).is_empty());
        assert_eq!(d.problems().len(), 1);
    }

    #[test]
    fn rule_spans_point_at_the_id() {
        let text = "--squill:lint-ignore-file  ban-drop-tabel\nDROP TABLE t;";
        let mut d = FileDirectives::scan(text);
        d.file_ignores(Some(text.find("DROP").unwrap()));
        let problems = d.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(&text[problems[0].span.clone()], "ban-drop-tabel");
        assert_eq!(problems[0].help, "did you mean `ban-drop-table`?");
    }
}
