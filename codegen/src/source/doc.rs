//! Doc comments: the `--` lines that describe a query, which become its rustdoc.

use std::ops::Range;

use super::lex::{Token, TokenKind, is_space};
use super::lines::LineIndex;

/// The doc lines of the query annotated by `tokens[annotation]`: the `--` comments on the lines
/// directly above the annotation (stopping at a blank line, code or another annotation), then
/// those between the annotation and its statement (`between`, token indices). Each has its
/// `--` and one space stripped.
#[cfg(test)]
pub(crate) fn doc_lines(
    text: &str,
    tokens: &[Token],
    lines: &LineIndex,
    annotation: usize,
    between: Range<usize>,
    is_annotation: impl Fn(usize) -> bool,
) -> Vec<String> {
    doc_comments(text, tokens, lines, annotation, between, is_annotation)
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// [`doc_lines`] with each comment's bytes in the file (for directives among them).
pub(crate) fn doc_comments(
    text: &str,
    tokens: &[Token],
    lines: &LineIndex,
    annotation: usize,
    between: Range<usize>,
    is_annotation: impl Fn(usize) -> bool,
) -> Vec<(String, Range<usize>)> {
    let own_line_comment = |i: usize| {
        let token = &tokens[i];
        token.kind == TokenKind::LineComment
            && !is_annotation(i)
            && text.as_bytes()[lines.line_start(token.span.start)..token.span.start]
                .iter()
                .all(|&b| is_space(b))
    };
    let mut above = Vec::new();
    let mut line = lines.line(tokens[annotation].span.start);
    for i in (0..annotation).rev() {
        let start = tokens[i].span.start;
        if !own_line_comment(i) || lines.line(start) + 1 != line {
            break;
        }
        line -= 1;
        above.push(i);
    }
    above.reverse();
    above
        .into_iter()
        .chain(between.filter(|&i| own_line_comment(i)))
        .map(|i| (strip(tokens[i].text(text)), tokens[i].span.clone()))
        .collect()
}

fn strip(comment: &str) -> String {
    let body = comment.strip_prefix("--").unwrap_or(comment);
    body.strip_prefix(' ').unwrap_or(body).trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::lex::tokenize;

    fn docs(text: &str) -> Vec<String> {
        let tokens = tokenize(text);
        let lines = LineIndex::new(text);
        let is_annotation = |i: usize| tokens[i].text(text).contains("name:");
        let annotation = (0..tokens.len()).rev().find(|&i| is_annotation(i)).unwrap();
        let statement = (annotation..tokens.len())
            .find(|&i| !tokens[i].is_comment())
            .unwrap();
        doc_lines(
            text,
            &tokens,
            &lines,
            annotation,
            annotation + 1..statement,
            is_annotation,
        )
    }

    #[test]
    fn lines_directly_above_in_order() {
        let text =
            "-- unrelated\n\n-- Returns the user,\n--   or None.  \n--\n-- name: X :opt\nSELECT 1";
        assert_eq!(docs(text), ["Returns the user,", "  or None.", ""]);
    }

    #[test]
    fn stops_at_code_and_other_annotations() {
        assert!(docs("SELECT 1; -- trailing\n-- name: X :one\nSELECT 2").is_empty());
        assert!(docs("-- name: A :one\n-- name: X :one\nSELECT 2").is_empty());
        assert_eq!(
            docs("/* block */\n-- doc\n-- name: X :one\nSELECT 2"),
            ["doc"]
        );
    }

    #[test]
    fn comments_after_the_annotation_follow() {
        let text = "-- above\n-- name: X :one\n-- below\n\n-- further\nSELECT 1";
        assert_eq!(docs(text), ["above", "below", "further"]);
    }
}
